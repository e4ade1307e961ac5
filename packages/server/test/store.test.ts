import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Migrator, sql, type Kysely, type Migration } from 'kysely';
import { DIALECTS, openSharedTestDatabase, openTestStore, TEST_POSTGRES_URL, dropSchema } from './test-stores.ts';
import type { Store } from '../src/store/store.ts';
import { openStore } from '../src/store/store.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';
import { openDatabase, type OpenDatabaseOptions } from '../src/store/open-database.ts';
import type { Database } from '../src/store/schema.ts';
import { connectionRecord as connection } from './connection-record.ts';

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
    const alice = await store.directory.createUser({
      organizationId: a.id,
      email: 'alice@a.test',
      name: 'Alice',
      role: 'admin',
    });
    expect(await store.directory.getUser(a.id, alice.id)).toEqual(alice);
    expect(await store.directory.getUser(b.id, alice.id)).toBeUndefined();
    await expect(
      store.directory.createUser({ organizationId: a.id, email: 'alice@a.test', name: 'Again', role: 'member' }),
    ).rejects.toMatchObject({ code: 'CONFLICT', field: 'email' });
    // the same e-mail in another organization is a different user
    await store.directory.createUser({ organizationId: b.id, email: 'alice@a.test', name: 'Other', role: 'member' });
    const space = await store.directory.createSpace({ organizationId: a.id, name: 'prod' });
    expect(await store.directory.getSpace(b.id, space.id)).toBeUndefined();
    expect((await store.directory.listSpaces(a.id)).map((s) => s.name)).toEqual(['prod']);
  });

  it('enforces foreign keys', async () => {
    await expect(
      store.directory.createUser({ organizationId: 'org_missing', email: 'x@y.z', name: 'X', role: 'member' }),
    ).rejects.toThrow();
  });

  it('versions catalogs', async () => {
    const a = await store.directory.createOrganization({ name: 'A' });
    await store.directory.addCatalogVersion({ organizationId: a.id, name: 'main', source: 'v1', fileName: 'c.yaml' });
    const v2 = await store.directory.addCatalogVersion({
      organizationId: a.id,
      name: 'main',
      source: 'v2',
      fileName: 'c.yaml',
    });
    expect(v2.version).toBe(2);
    expect((await store.directory.getLatestCatalog(a.id, 'main'))?.source).toBe('v2');
    expect(await store.directory.listCatalogs(a.id)).toHaveLength(1);
  });

  it('stores connections with optimistic locking, roles, access grants and filters', async () => {
    const org = await store.directory.createOrganization({ name: 'A' });
    const user = await store.directory.createUser({
      organizationId: org.id,
      email: 'u@a.test',
      name: 'U',
      role: 'member',
    });
    const c1 = connection(org.id, 'one', { labels: { env: 'prod' } });
    const c2 = connection(org.id, 'two', { labels: { env: 'dev' }, status: 'connected' });
    await store.connections.insert(c1);
    await store.connections.insert(c2);
    await expect(store.connections.insert({ ...connection(org.id, 'one'), id: 'con_other' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await store.connections.get(org.id, c1.id)).toEqual(c1);
    expect(
      (await store.connections.list({ organizationId: org.id, labels: { env: 'prod' } })).map((c) => c.name),
    ).toEqual(['one']);
    expect((await store.connections.list({ organizationId: org.id, status: 'connected' })).map((c) => c.name)).toEqual([
      'two',
    ]);
    const updated = await store.connections.update({ ...c1, status: 'connected' });
    expect(updated.recordVersion).toBe(2);
    await expect(store.connections.update({ ...c1, status: 'broken' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await store.connections.putRole({
      connectionId: c1.id,
      accountId: '123456789012',
      roleArn: 'arn:aws:iam::123456789012:role/R',
      status: 'connected',
      statusReason: 'ok',
      details: null,
      verifiedAt: null,
    });
    await store.connections.putRole({
      connectionId: c1.id,
      accountId: '123456789012',
      roleArn: 'arn:aws:iam::123456789012:role/R',
      status: 'broken',
      statusReason: 'gone',
      details: null,
      verifiedAt: null,
    });
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
    expect(
      await store.claimJobRun({
        name: 'reverify',
        intervalMs: 60_000,
        holder: 'b',
        now: new Date(now.getTime() + 61_000),
      }),
    ).toBe(true);
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
      expect((await sql<{ journal_mode: string }>`pragma journal_mode`.execute(first.db)).rows[0]?.journal_mode).toBe(
        'wal',
      );
      expect((await sql<{ foreign_keys: number }>`pragma foreign_keys`.execute(first.db)).rows[0]?.foreign_keys).toBe(
        1,
      );
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
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 === 0 ? one : two).claimJobRun({ name: 'reverify', intervalMs: 60_000, holder: `i${i}`, now }),
        ),
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
});

/** Kysely's record of one applied migration (its `kysely_migration` table). */
interface AppliedMigration {
  name: string;
  timestamp: string;
}

/** What Kysely recorded as applied, in the order it applied them: from `kysely_migration` in `schema` (PostgreSQL) or the file. */
async function appliedMigrations(db: Kysely<Database>, schema: string | undefined): Promise<AppliedMigration[]> {
  const table = sql.table(schema === undefined ? 'kysely_migration' : `${schema}.kysely_migration`);
  return (await sql<AppliedMigration>`select name, timestamp from ${table} order by timestamp, name`.execute(db)).rows;
}

/** The tables of the deployment (its schema on PostgreSQL) with their columns, by name; Kysely's own tables left out. */
async function tablesOf(
  db: Kysely<Database>,
  schema: string | undefined,
): Promise<Record<string, Record<string, { nullable: boolean; hasDefault: boolean }>>> {
  const tables = (await db.introspection.getTables()).filter((t) => schema === undefined || t.schema === schema);
  return Object.fromEntries(
    tables.map((t) => [
      t.name,
      Object.fromEntries(t.columns.map((c) => [c.name, { nullable: c.isNullable, hasDefault: c.hasDefaultValue }])),
    ]),
  );
}

/** Every table the migrations create. */
const TABLES = [
  'api_tokens',
  'attachments',
  'audit_events',
  'callback_requests',
  'catalogs',
  'connection_access',
  'connection_roles',
  'connections',
  'job_runs',
  'organizations',
  'settings',
  'signing_keys',
  'spaces',
  'stacks',
  'users',
];

/** The columns of signing_keys (0007). */
const SIGNING_KEY_COLUMNS = [
  'activates_at',
  'algorithm',
  'created_at',
  'generation',
  'kid',
  'public_jwk',
  'sealed_private_key',
];

/** The columns of callback_requests after the last migration: 0003's, then 0004's four. */
const CALLBACK_REQUEST_COLUMNS = {
  stack_id: { nullable: false, hasDefault: false },
  request_id: { nullable: false, hasDefault: false },
  logical_resource_id: { nullable: false, hasDefault: false },
  request_type: { nullable: false, hasDefault: false },
  state: { nullable: false, hasDefault: false },
  holder: { nullable: false, hasDefault: false },
  claimed_at: { nullable: false, hasDefault: false },
  status: { nullable: true, hasDefault: false },
  reason: { nullable: true, hasDefault: false },
  connection_id: { nullable: true, hasDefault: false },
  answered_at: { nullable: true, hasDefault: false },
  request_digest: { nullable: false, hasDefault: true },
  delivered_at: { nullable: true, hasDefault: false },
  response_url: { nullable: true, hasDefault: false },
  response_body: { nullable: true, hasDefault: false },
};

describe.each(DIALECTS)('migrations on %s', (dialect) => {
  const names = Object.keys(MIGRATIONS);

  it('the migration list is in the order Kysely runs it (by name)', () => {
    expect(names).toEqual([...names].sort());
    expect(names.length).toBeGreaterThan(1);
  });

  it('a new database has every migration of the list applied, in order, and the schema the last one leaves', async () => {
    const db = openSharedTestDatabase(dialect, 'tg-migrations-');
    const options: OpenDatabaseOptions = {
      url: db.config.databaseUrl,
      ...(db.schema === undefined ? {} : { schema: db.schema, poolSize: 2 }),
    };
    try {
      const opened = await openDatabase(options);
      let applied: AppliedMigration[];
      try {
        applied = await appliedMigrations(opened.db, db.schema);
        expect(applied.map((m) => m.name)).toEqual(names);
        for (const m of applied) expect(new Date(m.timestamp).toISOString()).toBe(m.timestamp);
        const tables = await tablesOf(opened.db, db.schema);
        expect(Object.keys(tables).sort()).toEqual(TABLES);
        expect(tables.callback_requests).toEqual(CALLBACK_REQUEST_COLUMNS);
        expect(Object.keys(tables.signing_keys ?? {}).sort()).toEqual(SIGNING_KEY_COLUMNS);
      } finally {
        await opened.close();
      }
      // Opening again applies nothing more and records nothing twice.
      const again = await openDatabase(options);
      try {
        expect(await appliedMigrations(again.db, db.schema)).toEqual(applied);
      } finally {
        await again.close();
      }
    } finally {
      await db.remove();
    }
  });

  it('a deployment migrated up to before 0004-callback-request-digest is upgraded by the later ones alone, after the others, keeping its rows', async () => {
    const db = openSharedTestDatabase(dialect, 'tg-migrations-');
    const options: OpenDatabaseOptions = {
      url: db.config.databaseUrl,
      ...(db.schema === undefined ? {} : { schema: db.schema, poolSize: 2 }),
    };
    const upTo = names.indexOf('0004-callback-request-digest');
    expect(upTo).toBeGreaterThan(0);
    const older = Object.fromEntries(Object.entries(MIGRATIONS).slice(0, upTo)) as Record<string, Migration>;
    try {
      const first = await openDatabase({ ...options, migrate: false });
      try {
        const migrator = new Migrator({
          db: first.db,
          provider: { getMigrations: async () => older },
          ...(db.schema === undefined ? {} : { migrationTableSchema: db.schema }),
        });
        const { error } = await migrator.migrateToLatest();
        expect(error).toBeUndefined();
        expect((await appliedMigrations(first.db, db.schema)).map((m) => m.name)).toEqual(names.slice(0, upTo));
        expect(Object.keys((await tablesOf(first.db, db.schema)).callback_requests ?? {})).not.toContain(
          'request_digest',
        );
        await sql`insert into callback_requests (stack_id, request_id, logical_resource_id, request_type, state, holder, claimed_at) values ('stack', 'request', 'Connect', 'Create', 'decided', 'old', '2026-01-01T00:00:00.000Z')`.execute(
          first.db,
        );
      } finally {
        await first.close();
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      const upgraded = await openDatabase(options);
      try {
        const applied = await appliedMigrations(upgraded.db, db.schema);
        expect(applied.map((m) => m.name)).toEqual(names);
        // The later ones were applied after all the earlier ones.
        for (const later of applied.slice(upTo))
          for (const m of applied.slice(0, upTo))
            expect(
              m.timestamp < later.timestamp,
              `${m.name} ${m.timestamp} before ${later.name} ${later.timestamp}`,
            ).toBe(true);
        expect((await tablesOf(upgraded.db, db.schema)).callback_requests).toEqual(CALLBACK_REQUEST_COLUMNS);
        const kept = await upgraded.db.selectFrom('callback_requests').selectAll().execute();
        expect(kept).toEqual([
          {
            stack_id: 'stack',
            request_id: 'request',
            logical_resource_id: 'Connect',
            request_type: 'Create',
            state: 'decided',
            holder: 'old',
            claimed_at: '2026-01-01T00:00:00.000Z',
            status: null,
            reason: null,
            connection_id: null,
            answered_at: null,
            request_digest: '',
            delivered_at: null,
            response_url: null,
            response_body: null,
          },
        ]);
      } finally {
        await upgraded.close();
      }
    } finally {
      await db.remove();
    }
  });
});
