import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../schema.ts';

/** Which SQL dialect a store runs on. */
export type DialectName = 'sqlite' | 'postgres';

/** An opened database connection (pool or file) before migrations. */
export interface OpenedDatabase {
  db: Kysely<Database>;
  close(): Promise<void>;
}

/** What opening needs to know (see `OpenDatabaseOptions`). */
export interface DialectOpenOptions {
  url: string;
  schema?: string;
  poolSize?: number;
}

/**
 * Everything the store does differently per database, behind one shape that each file in this folder fills
 * (as Kysely's dialect folders each have the same files): how to open it, where migrations keep their
 * bookkeeping, how a job claim excludes other instances, and which driver error is a unique violation.
 */
export interface StoreDialect {
  name: DialectName;
  /** Whether this dialect serves the store URL. */
  serves(url: string): boolean;
  open(options: DialectOpenOptions): Promise<OpenedDatabase>;
  /** Options for Kysely's Migrator (where its bookkeeping tables live). */
  migrationBookkeeping(options: DialectOpenOptions): { migrationTableSchema?: string };
  /**
   * Inside a job claim's transaction: true when this caller may claim `name` now (other instances' claims of the
   * same job are excluded until the transaction ends), false when another instance holds it.
   */
  lockJob(trx: Transaction<Database>, name: string): Promise<boolean>;
  /** True when a driver error is a unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean;
}

/** The driver error's `code`, when it has one. */
export function driverErrorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? (error as { code: unknown }).code : undefined;
}
