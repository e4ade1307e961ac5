import { TrustgateError } from '@trustgate/core';
import { postgresDialect } from './dialects/postgres.ts';
import { sqliteDialect } from './dialects/sqlite.ts';

/** True when a driver error is a unique-constraint violation in any dialect (their codes do not overlap). */
export function isUniqueViolation(error: unknown): boolean {
  return postgresDialect.isUniqueViolation(error) || sqliteDialect.isUniqueViolation(error);
}

/** Runs `write`; a unique-constraint violation becomes a CONFLICT error with `message` naming `field`. */
export async function conflictOnDuplicate<T>(write: () => Promise<T>, message: string, field: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw new TrustgateError('CONFLICT', message, { field });
    throw error;
  }
}

/** True when a driver error is a foreign-key violation: PostgreSQL 23503, SQLite SQLITE_CONSTRAINT_FOREIGNKEY. */
export function isForeignKeyViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

/** Runs `write`; a foreign-key violation (a row it references is missing) becomes NOT_FOUND with `message`. */
export async function notFoundOnMissingReference<T>(write: () => Promise<T>, message: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isForeignKeyViolation(error)) throw new TrustgateError('NOT_FOUND', message);
    throw error;
  }
}
