import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore, type Store } from '../src/store/store.ts';
import type { DialectName } from '../src/store/open-database.ts';

/** The dialects every store and API test runs against (as Kysely's suite loops over DIALECTS). */
export const DIALECTS: readonly DialectName[] = ['sqlite', 'postgres'];

/** The PostgreSQL the tests use: 127.0.0.1:5432, trust auth, database `test` (override with TRUSTGATE_TEST_PG). */
export const TEST_POSTGRES_URL = process.env.TRUSTGATE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh store: an in-memory SQLite database, or a new PostgreSQL schema `tg_<random>` dropped on close. */
export async function openTestStore(
  dialect: DialectName,
): Promise<{ store: Store; url: string; schema?: string; cleanup(): Promise<void> }> {
  if (dialect === 'sqlite') {
    const store = await openStore({ url: ':memory:' });
    return { store, url: ':memory:', cleanup: () => store.close() };
  }
  const schema = `tg_${randomBytes(6).toString('hex')}`;
  const store = await openStore({ url: TEST_POSTGRES_URL, schema, poolSize: 4 });
  return {
    store,
    url: TEST_POSTGRES_URL,
    schema,
    async cleanup() {
      await store.close();
      await dropSchema(schema);
    },
  };
}

/** A database several service instances (and the test itself) can open at once; see {@link openSharedTestDatabase}. */
export interface SharedTestDatabase {
  /** The database settings of `createTrustgateService`. */
  config: { databaseUrl: string; databaseSchema?: string; databasePoolSize?: number };
  /** On SQLite: the database file. */
  sqliteFile?: string;
  /** On PostgreSQL: the schema. */
  schema?: string;
  /** Deletes the file's folder or drops the schema. */
  remove(): Promise<void>;
}

/**
 * A fresh database that outlives one connection: on SQLite a file `tg.sqlite` in a new temporary folder named
 * `prefix...`, on PostgreSQL a new schema `tg_<random>` (pool of 3 per instance).
 */
export function openSharedTestDatabase(dialect: DialectName, prefix: string): SharedTestDatabase {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const sqliteFile = join(dir, 'tg.sqlite');
    return {
      config: { databaseUrl: sqliteFile },
      sqliteFile,
      remove: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `tg_${randomBytes(6).toString('hex')}`;
  return {
    config: { databaseUrl: TEST_POSTGRES_URL, databaseSchema: schema, databasePoolSize: 3 },
    schema,
    remove: () => dropSchema(schema),
  };
}

/** Drops a test schema and everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
