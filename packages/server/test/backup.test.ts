import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTrustgateError } from '@trustgate/core';
import { createTrustgateService } from '../src/create-service.ts';
import { exportStore, importStore, type StoreLocation } from '../src/app/backup/backup-store.ts';
import { STORE_SCHEMA_VERSION } from '../src/app/backup/store-export-file.ts';
import { STORE_TABLE_NAMES } from '../src/store/export-rows.ts';
import { openStore } from '../src/store/store.ts';
import type { DialectName } from '../src/store/open-database.ts';
import { readEveryRow, type TableRows } from './database-rows.ts';
import { openSharedTestDatabase, type SharedTestDatabase } from './test-stores.ts';
import { BACKUP_ISSUER, populateStore, type PopulatedStore } from './backup-fixture.ts';
import { NO_AWS, TEST_SERVICE_DEFAULTS } from './service-harness.ts';

const at = (db: SharedTestDatabase): StoreLocation => ({
  url: db.config.databaseUrl,
  ...(db.schema === undefined ? {} : { schema: db.schema }),
});

/** A row as JSON, a bigint column as a number (PostgreSQL's driver returns `bigint` as text, SQLite's a number). */
const rowText = (row: TableRows[number]) =>
  JSON.stringify(typeof row.seq === 'string' ? { ...row, seq: Number(row.seq) } : row);

/** The store's own tables (not Kysely's bookkeeping) as read by the driver, each table's rows in a stable order. */
async function storedRows(db: SharedTestDatabase): Promise<Record<string, string[]>> {
  const all = await readEveryRow(db);
  return Object.fromEntries(
    Object.entries(all)
      .filter(([name]) => !name.startsWith('kysely_'))
      .map(([name, rows]) => [name, rows.map(rowText).sort()]),
  );
}

async function refusal(work: Promise<unknown>): Promise<{ code: string; message: string; field?: unknown }> {
  try {
    await work;
  } catch (error) {
    if (isTrustgateError(error)) return { code: error.code, message: error.message, field: error.field };
    throw error;
  }
  throw new Error('not refused');
}

const OTHER: Record<DialectName, DialectName> = { sqlite: 'postgres', postgres: 'sqlite' };

/**
 * `trustgate store export` / `import` (issue 15): a store filled through the API against the sandbox round-trips
 * source -> other dialect -> source with every row of every table equal; the restored service takes the same
 * tokens and publishes the same signing key; refusals write nothing.
 */
describe.each(['sqlite', 'postgres'] as const)('store backup from %s', (dialect) => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-backup-'));
  const databases: SharedTestDatabase[] = [];
  let source: PopulatedStore;
  const fresh = (d: DialectName) => {
    const db = openSharedTestDatabase(d, 'tg-backup-');
    databases.push(db);
    return db;
  };

  beforeAll(async () => {
    source = await populateStore(dialect, 'tg-backup-src-');
    databases.push(source.database);
  }, 60_000);
  afterAll(async () => {
    for (const db of databases) await db.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`round-trips every table ${dialect} -> ${OTHER[dialect]} -> ${dialect}; the restored service serves the same tokens and keys`, async () => {
    const original = await storedRows(source.database);
    expect(Object.keys(original).sort()).toEqual([...STORE_TABLE_NAMES].sort());
    for (const table of STORE_TABLE_NAMES) expect(original[table]!.length, table).toBeGreaterThan(0);

    const first = join(dir, `${dialect}-1.json`);
    const exported = await exportStore(at(source.database), first);
    expect(statSync(first).mode & 0o777).toBe(0o600);
    for (const table of STORE_TABLE_NAMES) expect(exported.tables[table], table).toBe(original[table]!.length);
    // The service's own HMAC keys are kept as the store keeps them (a restore must accept the tokens out there);
    // the signing keys' sealing key came from configuration, so it is not in the store or the file.
    expect(exported.secretSettings.sort()).toEqual(['callback-secret', 'run-token-secret']);
    const text = await readFile(first, 'utf8');
    expect(JSON.parse(text)).toMatchObject({ format: 'trustgate-store-export', schemaVersion: STORE_SCHEMA_VERSION });
    // Tokens only as their hashes, the private key only sealed.
    for (const secret of [source.adminToken, source.memberToken]) {
      expect(text).not.toContain(secret);
      expect(text).toContain(createHash('sha256').update(secret).digest('hex'));
    }
    expect(text).not.toContain(Buffer.from(source.keyEncryptionKey).toString('base64url'));
    expect(text).not.toContain('PRIVATE KEY');

    const middle = fresh(OTHER[dialect]);
    expect(await importStore(at(middle), first)).toEqual(exported.tables);
    expect(await storedRows(middle)).toEqual(original);

    const second = join(dir, `${dialect}-2.json`);
    await exportStore(at(middle), second);
    const back = fresh(dialect);
    await importStore(at(back), second);
    expect(await storedRows(back)).toEqual(original);

    const service = await createTrustgateService({
      ...back.config,
      ...TEST_SERVICE_DEFAULTS,
      partitions: NO_AWS,
      identity: { issuerUrl: BACKUP_ISSUER, keyEncryptionKey: source.keyEncryptionKey },
    });
    try {
      const url = await service.listen({ port: 0 });
      const get = (path: string, token: string) =>
        fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      const connection = await get(`/v1/connections/${source.connectionId}`, source.adminToken);
      expect(connection.status).toBe(200);
      expect(((await connection.json()) as { status: string }).status).toBe('connected');
      expect((await get('/v1/me', source.memberToken)).status).toBe(200);
      const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
      expect(jwks.keys.map((k) => k.kid)).toContain(source.kid);
      const space = await fetch(`${url}/v1/spaces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${source.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'after-restore' }),
      });
      expect(space.status).toBe(201);
    } finally {
      await service.close();
    }
    // The audit log goes on after the restored events: the new event is numbered after every imported one.
    const seqs = (await readEveryRow(back)).audit_events!.map((r) => ({ action: r.action, seq: Number(r.seq) }));
    const created = seqs.find((e) => e.action === 'space.create' && e.seq === Math.max(...seqs.map((x) => x.seq)));
    expect(created, JSON.stringify(seqs)).toBeDefined();
    expect(seqs).toHaveLength(original.audit_events!.length + 1);
  });

  it('refuses a non-empty store, another schema version and rows the schema rejects, writing nothing', async () => {
    const file = join(dir, `${dialect}-refusals.json`);
    await exportStore(at(source.database), file);
    const before = await storedRows(source.database);
    const full = await refusal(importStore(at(source.database), file));
    expect(full.code).toBe('CONFLICT');
    expect(full.message).toMatch(/not empty: organizations \(1\), users \(2\), api_tokens \(2\).*nothing was written/);
    expect(await storedRows(source.database)).toEqual(before);

    const data = JSON.parse(await readFile(file, 'utf8'));
    const olderFile = join(dir, `${dialect}-older.json`);
    await writeFile(olderFile, JSON.stringify({ ...data, schemaVersion: '0008-connection-trust' }));
    const target = fresh(OTHER[dialect]);
    const version = await refusal(importStore(at(target), olderFile));
    expect(version).toMatchObject({ code: 'INVALID_INPUT', field: 'schemaVersion' });
    expect(version.message).toContain(`"0008-connection-trust"; this trustgate's store is at ${STORE_SCHEMA_VERSION}`);

    // A second signing key of the same generation: refused by the last table, after every other table went in.
    const clash = join(dir, `${dialect}-clash.json`);
    const key = data.tables.signing_keys[0];
    data.tables.signing_keys.push({ ...key, kid: `${key.kid}-copy` });
    await writeFile(clash, JSON.stringify(data));
    const rejected = await refusal(importStore(at(target), clash));
    expect(rejected).toMatchObject({ code: 'INVALID_INPUT', field: 'tables' });
    expect(rejected.message).toContain('nothing was written');
    const left = await storedRows(target);
    for (const table of STORE_TABLE_NAMES) expect(left[table], table).toEqual([]);

    // Exporting writes nothing either: no SQLite file made for a wrong path, no migration of an older store.
    const nowhere = join(dir, 'nowhere', 'tg.sqlite');
    expect(await refusal(exportStore({ url: nowhere }, join(dir, 'x.json')))).toMatchObject({
      code: 'NOT_FOUND',
      field: 'db',
    });
    expect(existsSync(nowhere) || existsSync(join(dir, 'x.json'))).toBe(false);
    const behind = fresh('sqlite');
    await (await openStore({ url: behind.sqliteFile! })).close();
    const sqlite = new BetterSqlite3(behind.sqliteFile!);
    sqlite.prepare('delete from kysely_migration where name = ?').run(STORE_SCHEMA_VERSION);
    sqlite.close();
    const older = await refusal(exportStore(at(behind), join(dir, 'y.json')));
    expect(older).toMatchObject({ code: 'INVALID_INPUT', field: 'db' });
    expect(older.message).toMatch(/is at schema version \d{4}-[a-z-]+; this trustgate exports /);
    const after = new BetterSqlite3(behind.sqliteFile!, { readonly: true });
    expect(
      after.prepare('select count(*) as n from kysely_migration where name = ?').get(STORE_SCHEMA_VERSION),
    ).toEqual({
      n: 0,
    });
    after.close();

    const bad = join(dir, `${dialect}-bad.json`);
    delete data.tables.signing_keys[0].algorithm;
    await writeFile(bad, JSON.stringify(data));
    expect(await refusal(importStore(at(target), bad))).toMatchObject({
      code: 'INVALID_INPUT',
      message: `${bad}: tables.signing_keys[0].algorithm is missing.`,
    });
  });
});
