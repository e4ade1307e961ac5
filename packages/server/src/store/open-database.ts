import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import { migrateToLatest } from './migrations.ts';
import type { StoreDialect } from './dialects/dialect.ts';
import { postgresDialect } from './dialects/postgres.ts';
import { sqliteDialect } from './dialects/sqlite.ts';

export type { DialectName, StoreDialect } from './dialects/dialect.ts';

/** The default embedded database file, relative to the working directory. */
export const DEFAULT_DATABASE_FILE = './.trustgate/trustgate.db';

/** An open database: the Kysely instance, its dialect, and how to close it. */
export interface OpenDatabase {
  db: Kysely<Database>;
  dialect: StoreDialect;
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

/** Every dialect the store runs on. */
export const DIALECTS: readonly StoreDialect[] = [postgresDialect, sqliteDialect];

/**
 * Opens the store's database with the dialect its URL names ({@link DIALECTS}: PostgreSQL for `postgres://`,
 * SQLite otherwise), then runs the migrations.
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenDatabase> {
  const url = options.url ?? DEFAULT_DATABASE_FILE;
  const dialect = DIALECTS.find((d) => d.serves(url)) ?? sqliteDialect;
  const settings = {
    url,
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
  };
  const opened = await dialect.open(settings);
  const open: OpenDatabase = { ...opened, dialect };
  if (options.migrate ?? true) {
    try {
      const bookkeeping = dialect.migrationBookkeeping(settings);
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
