import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Migrator, sql, type Migration } from 'kysely';
import { DIALECTS, openSharedTestDatabase, openTestStore } from './test-stores.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';
import { openDatabase, type OpenDatabaseOptions } from '../src/store/open-database.ts';
import { AuditRepository } from '../src/store/audit-repository.ts';
import type { Store } from '../src/store/store.ts';
import { NO_AWS, startTestService, type TestService } from './service-harness.ts';

const event = (organizationId: string, action: string) => ({
  organizationId,
  actorUserId: null,
  tokenId: null,
  action,
  connectionId: null,
  details: {},
});

/**
 * The audit log's cursor (issue 17, `GET /v1/audit?after=<seq>`) on SQLite and PostgreSQL: seq is commit order, so a
 * reader continuing after the last seq it saw gets every event once, even when two writers' transactions interleave.
 */
describe.each(DIALECTS)('the audit cursor on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let org: string;

  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(dialect));
    org = (await store.directory.createOrganization({ name: 'A' })).id;
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('a transaction still open when a later writer starts: the follower sees both once, in commit order', async () => {
    await store.audit.append(event(org, 'before'));
    const seen = await store.audit.list({ organizationId: org, afterSeq: 0 });
    expect(seen.map((e) => e.action)).toEqual(['before']);
    let cursor = seen[0]!.seq;

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedOnce = new Promise<void>((resolve) => (inserted = resolve));
    const slow = store.transaction(async (repos) => {
      await repos.audit.append(event(org, 'slow'));
      inserted();
      await held;
    });
    await insertedOnce;
    let fastDone = false;
    const fast = store.audit.append(event(org, 'fast')).then(() => (fastDone = true));
    // A follower reading meanwhile (on SQLite it waits for the one connection; on PostgreSQL it answers at once).
    const during = store.audit.list({ organizationId: org, afterSeq: cursor });
    await new Promise((resolve) => setTimeout(resolve, 150));
    // The later writer waits for the open transaction: its seq comes after, and it commits after.
    expect(fastDone).toBe(false);
    release();
    await Promise.all([slow, fast]);
    const first = await during;
    if (dialect === 'postgres') expect(first).toEqual([]);
    cursor = first.at(-1)?.seq ?? cursor;
    const next = await store.audit.list({ organizationId: org, afterSeq: cursor });
    const both = [...first, ...next];
    expect(both.map((e) => e.action)).toEqual(['slow', 'fast']);
    expect(both[1]!.seq).toBeGreaterThan(both[0]!.seq);
    cursor = both[1]!.seq;
    expect(await store.audit.list({ organizationId: org, afterSeq: cursor })).toEqual([]);
  });

  it('pages of a batch: every event once, oldest first; the newest-first listing carries the same seqs', async () => {
    const start = Math.max(...(await store.audit.list({ organizationId: org, limit: 1000 })).map((e) => e.seq));
    await store.audit.appendMany(Array.from({ length: 7 }, (_, i) => event(org, `batch-${i}`)));
    const read: string[] = [];
    let cursor = start;
    for (;;) {
      const page = await store.audit.list({ organizationId: org, afterSeq: cursor, limit: 3 });
      if (page.length === 0) break;
      read.push(...page.map((e) => e.action));
      cursor = page.at(-1)!.seq;
    }
    expect(read).toEqual(Array.from({ length: 7 }, (_, i) => `batch-${i}`));
    const newest = await store.audit.list({ organizationId: org, limit: 7 });
    expect(new Set(newest.map((e) => e.seq)).size).toBe(7);
    expect(Math.max(...newest.map((e) => e.seq))).toBe(cursor);
  });
});

describe.each(DIALECTS)('migration 0010-audit-seq on %s', (dialect) => {
  it('numbers the events a database held by time; later ones follow them, an imported seq is kept', async () => {
    const names = Object.keys(MIGRATIONS);
    const older = Object.fromEntries(
      names.slice(0, names.indexOf('0010-audit-seq')).map((n) => [n, MIGRATIONS[n]]),
    ) as Record<string, Migration>;
    const db = openSharedTestDatabase(dialect, 'tg-audit-seq-');
    const options: OpenDatabaseOptions = {
      url: db.config.databaseUrl,
      ...(db.schema === undefined ? {} : { schema: db.schema, poolSize: 2 }),
    };
    try {
      const first = await openDatabase({ ...options, migrate: false });
      try {
        const migrator = new Migrator({
          db: first.db,
          provider: { getMigrations: async () => older },
          ...(db.schema === undefined ? {} : { migrationTableSchema: db.schema }),
        });
        expect((await migrator.migrateToLatest()).error).toBeUndefined();
        await sql`insert into organizations (id, name, created_at) values ('org_old', 'Old', '2026-01-01T00:00:00.000Z')`.execute(
          first.db,
        );
        for (const [id, at] of [
          ['aud_c', '2026-01-03T00:00:00.000Z'],
          ['aud_a', '2026-01-01T00:00:00.000Z'],
          ['aud_b', '2026-01-02T00:00:00.000Z'],
        ])
          await sql`insert into audit_events (id, organization_id, at, action, details) values (${id}, 'org_old', ${at}, ${id}, '{}')`.execute(
            first.db,
          );
      } finally {
        await first.close();
      }
      const upgraded = await openDatabase(options);
      try {
        const audit = new AuditRepository(upgraded.db);
        await audit.append(event('org_old', 'new'));
        const all = await audit.list({ organizationId: 'org_old', afterSeq: 0 });
        expect(all.map((e) => [e.action, e.seq])).toEqual([
          ['aud_a', 1],
          ['aud_b', 2],
          ['aud_c', 3],
          ['new', 4],
        ]);
        // An import names its seq: kept, and the next event comes after it.
        await sql`insert into audit_events (id, organization_id, at, action, details, seq) values ('aud_i', 'org_old', '2026-01-04T00:00:00.000Z', 'imported', '{}', 10)`.execute(
          upgraded.db,
        );
        await audit.append(event('org_old', 'after-import'));
        const tail = await audit.list({ organizationId: 'org_old', afterSeq: 4 });
        expect(tail.map((e) => [e.action, e.seq])).toEqual([
          ['imported', 10],
          ['after-import', 11],
        ]);
      } finally {
        await upgraded.close();
      }
    } finally {
      await db.remove();
    }
  });
});

describe('GET /v1/audit?after=', () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ dialect: 'sqlite', partitions: NO_AWS });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers the events after a seq oldest first, each with its seq; a bad cursor is 400 naming after', async () => {
    const { adminToken } = await t.newOrganization('Acme');
    const all = await t.api('GET', '/v1/audit', { token: adminToken });
    expect(all.status, all.text).toBe(200);
    const last = Math.max(...all.body.map((e: { seq: number }) => e.seq));
    for (const name of ['one', 'two', 'three'])
      expect((await t.api('POST', '/v1/spaces', { token: adminToken, body: { name } })).status).toBe(201);
    const after = await t.api('GET', `/v1/audit?after=${last}&limit=2`, { token: adminToken });
    expect(after.status, after.text).toBe(200);
    expect(after.body.map((e: { details: { name: string } }) => e.details.name)).toEqual(['one', 'two']);
    const rest = await t.api('GET', `/v1/audit?after=${after.body[1].seq}`, { token: adminToken });
    expect(rest.body.map((e: { details: { name: string } }) => e.details.name)).toEqual(['three']);
    for (const bad of ['-1', 'x', '1.5']) {
      const res = await t.api('GET', `/v1/audit?after=${bad}`, { token: adminToken });
      expect(res.status, bad).toBe(400);
      expect(res.body.error.field, bad).toBe('after');
    }
  });
});
