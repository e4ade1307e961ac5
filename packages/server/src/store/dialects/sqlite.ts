import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.ts';
import { driverErrorCode, type StoreDialect } from './dialect.ts';

/** How many distinct SQL texts keep their prepared statement (Kysely's queries are a bounded set of shapes). */
const STATEMENT_CACHE_SIZE = 500;

/**
 * The database as Kysely sees it, with prepared statements kept by SQL text: Kysely's SQLite driver prepares every
 * query anew, and preparing (parsing and planning the SQL) cost about as much as running the small queries of an
 * authenticated request. better-sqlite3 statements are reusable and re-prepare themselves after a schema change.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): {
  prepare(sql: string): BetterSqlite3.Statement;
  close(): void;
} {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    prepare(sql) {
      let statement = statements.get(sql);
      if (statement === undefined) {
        statement = sqlite.prepare(sql);
        if (statements.size < STATEMENT_CACHE_SIZE) statements.set(sql, statement);
      }
      return statement;
    },
    close: () => sqlite.close(),
  };
}

/**
 * SQLite through better-sqlite3: a file (its folder created) or `:memory:`, WAL journal, foreign keys on, and a
 * busy timeout so a second process waits instead of failing. One instance per file: the write transaction
 * itself serializes job claims.
 */
export const sqliteDialect: StoreDialect = {
  name: 'sqlite',
  serves: (url) => !/^postgres(ql)?:\/\//.test(url),
  async open({ url }) {
    if (url !== ':memory:') mkdirSync(dirname(url), { recursive: true });
    const sqlite = new BetterSqlite3(url);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return { db, close: () => db.destroy() };
  },
  migrationBookkeeping: () => ({}),
  lockJob: async () => true,
  isUniqueViolation: (error) =>
    ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'].includes(driverErrorCode(error) as string),
};
