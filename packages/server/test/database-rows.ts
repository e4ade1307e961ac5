import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { TEST_POSTGRES_URL, type SharedTestDatabase } from './test-stores.ts';

/** A table's rows as the driver returns them. */
export type TableRows = Array<Record<string, unknown>>;

/**
 * Every row of every table of a shared test database (Kysely's bookkeeping included), read with the driver itself
 * on a connection of its own, not through the store: what is at rest, whatever the repositories map it to.
 */
export async function readEveryRow(db: SharedTestDatabase): Promise<Record<string, TableRows>> {
  if (db.sqliteFile !== undefined) {
    const sqlite = new BetterSqlite3(db.sqliteFile, { readonly: true });
    try {
      const tables = sqlite
        .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
        .all() as Array<{ name: string }>;
      return Object.fromEntries(
        tables.map(({ name }) => [name, sqlite.prepare(`select * from "${name}"`).all() as TableRows]),
      );
    } finally {
      sqlite.close();
    }
  }
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      'select table_name from information_schema.tables where table_schema = $1 order by table_name',
      [db.schema],
    );
    const rows: Record<string, TableRows> = {};
    for (const { table_name: name } of tables.rows)
      rows[name] = (await client.query(`select * from "${db.schema}"."${name}"`)).rows as TableRows;
    return rows;
  } finally {
    await client.end();
  }
}
