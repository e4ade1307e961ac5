import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Migrator, sql, type Migration } from 'kysely';
import { DIALECTS, openSharedTestDatabase, openTestStore } from './test-stores.ts';
import type { Store } from '../src/store/store.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';
import { openDatabase, type OpenDatabaseOptions } from '../src/store/open-database.ts';
import { StacksRepository } from '../src/store/stacks-repository.ts';
import { AttachmentsRepository } from '../src/store/attachments-repository.ts';
import { ConnectionsRepository } from '../src/store/connections-repository.ts';
import { TokensRepository } from '../src/store/tokens-repository.ts';
import type { Attachment, Stack } from '../src/model/broker-records.ts';
import { connectionRecord } from './connection-record.ts';

function stackRecord(organizationId: string, slug: string, extra: Partial<Stack> = {}): Stack {
  const now = new Date().toISOString();
  return {
    id: `stk_${organizationId}_${slug}`,
    organizationId,
    spaceId: null,
    slug,
    name: `Stack ${slug}`,
    labels: {},
    createdAt: now,
    updatedAt: now,
    ...extra,
  };
}

function attachmentRecord(
  organizationId: string,
  stackId: string,
  connectionId: string,
  extra: Partial<Attachment> = {},
): Attachment {
  const now = new Date().toISOString();
  return {
    id: `att_${stackId}_${connectionId}`,
    organizationId,
    stackId,
    connectionId,
    accountIds: null,
    phases: ['read', 'write'],
    durationSeconds: 3600,
    region: null,
    readOnlySessionPolicy: false,
    sessionMode: 'per-run',
    assumeOnWorker: false,
    customExternalId: null,
    verification: null,
    createdAt: now,
    updatedAt: now,
    ...extra,
  };
}

describe.each(DIALECTS)('broker store on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let orgA: string;
  let orgB: string;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(dialect));
    orgA = (await store.directory.createOrganization({ name: 'A' })).id;
    orgB = (await store.directory.createOrganization({ name: 'B' })).id;
  });
  afterEach(async () => cleanup());

  it('stores stacks: get by ID and slug, filters, update, delete; a slug is unique per organization', async () => {
    const space = await store.directory.createSpace({ organizationId: orgA, name: 'prod' });
    const web = stackRecord(orgA, 'web', { spaceId: space.id, labels: { env: 'prod', team: 'a' } });
    const jobs = stackRecord(orgA, 'jobs', { labels: { env: 'dev' } });
    await store.stacks.insert(web);
    await store.stacks.insert(jobs);
    expect(await store.stacks.get(orgA, web.id)).toEqual(web);
    expect(await store.stacks.getBySlug(orgA, 'jobs')).toEqual(jobs);
    expect(await store.stacks.getBySlug(orgA, 'nope')).toBeUndefined();
    expect((await store.stacks.list({ organizationId: orgA })).map((s) => s.slug)).toEqual(['jobs', 'web']);
    expect((await store.stacks.list({ organizationId: orgA, spaceId: space.id })).map((s) => s.slug)).toEqual(['web']);
    expect(
      (await store.stacks.list({ organizationId: orgA, labels: { env: 'prod', team: 'a' } })).map((s) => s.slug),
    ).toEqual(['web']);
    expect(await store.stacks.list({ organizationId: orgA, labels: { env: 'prod', team: 'b' } })).toEqual([]);

    const dup = store.stacks.insert(stackRecord(orgA, 'web', { id: 'stk_other' }));
    await expect(dup).rejects.toMatchObject({ code: 'CONFLICT', field: 'slug' });
    await expect(dup).rejects.toThrow(/"web"/);
    // The same slug in another organization is another stack.
    await store.stacks.insert(stackRecord(orgB, 'web'));

    const renamed = await store.stacks.update({ ...web, name: 'Web', labels: { env: 'stage' }, spaceId: null });
    expect(renamed).toMatchObject({ name: 'Web', labels: { env: 'stage' }, spaceId: null, createdAt: web.createdAt });
    expect(await store.stacks.get(orgA, web.id)).toEqual(renamed);
    await expect(store.stacks.update({ ...web, slug: 'jobs' })).rejects.toMatchObject({
      code: 'CONFLICT',
      field: 'slug',
    });
    await expect(store.stacks.update(stackRecord(orgA, 'ghost'))).rejects.toMatchObject({ code: 'NOT_FOUND' });

    expect(await store.stacks.delete(orgA, jobs.id)).toBe(true);
    expect(await store.stacks.delete(orgA, jobs.id)).toBe(false);
    expect(await store.stacks.get(orgA, jobs.id)).toBeUndefined();
  });

  it('a deleted space leaves its stacks without a space; a stack in a missing space is NOT_FOUND', async () => {
    const space = await store.directory.createSpace({ organizationId: orgA, name: 'prod' });
    const web = stackRecord(orgA, 'web', { spaceId: space.id });
    await store.stacks.insert(web);
    await store.directory.deleteSpace(orgA, space.id);
    expect((await store.stacks.get(orgA, web.id))?.spaceId).toBeNull();
    await expect(store.stacks.insert(stackRecord(orgA, 'lost', { spaceId: 'spc_missing' }))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('stores attachments: one per stack and connection, found by stack, by connection and by the pair', async () => {
    const web = stackRecord(orgA, 'web');
    const jobs = stackRecord(orgA, 'jobs');
    await store.stacks.insert(web);
    await store.stacks.insert(jobs);
    const one = connectionRecord(orgA, 'one');
    const two = connectionRecord(orgA, 'two');
    await store.connections.insert(one);
    await store.connections.insert(two);
    const a1 = attachmentRecord(orgA, web.id, one.id, {
      accountIds: ['123456789012'],
      phases: ['read'],
      durationSeconds: 900,
      region: 'eu-west-1',
      readOnlySessionPolicy: true,
      sessionMode: 'shared',
      verification: {
        at: '2026-12-01T00:00:00.000Z',
        checks: [{ accountId: '123456789012', phase: 'read', ok: true, reason: 'assumed; refused without the ID' }],
      },
    });
    const a2 = attachmentRecord(orgA, web.id, two.id, { assumeOnWorker: true, customExternalId: 'tenant-chosen' });
    const a3 = attachmentRecord(orgA, jobs.id, one.id, { createdAt: new Date(Date.now() + 1000).toISOString() });
    for (const a of [a1, a2, a3]) await store.attachments.insert(a);

    expect(await store.attachments.get(orgA, a1.id)).toEqual(a1);
    expect(await store.attachments.get(orgA, a2.id)).toEqual(a2);
    expect(await store.attachments.find(orgA, web.id, two.id)).toEqual(a2);
    expect(await store.attachments.find(orgA, jobs.id, two.id)).toBeUndefined();
    expect((await store.attachments.listByStack(orgA, web.id)).map((a) => a.id).sort()).toEqual([a1.id, a2.id].sort());
    expect((await store.attachments.listByConnection(orgA, one.id)).map((a) => a.id)).toEqual([a1.id, a3.id]);

    const dup = store.attachments.insert({ ...a1, id: 'att_again' });
    await expect(dup).rejects.toMatchObject({ code: 'CONFLICT', field: 'connectionId' });
    await expect(dup).rejects.toThrow(new RegExp(`${one.id}.*${web.id}`));

    const changed = await store.attachments.update({
      ...a1,
      phases: ['read', 'write'],
      accountIds: null,
      readOnlySessionPolicy: false,
      verification: null,
      // Not changeable by an update: the binding and the creation time.
      stackId: jobs.id,
      connectionId: two.id,
      createdAt: '2000-01-01T00:00:00.000Z',
    });
    expect(changed).toEqual({
      ...a1,
      phases: ['read', 'write'],
      accountIds: null,
      readOnlySessionPolicy: false,
      verification: null,
      updatedAt: changed.updatedAt,
    });
    expect(changed.updatedAt >= a1.updatedAt).toBe(true);
    await expect(store.attachments.update(attachmentRecord(orgA, web.id, 'con_x'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    expect(await store.attachments.delete(orgA, a2.id)).toBe(true);
    expect(await store.attachments.delete(orgA, a2.id)).toBe(false);
    expect(await store.attachments.get(orgA, a2.id)).toBeUndefined();
  });

  it('deleting a stack deletes its attachments; deleting a connection deletes its attachments', async () => {
    const web = stackRecord(orgA, 'web');
    const jobs = stackRecord(orgA, 'jobs');
    await store.stacks.insert(web);
    await store.stacks.insert(jobs);
    const one = connectionRecord(orgA, 'one');
    const two = connectionRecord(orgA, 'two');
    await store.connections.insert(one);
    await store.connections.insert(two);
    for (const [s, c] of [
      [web, one],
      [web, two],
      [jobs, one],
      [jobs, two],
    ] as const)
      await store.attachments.insert(attachmentRecord(orgA, s.id, c.id));

    await store.stacks.delete(orgA, web.id);
    expect(await store.attachments.listByStack(orgA, web.id)).toEqual([]);
    expect((await store.attachments.listByConnection(orgA, one.id)).map((a) => a.stackId)).toEqual([jobs.id]);

    await store.connections.delete(orgA, two.id);
    expect((await store.attachments.listByStack(orgA, jobs.id)).map((a) => a.connectionId)).toEqual([one.id]);
    expect(await store.attachments.get(orgA, attachmentRecord(orgA, jobs.id, two.id).id)).toBeUndefined();
  });

  it("tenant isolation: organization B's calls never see or change A's stacks and attachments", async () => {
    const web = stackRecord(orgA, 'web', { labels: { env: 'prod' } });
    await store.stacks.insert(web);
    const one = connectionRecord(orgA, 'one');
    await store.connections.insert(one);
    const att = attachmentRecord(orgA, web.id, one.id);
    await store.attachments.insert(att);

    expect(await store.stacks.get(orgB, web.id)).toBeUndefined();
    expect(await store.stacks.getBySlug(orgB, 'web')).toBeUndefined();
    expect(await store.stacks.list({ organizationId: orgB })).toEqual([]);
    expect(await store.stacks.list({ organizationId: orgB, labels: { env: 'prod' } })).toEqual([]);
    await expect(store.stacks.update({ ...web, organizationId: orgB, name: 'taken' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await store.stacks.delete(orgB, web.id)).toBe(false);

    expect(await store.attachments.get(orgB, att.id)).toBeUndefined();
    expect(await store.attachments.find(orgB, web.id, one.id)).toBeUndefined();
    expect(await store.attachments.listByStack(orgB, web.id)).toEqual([]);
    expect(await store.attachments.listByConnection(orgB, one.id)).toEqual([]);
    await expect(
      store.attachments.update({ ...att, organizationId: orgB, phases: ['read'], customExternalId: 'hijack' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.attachments.delete(orgB, att.id)).toBe(false);
    // A's records are untouched by B's attempts.
    expect(await store.stacks.get(orgA, web.id)).toEqual(web);
    expect(await store.attachments.get(orgA, att.id)).toEqual(att);

    // B cannot bind its stack to A's connection, nor A's stack to its connection (the foreign keys carry the
    // organization), whatever organization the attachment claims.
    const bStack = stackRecord(orgB, 'b-stack');
    await store.stacks.insert(bStack);
    const bConn = connectionRecord(orgB, 'b-conn');
    await store.connections.insert(bConn);
    for (const attack of [
      attachmentRecord(orgB, bStack.id, one.id),
      attachmentRecord(orgB, web.id, bConn.id),
      attachmentRecord(orgA, bStack.id, one.id),
      attachmentRecord(orgA, web.id, bConn.id),
    ])
      await expect(store.attachments.insert(attack)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.attachments.listByConnection(orgA, one.id)).toEqual([att]);
    expect(await store.attachments.listByStack(orgB, bStack.id)).toEqual([]);
  });

  it('stores the broker fields of connections and tokens', async () => {
    const c = connectionRecord(orgA, 'scoped', {
      externalIdTrust: { kind: 'scoped', stacks: ['web', 'jobs'], phases: ['read'] },
      sessionTagging: true,
      sessionsRevokedBefore: '2026-12-01T10:00:00.000Z',
    });
    await store.connections.insert(c);
    expect(await store.connections.get(orgA, c.id)).toEqual(c);
    const updated = await store.connections.update({
      ...c,
      externalIdTrust: { kind: 'exact' },
      sessionTagging: false,
      sessionsRevokedBefore: null,
    });
    expect(await store.connections.get(orgA, c.id)).toEqual(updated);
    expect(updated).toMatchObject({ externalIdTrust: { kind: 'exact' }, sessionTagging: false });

    const user = await store.directory.createUser({
      organizationId: orgA,
      email: 'u@a.test',
      name: 'U',
      role: 'member',
    });
    const base = { organizationId: orgA, userId: user.id, name: 't', expiresAt: null };
    const restricted = await store.tokens.create({
      ...base,
      scopes: ['credentials:issue'],
      tokenHash: 'hash-restricted',
      issueRestriction: { spaceIds: ['spc_1'], stackIds: ['stk_1', 'stk_2'] },
    });
    expect(await store.tokens.findByHash('hash-restricted')).toEqual(restricted);
    expect(restricted.issueRestriction).toEqual({ spaceIds: ['spc_1'], stackIds: ['stk_1', 'stk_2'] });
    const open = await store.tokens.create({ ...base, scopes: ['connections:read'], tokenHash: 'hash-open' });
    expect((await store.tokens.get(orgA, open.id))?.issueRestriction).toBeNull();
  });

  it('repositories bound to a transaction see its writes and lose them on rollback', async () => {
    const web = stackRecord(orgA, 'web');
    const one = connectionRecord(orgA, 'one');
    await store.connections.insert(one);
    await expect(
      store.transaction(async (repos) => {
        await repos.stacks.insert(web);
        await repos.attachments.insert(attachmentRecord(orgA, web.id, one.id));
        expect(await repos.attachments.listByStack(orgA, web.id)).toHaveLength(1);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await store.stacks.get(orgA, web.id)).toBeUndefined();
    expect(await store.attachments.listByConnection(orgA, one.id)).toEqual([]);
  });
});

describe.each(DIALECTS)('migration 0005-broker on %s', (dialect) => {
  it('upgrades a database holding pre-broker rows: old connections and tokens read with the defaults', async () => {
    const names = Object.keys(MIGRATIONS);
    const before = names.slice(0, names.indexOf('0005-broker'));
    expect(before.length).toBeGreaterThan(0);
    const older = Object.fromEntries(before.map((n) => [n, MIGRATIONS[n]])) as Record<string, Migration>;
    const db = openSharedTestDatabase(dialect, 'tg-broker-migration-');
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
        // Rows as a trustgate before the broker wrote them (its columns only).
        await sql`insert into organizations (id, name, created_at) values ('org_old', 'Old', '2026-01-01T00:00:00.000Z')`.execute(
          first.db,
        );
        await sql`insert into users (id, organization_id, email, name, role, created_at) values ('usr_old', 'org_old', 'o@old.test', 'O', 'admin', '2026-01-01T00:00:00.000Z')`.execute(
          first.db,
        );
        await sql`insert into api_tokens (id, organization_id, user_id, name, token_hash, scopes, created_at) values ('tok_old', 'org_old', 'usr_old', 'old', 'hash-old', '["admin"]', '2026-01-01T00:00:00.000Z')`.execute(
          first.db,
        );
        await sql`insert into connections (id, organization_id, name, partition, mode, scope, role_name, labels, selection, managed_policies, extra_actions, external_id, status, status_reason, issued_policy, created_at, updated_at) values ('con_old', 'org_old', 'old', 'aws', 'manual', '{"kind":"account","accountId":"123456789012"}', 'TrustgateRole', '{}', '{"mode":"default"}', '[]', '[]', 'ext-old', 'connected', 'ok', '{"documents":[],"managedPolicyArns":[],"requiredActions":[]}', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`.execute(
          first.db,
        );
      } finally {
        await first.close();
      }
      const upgraded = await openDatabase(options);
      try {
        const connections = new ConnectionsRepository(upgraded.db);
        const old = await connections.get('org_old', 'con_old');
        expect(old).toMatchObject({
          externalId: 'ext-old',
          externalIdTrust: { kind: 'exact' },
          sessionTagging: false,
          sessionsRevokedBefore: null,
          recordVersion: 1,
        });
        expect((await new TokensRepository(upgraded.db).findByHash('hash-old'))?.issueRestriction).toBeNull();
        // The old connection can be attached to a new stack, and deleting it removes the attachment.
        const stacks = new StacksRepository(upgraded.db);
        const attachments = new AttachmentsRepository(upgraded.db);
        await stacks.insert(stackRecord('org_old', 'web'));
        await attachments.insert(attachmentRecord('org_old', 'stk_org_old_web', 'con_old'));
        expect(await attachments.listByConnection('org_old', 'con_old')).toHaveLength(1);
        await connections.delete('org_old', 'con_old');
        expect(await attachments.listByStack('org_old', 'stk_org_old_web')).toEqual([]);
        // Deleting the organization deletes its stacks (and so their attachments).
        await stacks.insert(stackRecord('org_old', 'jobs'));
        await sql`delete from organizations where id = 'org_old'`.execute(upgraded.db);
        expect(await stacks.list({ organizationId: 'org_old' })).toEqual([]);
        const left = await sql<{ n: number | string }>`select count(*) as n from stacks`.execute(upgraded.db);
        expect(Number(left.rows[0]?.n)).toBe(0);
      } finally {
        await upgraded.close();
      }
    } finally {
      await db.remove();
    }
  });
});
