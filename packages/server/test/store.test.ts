import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIALECTS, openTestStore, TEST_POSTGRES_URL, dropSchema } from './test-stores.ts';
import type { Store } from '../src/store/store.ts';
import { openStore } from '../src/store/store.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';
import type { Connection } from '../src/model/records.ts';

function connection(organizationId: string, name: string, extra: Partial<Connection> = {}): Connection {
  const now = new Date().toISOString();
  return {
    id: `con_${name}`,
    organizationId,
    spaceId: null,
    name,
    partition: 'aws',
    mode: 'manual',
    scope: { kind: 'account', accountId: '123456789012' },
    roleName: 'TrustgateRole',
    region: null,
    labels: {},
    selection: { mode: 'default' },
    managedPolicies: [],
    extraActions: [],
    catalogName: null,
    externalId: `ext-${name}-${Math.random()}`,
    previousExternalId: null,
    status: 'pending',
    statusReason: 'waiting',
    issuedPolicy: { documents: [], managedPolicyArns: [], requiredActions: [] },
    appliedPolicy: null,
    callbackNonce: null,
    lastVerifiedAt: null,
    createdAt: now,
    updatedAt: now,
    recordVersion: 1,
    ...extra,
  };
}

describe.each(DIALECTS)('store on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(dialect));
  });
  afterEach(async () => cleanup());

  it('keeps organizations, users and spaces apart per organization', async () => {
    const a = await store.directory.createOrganization({ name: 'A' });
    const b = await store.directory.createOrganization({ name: 'B' });
    const alice = await store.directory.createUser({ organizationId: a.id, email: 'alice@a.test', name: 'Alice', role: 'admin' });
    expect(await store.directory.getUser(a.id, alice.id)).toEqual(alice);
    expect(await store.directory.getUser(b.id, alice.id)).toBeUndefined();
    await expect(store.directory.createUser({ organizationId: a.id, email: 'alice@a.test', name: 'Again', role: 'member' })).rejects.toMatchObject({ code: 'CONFLICT', field: 'email' });
    // the same e-mail in another organization is a different user
    await store.directory.createUser({ organizationId: b.id, email: 'alice@a.test', name: 'Other', role: 'member' });
    const space = await store.directory.createSpace({ organizationId: a.id, name: 'prod' });
    expect(await store.directory.getSpace(b.id, space.id)).toBeUndefined();
    expect((await store.directory.listSpaces(a.id)).map((s) => s.name)).toEqual(['prod']);
  });

  it('enforces foreign keys', async () => {
    await expect(store.directory.createUser({ organizationId: 'org_missing', email: 'x@y.z', name: 'X', role: 'member' })).rejects.toThrow();
  });

  it('versions catalogs', async () => {
    const a = await store.directory.createOrganization({ name: 'A' });
    await store.directory.addCatalogVersion({ organizationId: a.id, name: 'main', source: 'v1', fileName: 'c.yaml' });
    const v2 = await store.directory.addCatalogVersion({ organizationId: a.id, name: 'main', source: 'v2', fileName: 'c.yaml' });
    expect(v2.version).toBe(2);
    expect((await store.directory.getLatestCatalog(a.id, 'main'))?.source).toBe('v2');
    expect(await store.directory.listCatalogs(a.id)).toHaveLength(1);
  });

  it('stores connections with optimistic locking, roles, access grants and filters', async () => {
    const org = await store.directory.createOrganization({ name: 'A' });
    const user = await store.directory.createUser({ organizationId: org.id, email: 'u@a.test', name: 'U', role: 'member' });
    const c1 = connection(org.id, 'one', { labels: { env: 'prod' } });
    const c2 = connection(org.id, 'two', { labels: { env: 'dev' }, status: 'connected' });
    await store.connections.insert(c1);
    await store.connections.insert(c2);
    await expect(store.connections.insert({ ...connection(org.id, 'one'), id: 'con_other' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await store.connections.get(org.id, c1.id)).toEqual(c1);
    expect((await store.connections.list({ organizationId: org.id, labels: { env: 'prod' } })).map((c) => c.name)).toEqual(['one']);
    expect((await store.connections.list({ organizationId: org.id, status: 'connected' })).map((c) => c.name)).toEqual(['two']);
    const updated = await store.connections.update({ ...c1, status: 'connected' });
    expect(updated.recordVersion).toBe(2);
    await expect(store.connections.update({ ...c1, status: 'broken' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await store.connections.putRole({ connectionId: c1.id, accountId: '123456789012', roleArn: 'arn:aws:iam::123456789012:role/R', status: 'connected', statusReason: 'ok', details: null, verifiedAt: null });
    await store.connections.putRole({ connectionId: c1.id, accountId: '123456789012', roleArn: 'arn:aws:iam::123456789012:role/R', status: 'broken', statusReason: 'gone', details: null, verifiedAt: null });
    expect((await store.connections.listRoles(c1.id)).map((r) => r.status)).toEqual(['broken']);
    await store.connections.putAccess({ connectionId: c1.id, userId: user.id, level: 'viewer' });
    await store.connections.putAccess({ connectionId: c1.id, userId: user.id, level: 'editor' });
    expect(await store.connections.accessOf(c1.id, user.id)).toBe('editor');
    expect(await store.connections.connectionIdsOf(user.id)).toEqual([c1.id]);
    expect(await store.connections.delete(org.id, c1.id)).toBe(true);
    expect(await store.connections.listRoles(c1.id)).toEqual([]);
    expect(await store.connections.accessOf(c1.id, user.id)).toBeUndefined();
  });

  it('claims a job run once per period', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(await store.claimJobRun({ name: 'reverify', intervalMs: 60_000, holder: 'a', now })).toBe(true);
    expect(await store.claimJobRun({ name: 'reverify', intervalMs: 60_000, holder: 'b', now })).toBe(false);
    expect(await store.claimJobRun({ name: 'reverify', intervalMs: 60_000, holder: 'b', now: new Date(now.getTime() + 61_000) })).toBe(true);
  });

  it('rolls a transaction back as a whole', async () => {
    const org = await store.directory.createOrganization({ name: 'A' });
    await expect(
      store.transaction(async (repos) => {
        await repos.directory.createSpace({ organizationId: org.id, name: 's1' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.directory.listSpaces(org.id)).toEqual([]);
  });
});

describe('embedded SQLite file', () => {
  it('creates the directory, runs in WAL mode with foreign keys on, and keeps data across opens', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { sql } = await import('kysely');
    const { openDatabase } = await import('../src/store/open-database.ts');
    const dir = mkdtempSync(join(tmpdir(), 'tg-sqlite-'));
    try {
      const url = join(dir, 'nested', 'trustgate.db');
      const first = await openDatabase({ url });
      expect((await sql<{ journal_mode: string }>`pragma journal_mode`.execute(first.db)).rows[0]?.journal_mode).toBe('wal');
      expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(first.db)).rows[0]?.foreign_keys).toBe(1);
      await first.db.insertInto('organizations').values({ id: 'org_1', name: 'kept', created_at: 'now' }).execute();
      await first.close();
      const second = await openStore({ url });
      expect((await second.directory.getOrganization('org_1'))?.name).toBe('kept');
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('store on PostgreSQL with two instances', () => {
  it('runs migrations once and lets only one instance claim a job run at a time', async () => {
    const schema = `tg_two_${Date.now().toString(36)}`;
    const [one, two] = await Promise.all([
      openStore({ url: TEST_POSTGRES_URL, schema, poolSize: 3 }),
      openStore({ url: TEST_POSTGRES_URL, schema, poolSize: 3 }),
    ]);
    try {
      const now = new Date();
      const claims = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? one : two).claimJobRun({ name: 'reverify', intervalMs: 60_000, holder: `i${i}`, now })),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      const org = await one.directory.createOrganization({ name: 'shared' });
      expect(await two.directory.getOrganization(org.id)).toEqual(org);
    } finally {
      await one.close();
      await two.close();
      await dropSchema(schema);
    }
  });

  it('keeps deployments in two schemas of one database apart: the second migrates its own tables while the first is open', async () => {
    const [a, b] = [`tg_a_${Date.now().toString(36)}`, `tg_b_${Date.now().toString(36)}`];
    const first = await openStore({ url: TEST_POSTGRES_URL, schema: a, poolSize: 2 });
    try {
      const second = await openStore({ url: TEST_POSTGRES_URL, schema: b, poolSize: 2 });
      try {
        await first.directory.createOrganization({ name: 'in a' });
        const inB = await second.directory.createOrganization({ name: 'in b' });
        expect(await first.directory.getOrganization(inB.id)).toBeUndefined();
        expect(await second.directory.getOrganization(inB.id)).toEqual(inB);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
      await dropSchema(a);
      await dropSchema(b);
    }
  });

  it('has every migration applied in order', () => {
    expect(Object.keys(MIGRATIONS)).toEqual([...Object.keys(MIGRATIONS)].sort());
  });
});
