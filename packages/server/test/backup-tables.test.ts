import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenDatabase } from '../src/store/open-database.ts';
import { STORE_TABLES } from '../src/store/export-rows.ts';
import { dropSchema, TEST_POSTGRES_URL } from './test-stores.ts';
import { randomBytes } from 'node:crypto';

/**
 * The export covers the whole schema: every table and every column the migrations create on each dialect is in
 * STORE_TABLES (a migration adding a column without adding it there fails here, not in a restore).
 */
describe.each(['sqlite', 'postgres'] as const)('the store export lists every table and column on %s', (dialect) => {
  const schema = `tg_${randomBytes(6).toString('hex')}`;
  let opened: OpenDatabase;
  beforeAll(async () => {
    opened = await openDatabase(
      dialect === 'sqlite' ? { url: ':memory:' } : { url: TEST_POSTGRES_URL, schema, poolSize: 1 },
    );
  });
  afterAll(async () => {
    await opened?.close();
    if (dialect === 'postgres') await dropSchema(schema);
  });

  it('matches the migrated schema', async () => {
    const tables = (await opened.db.introspection.getTables())
      .filter((t) => (dialect === 'sqlite' || t.schema === schema) && !t.name.startsWith('kysely_') && !t.isView)
      .map((t) => [t.name, t.columns.map((c) => c.name).sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b));
    const listed = Object.entries(STORE_TABLES)
      .map(([name, shape]) => [name, [...shape.columns].sort()] as const)
      .sort(([a], [b]) => a.localeCompare(b));
    expect(tables).toEqual(listed);
  });
});
