import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.ts';
import { driverErrorCode, type StoreDialect } from './dialect.ts';

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
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    return { db, close: () => db.destroy() };
  },
  migrationBookkeeping: () => ({}),
  lockJob: async () => true,
  isUniqueViolation: (error) =>
    ['SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY'].includes(driverErrorCode(error) as string),
};
