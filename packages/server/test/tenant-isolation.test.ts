import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TrustgateError } from '@trustgate/core';
import { accessLevelOf, loadConnectionFor } from '../src/auth/connection-access.ts';
import { generateApiTokenSecret } from '../src/auth/api-token-secret.ts';
import { authenticate, type Principal } from '../src/auth/principal.ts';
import type { Store } from '../src/store/store.ts';
import type { Connection, UserRole } from '../src/model/records.ts';
import { DIALECTS, openTestStore } from './test-stores.ts';
import { connectionRecord } from './connection-record.ts';
import { CONNECTION_ROUTES, NO_SUCH_CONNECTION, RANK } from './connection-routes.ts';
import { startTestService, type TestService, NO_AWS } from './service-harness.ts';

/**
 * Tenant isolation is two checks that overlap: the store's organization filter (`connections.get(org, id)` finds
 * only that organization's rows) and the access check (`accessLevelOf` holds nothing on another organization's
 * connection). Either alone keeps every other test green, so each is tested here with the other one removed: the
 * store on its own, and the access check over a store whose `get` ignores the organization.
 */

/** The real store, except that `connections.get` returns a connection of any organization (the store's filter removed). */
function ignoringOrganization(store: Store): Store {
  const connections = Object.create(store.connections, {
    get: { value: (_organizationId: string, id: string) => store.connections.getAnyOrganization(id) },
  }) as Store['connections'];
  return Object.create(store, { connections: { value: connections } }) as Store;
}

/** A user of `organizationId` and the principal its own token authenticates as. */
async function principalOf(store: Store, organizationId: string, email: string, role: UserRole): Promise<Principal> {
  const user = await store.directory.createUser({ organizationId, email, name: email, role });
  const { secret, hash } = generateApiTokenSecret();
  await store.tokens.create({
    organizationId,
    userId: user.id,
    name: email,
    scopes: ['connections:write', 'audit:read'],
    tokenHash: hash,
    expiresAt: null,
  });
  return authenticate(store, `Bearer ${secret}`);
}

/** What `work` threw (it must throw). */
async function thrown(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => error,
  );
}

describe.each(DIALECTS)('tenant isolation on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let orgA: string;
  let orgB: string;
  let connA: Connection;
  let connB: Connection;

  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(dialect));
    orgA = (await store.directory.createOrganization({ name: 'A' })).id;
    orgB = (await store.directory.createOrganization({ name: 'B' })).id;
    connA = connectionRecord(orgA, 'a-prod', { catalogName: 'shared', labels: { env: 'prod' }, status: 'connected' });
    connB = connectionRecord(orgB, 'b-prod', { catalogName: 'shared', labels: { env: 'prod' }, status: 'connected' });
    await store.connections.insert(connA);
    await store.connections.insert(connB);
  });
  afterEach(async () => cleanup());

  describe("the store's organization filters on their own", () => {
    it("connections.get of another organization's connection is undefined; its own organization gets it", async () => {
      expect(await store.connections.get(orgB, connA.id)).toBeUndefined();
      expect(await store.connections.get(orgA, connB.id)).toBeUndefined();
      expect(await store.connections.get(orgA, connA.id)).toEqual(connA);
      expect(await store.connections.get(orgB, connB.id)).toEqual(connB);
    });

    it("list (with every filter), listByCatalog and delete see only the organization's own connections", async () => {
      const names = (list: Connection[]) => list.map((c) => c.name);
      expect(names(await store.connections.list({ organizationId: orgB }))).toEqual(['b-prod']);
      expect(
        names(await store.connections.list({ organizationId: orgB, status: 'connected', labels: { env: 'prod' } })),
      ).toEqual(['b-prod']);
      // Asking for the other organization's connection by ID finds nothing.
      expect(await store.connections.list({ organizationId: orgB, ids: [connA.id] })).toEqual([]);
      expect(names(await store.connections.list({ organizationId: orgB, ids: [connA.id, connB.id] }))).toEqual([
        'b-prod',
      ]);
      expect(names(await store.connections.listByCatalog(orgB, 'shared'))).toEqual(['b-prod']);
      // Deleting another organization's connection deletes nothing.
      expect(await store.connections.delete(orgB, connA.id)).toBe(false);
      expect(await store.connections.getAnyOrganization(connA.id)).toEqual(connA);
      expect(await store.connections.delete(orgA, connA.id)).toBe(true);
      expect(await store.connections.getAnyOrganization(connA.id)).toBeUndefined();
    });

    it('users, spaces, catalogs, tokens and audit events of another organization are not found, listed, changed or deleted', async () => {
      const alice = await store.directory.createUser({
        organizationId: orgA,
        email: 'alice@a.test',
        name: 'Alice',
        role: 'member',
      });
      const space = await store.directory.createSpace({ organizationId: orgA, name: 'prod' });
      await store.directory.addCatalogVersion({
        organizationId: orgA,
        name: 'shared',
        source: 'products: []',
        fileName: 'c.yaml',
      });
      const token = await store.tokens.create({
        organizationId: orgA,
        userId: alice.id,
        name: 'ci',
        scopes: ['connections:read'],
        tokenHash: generateApiTokenSecret().hash,
        expiresAt: null,
      });
      await store.audit.append({
        organizationId: orgA,
        actorUserId: alice.id,
        tokenId: token.id,
        action: 'connection.create',
        connectionId: connA.id,
        details: {},
      });

      expect(await store.directory.getUser(orgB, alice.id)).toBeUndefined();
      expect(await store.directory.listUsers(orgB)).toEqual([]);
      expect(await store.directory.deleteUser(orgB, alice.id)).toBe(false);
      expect(await store.directory.getSpace(orgB, space.id)).toBeUndefined();
      expect(await store.directory.listSpaces(orgB)).toEqual([]);
      expect(await store.directory.deleteSpace(orgB, space.id)).toBe(false);
      expect(await store.directory.getLatestCatalog(orgB, 'shared')).toBeUndefined();
      expect(await store.directory.listCatalogs(orgB)).toEqual([]);
      expect(await store.tokens.get(orgB, token.id)).toBeUndefined();
      expect(await store.tokens.list(orgB)).toEqual([]);
      await store.tokens.revoke(orgB, token.id);
      expect(await store.audit.list({ organizationId: orgB })).toEqual([]);
      expect(await store.audit.list({ organizationId: orgB, connectionId: connA.id })).toEqual([]);
      // All still there, unchanged, for their own organization.
      expect(await store.directory.getUser(orgA, alice.id)).toEqual(alice);
      expect(await store.directory.getSpace(orgA, space.id)).toEqual(space);
      expect((await store.tokens.get(orgA, token.id))?.revokedAt).toBeNull();
      expect(await store.audit.list({ organizationId: orgA, connectionId: connA.id })).toHaveLength(1);
    });
  });

  describe('the access check on its own, over a store whose connections.get ignores the organization', () => {
    let leaky: Store;
    let adminA: Principal;
    let viewerA: Principal;
    let adminB: Principal;
    let memberB: Principal;
    beforeEach(async () => {
      leaky = ignoringOrganization(store);
      adminA = await principalOf(store, orgA, 'admin@a.test', 'admin');
      viewerA = await principalOf(store, orgA, 'viewer@a.test', 'member');
      adminB = await principalOf(store, orgB, 'admin@b.test', 'admin');
      memberB = await principalOf(store, orgB, 'member@b.test', 'member');
      await store.connections.putAccess({ connectionId: connA.id, userId: viewerA.user.id, level: 'viewer' });
      // A grant row across organizations, as a broken grant route could write one: it must not count either.
      await store.connections.putAccess({ connectionId: connA.id, userId: memberB.user.id, level: 'owner' });
    });

    it("the leaky store does hand out the other organization's connection, so only the access check stands in the way", async () => {
      expect(await leaky.connections.get(orgB, connA.id)).toEqual(connA);
    });

    it("loadConnectionFor refuses another organization's connection at every level exactly as a missing one: NOT_FOUND", async () => {
      for (const principal of [adminB, memberB]) {
        for (const needed of RANK) {
          const foreign = await thrown(loadConnectionFor(leaky, principal, connA.id, needed));
          const missing = await thrown(loadConnectionFor(leaky, principal, 'con_missing', needed));
          expect(foreign, `${principal.user.email} ${needed}`).toBeInstanceOf(TrustgateError);
          expect(foreign).toMatchObject({ code: 'NOT_FOUND', message: 'No such connection.', field: 'connectionId' });
          expect(foreign).toEqual(missing);
        }
      }
    });

    it("accessLevelOf holds nothing on another organization's connection, for its admin and for a member with a grant row on it", async () => {
      expect(await accessLevelOf(leaky, adminB, connA)).toBeUndefined();
      expect(await accessLevelOf(leaky, memberB, connA)).toBeUndefined();
      expect(await store.connections.accessOf(connA.id, memberB.user.id)).toBe('owner');
    });

    it("the connection's own organization still gets its levels through the same port", async () => {
      expect(await accessLevelOf(leaky, adminA, connA)).toBe('owner');
      expect(await accessLevelOf(leaky, viewerA, connA)).toBe('viewer');
      expect(await loadConnectionFor(leaky, adminA, connA.id, 'owner')).toEqual({ connection: connA, level: 'owner' });
      expect(await loadConnectionFor(leaky, viewerA, connA.id, 'viewer')).toEqual({
        connection: connA,
        level: 'viewer',
      });
      expect(await thrown(loadConnectionFor(leaky, viewerA, connA.id, 'editor'))).toMatchObject({ code: 'FORBIDDEN' });
    });
  });
});

describe.each(DIALECTS)("over HTTP on %s, with the store's organization filter removed", (dialect) => {
  let t: TestService;
  let adminA: string;
  let adminB: string;
  let connectionId: string;
  let userA: string;
  beforeAll(async () => {
    t = await startTestService({ dialect, partitions: NO_AWS });
    const a = await t.newOrganization('OrgA');
    adminA = a.adminToken;
    userA = a.adminId;
    adminB = (await t.newOrganization('OrgB')).adminToken;
    const created = await t.api('POST', '/v1/connections', {
      token: adminA,
      body: { name: 'secret-connection', scope: { kind: 'account', accountId: '222222222222' } },
    });
    expect(created.status, created.text).toBe(201);
    connectionId = created.body.connection.id;
    t.service.deps.store = ignoringOrganization(t.service.store);
  });
  afterAll(async () => t?.close());

  it("another organization's admin gets the missing connection's 404 on every connection route, and nothing changes", async () => {
    const before = await t.api('GET', `/v1/connections/${connectionId}`, { token: adminA });
    expect(before.status).toBe(200);
    const grantsBefore = await t.service.store.connections.listAccess(connectionId);
    for (const route of CONNECTION_ROUTES) {
      const res = await t.api(route.method, route.path(connectionId, userA), {
        token: adminB,
        ...(route.body === undefined ? {} : { body: route.body }),
      });
      expect(res.status, `${route.method} ${route.path('ID', 'U')}: ${res.text.slice(0, 200)}`).toBe(404);
      expect(res.body).toEqual(NO_SUCH_CONNECTION);
    }
    expect((await t.api('GET', `/v1/connections/${connectionId}`, { token: adminA })).body).toEqual(before.body);
    expect(await t.service.store.connections.listAccess(connectionId)).toEqual(grantsBefore);
  });
});
