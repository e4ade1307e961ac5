import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { TrustgateError } from '@trustgate/core';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrations.ts';
import { isUniqueViolation } from './unique-violation.ts';

/** The default embedded database file, relative to the working directory. */
export const DEFAULT_DATABASE_FILE = './.trustgate/trustgate.db';

/** Which SQL dialect a store runs on. */
export type DialectName = 'sqlite' | 'postgres';

/** An open database: the Kysely instance, its dialect, and how to close it. */
export interface OpenDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  close(): Promise<void>;
}

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /**
   * `postgres://...` / `postgresql://...` for PostgreSQL; anything else is a SQLite file path (`:memory:` for
   * an in-memory database). Default {@link DEFAULT_DATABASE_FILE}.
   */
  url?: string;
  /** PostgreSQL only: the schema to use (set as `search_path` on every connection). Created if missing. */
  schema?: string;
  /** Run pending migrations after opening. Default true. */
  migrate?: boolean;
  /** PostgreSQL pool size. Default 10. */
  poolSize?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Opens the store's database: SQLite through better-sqlite3 (WAL journal, foreign keys on, a busy timeout
 * so a second process waits instead of failing) or PostgreSQL through a `pg` pool; then runs the migrations.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  const url = options.url ?? DEFAULT_DATABASE_FILE;
  let open: OpenDatabase;
  if (/^postgres(ql)?:\/\//.test(url)) {
    if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
      throw new TrustgateError('INVALID_INPUT', 'The database schema name must be a lower-case SQL identifier.', { field: 'schema' });
    }
    if (options.schema !== undefined) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`create schema if not exists "${options.schema}"`);
      } catch (error) {
        // Two instances creating the same schema at once: the loser sees a unique violation; the schema exists.
        if (!isUniqueViolation(error)) throw error;
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    open = { db, dialect: 'postgres', close: () => db.destroy() };
  } else {
    if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true });
    const sqlite = new BetterSqlite3(url);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    open = { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  if (options.migrate ?? true) {
    try {
      const bookkeeping = open.dialect === 'postgres' ? { migrationTableSchema: options.schema ?? 'public' } : {};
      try {
        await migrateToLatest(open.db as unknown as Kysely<unknown>, bookkeeping);
      } catch {
        // Instances starting together may race creating Kysely's own migration tables; the second try finds them.
        await migrateToLatest(open.db as unknown as Kysely<unknown>, bookkeeping);
      }
    } catch (error) {
      await open.close();
      throw error;
    }
  }
  return open;
}
