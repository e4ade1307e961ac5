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
