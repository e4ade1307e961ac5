import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './test-stores.ts';
import { startTestService, type ApiResponse, type TestService, NO_AWS } from './service-harness.ts';
import {
  CONNECTION_ROUTES,
  forbidden,
  NO_SUCH_CONNECTION,
  RANK,
  type ConnectionRoute,
  type Level,
} from './connection-routes.ts';

const CUSTOMER = '222222222222';
const MISSING = 'con_doesnotexist0000';

describe.each(DIALECTS)('access control on %s', (dialect) => {
  let t: TestService;
  let adminA: string;
  let adminAId: string;
  let adminB: string;
  let connectionId: string;
  let orgAUsers: { id: string; email: string }[];
  const members: Record<Level | 'none', { id: string; token: string }> = {} as never;

  beforeAll(async () => {
    t = await startTestService({ dialect, partitions: NO_AWS });
    ({ adminToken: adminA, adminId: adminAId } = await t.newOrganization('OrgA'));
    adminB = (await t.newOrganization('OrgB')).adminToken;
    const created = await t.api('POST', '/v1/connections', {
      token: adminA,
      body: { name: 'secret-connection', scope: { kind: 'account', accountId: CUSTOMER } },
    });
    connectionId = created.body.connection.id;
    for (const level of ['none', ...RANK] as const) {
      const user = await t.api('POST', '/v1/users', { token: adminA, body: { email: `${level}@a.test`, name: level } });
      const tok = await t.api('POST', '/v1/tokens', {
        token: adminA,
        body: { name: level, userId: user.body.id, scopes: ['connections:write', 'audit:read'] },
      });
      members[level] = { id: user.body.id, token: tok.body.secret };
      if (level !== 'none')
        await t.api('PUT', `/v1/connections/${connectionId}/access/${user.body.id}`, {
          token: adminA,
          body: { level },
        });
    }
    orgAUsers = (await t.api('GET', '/v1/users', { token: adminA })).body;
  });
  afterAll(async () => t?.close());

  /** The connection as organization A's admin (its creator, an owner) reads it. */
  const snapshot = async () => (await t.api('GET', `/v1/connections/${connectionId}`, { token: adminA })).body;
  const grants = async () => t.service.store.connections.listAccess(connectionId);
  const target = () => members.viewer.id;
  const call = (route: ConnectionRoute, token: string, id = connectionId, user = target()) =>
    t.api(route.method, route.path(id, user), { token, ...(route.body === undefined ? {} : { body: route.body }) });
  const where = (route: ConnectionRoute, who: string) => `${who} ${route.method} ${route.path('ID', 'U')}`;

  it("another organization's token gets exactly the answer a missing connection gets, for every route", async () => {
    const before = await snapshot();
    for (const route of CONNECTION_ROUTES) {
      const real = await call(route, adminB);
      const missing = await call(route, adminB, MISSING);
      expect(real.status, where(route, 'org B admin')).toBe(404);
      expect(real.body, where(route, 'org B admin')).toEqual(NO_SUCH_CONNECTION);
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual(NO_SUCH_CONNECTION);
      expect(real.text).not.toContain('secret-connection');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a member without access gets the same 404 as for a missing connection; lists hide it', async () => {
    for (const route of CONNECTION_ROUTES) {
      const real = await call(route, members.none.token);
      const missing = await call(route, members.none.token, MISSING);
      expect(real.status, where(route, 'no-access member')).toBe(404);
      expect(real.body, where(route, 'no-access member')).toEqual(NO_SUCH_CONNECTION);
      expect(missing.body).toEqual(NO_SUCH_CONNECTION);
    }
    expect((await t.api('GET', '/v1/connections', { token: members.none.token })).body).toEqual([]);
    expect((await t.api('GET', '/v1/connections', { token: adminB })).body).toEqual([]);
    const audit = await t.api('GET', '/v1/audit', { token: members.none.token });
    expect(audit.status).toBe(200);
    expect(audit.text).not.toContain(connectionId);
  });

  /**
   * What a caller holding `level` gets from `route`, which it is allowed: the exact answer, checked against the
   * connection as its owner reads it before (`before`) and after the call.
   */
  async function expectAllowed(
    route: ConnectionRoute,
    level: Level,
    res: ApiResponse,
    before: Record<string, unknown>,
  ): Promise<void> {
    const what = `${where(route, level)}: ${res.text.slice(0, 300)}`;
    const after = await snapshot();
    const asSeenBy = (view: Record<string, unknown>) => ({ ...view, accessLevel: level });
    switch (route.name) {
      case 'get':
        expect(res.status, what).toBe(200);
        expect(res.body).toEqual(asSeenBy(before));
        break;
      case 'deliverables':
        expect(res.status, what).toBe(200);
        expect(res.body).toEqual((await t.api('GET', route.path(connectionId, ''), { token: adminA })).body);
        break;
      case 'terraform': {
        const owners = await t.api('GET', route.path(connectionId, ''), { token: adminA });
        expect(res.status, what).toBe(200);
        expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
        expect(res.text).toBe(owners.text);
        expect(res.text).toContain(`default     = "${String(before.externalId)}"`);
        break;
      }
      case 'audit': {
        expect(res.status, what).toBe(200);
        expect(res.body).toEqual((await t.api('GET', route.path(connectionId, ''), { token: adminA })).body);
        expect(res.body.map((e: { connectionId: string }) => e.connectionId)).toEqual(res.body.map(() => connectionId));
        expect(res.body.map((e: { action: string }) => e.action)).toContain('connection.create');
        break;
      }
      case 'update':
        expect(res.status, what).toBe(200);
        expect(after).toEqual({ ...before, labels: { hacked: 'yes' }, updatedAt: after.updatedAt });
        expect(String(after.updatedAt) >= String(before.updatedAt)).toBe(true);
        expect(res.body).toEqual({
          connection: asSeenBy(after),
          diff: {
            changed: false,
            added: [],
            removed: [],
            managedPoliciesAdded: [],
            managedPoliciesRemoved: [],
            wildcardsAdded: [],
            wildcardsRemoved: [],
          },
        });
        break;
      case 'verify':
        // Allowed through to AWS, which this service reaches at a closed port: AWS_ERROR, the connection untouched.
        expect(res.status, what).toBe(502);
        expect(res.body).toEqual({
          error: {
            code: 'AWS_ERROR',
            message: expect.stringMatching(/^AWS could not be asked about the role: .*ECONNREFUSED/),
          },
        });
        expect(after).toEqual(before);
        break;
      case 'rotate':
        expect(res.status, what).toBe(200);
        expect(after.previousExternalId).toBe(before.externalId);
        expect(after.externalId).toMatch(/^tg-/);
        expect(after.externalId).not.toBe(before.externalId);
        expect(after).toEqual({
          ...before,
          externalId: after.externalId,
          previousExternalId: before.externalId,
          updatedAt: after.updatedAt,
        });
        expect(res.body).toEqual(asSeenBy(after));
        break;
      case 'list-access': {
        const byUser = (a: { userId: string }, b: { userId: string }) => (a.userId < b.userId ? -1 : 1);
        const expected = [
          { userId: adminAId, level: 'owner' },
          ...RANK.map((l) => ({ userId: members[l].id, level: l })),
        ];
        expect(res.status, what).toBe(200);
        expect([...res.body].sort(byUser)).toEqual(expected.sort(byUser));
        break;
      }
      case 'grant':
        expect(res.status, what).toBe(200);
        expect(res.body).toEqual({ userId: members.none.id, level: 'owner' });
        expect(await t.service.store.connections.accessOf(connectionId, members.none.id)).toBe('owner');
        break;
      case 'revoke':
        expect(res.status, what).toBe(200);
        expect(res.body).toEqual({ ok: true });
        expect(await t.service.store.connections.accessOf(connectionId, members.none.id)).toBeUndefined();
        break;
      case 'delete':
        throw new Error('deleting is checked on its own, last');
    }
  }

  it('each access level is refused exactly (403 naming the level needed and held, nothing changed) for what needs more, and answered exactly for what it holds', async () => {
    for (const level of RANK) {
      for (const route of CONNECTION_ROUTES) {
        if (route.name === 'delete') continue; // deleting is checked last
        const before = await snapshot();
        const grantsBefore = await grants();
        // Grant and revoke name the member without access: granted, then revoked again, by each allowed level.
        const res = await call(route, members[level].token, connectionId, members.none.id);
        if (RANK.indexOf(level) >= RANK.indexOf(route.needs)) {
          await expectAllowed(route, level, res, before);
        } else {
          expect(res.status, where(route, level)).toBe(403);
          expect(res.body, where(route, level)).toEqual(forbidden(route.needs, level));
          expect(await snapshot()).toEqual(before);
          expect(await grants()).toEqual(grantsBefore);
        }
        if (route.name === 'rotate' && RANK.indexOf(level) >= RANK.indexOf(route.needs)) {
          // finish the rotation state so the next rotation is allowed again
          const c = (await t.service.store.connections.getAnyOrganization(connectionId))!;
          await t.service.store.connections.update({ ...c, previousExternalId: null });
        }
      }
    }
    // A viewer cannot make itself owner.
    const self = await t.api('PUT', `/v1/connections/${connectionId}/access/${members.viewer.id}`, {
      token: members.viewer.token,
      body: { level: 'owner' },
    });
    expect(self.status).toBe(403);
    expect(self.body).toEqual(forbidden('owner', 'viewer'));
    expect(await t.service.store.connections.accessOf(connectionId, members.viewer.id)).toBe('viewer');
    // Only the owner may delete.
    const deleting = CONNECTION_ROUTES.find((r) => r.name === 'delete')!;
    for (const level of ['viewer', 'user', 'editor'] as const) {
      const refused = await call(deleting, members[level].token);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(forbidden('owner', level));
    }
    expect((await snapshot()).id).toBe(connectionId);
    const deleted = await call(deleting, members.owner.token);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ ok: true });
    const gone = await t.api('GET', `/v1/connections/${connectionId}`, { token: adminA });
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual(NO_SUCH_CONNECTION);
  });

  it('organization-wide objects of another organization are not found, and members cannot administer', async () => {
    const notFound = (what: 'user' | 'space' | 'token', field: string) => ({
      error: { code: 'NOT_FOUND', message: `No such ${what}.`, field },
    });
    const expectAnswer = (res: ApiResponse, status: number, body: unknown) => {
      expect(res.status, res.text).toBe(status);
      expect(res.body).toEqual(body);
    };
    const userId = orgAUsers[0]!.id;
    expectAnswer(await t.api('GET', `/v1/users/${userId}`, { token: adminB }), 404, notFound('user', 'userId'));
    expectAnswer(await t.api('DELETE', `/v1/users/${userId}`, { token: adminB }), 404, notFound('user', 'userId'));
    const spaceA = (await t.api('POST', '/v1/spaces', { token: adminA, body: { name: 'a-space' } })).body;
    expectAnswer(
      await t.api('DELETE', `/v1/spaces/${spaceA.id}`, { token: adminB }),
      404,
      notFound('space', 'spaceId'),
    );
    const tokensA = (await t.api('GET', '/v1/tokens', { token: adminA })).body as { id: string; userId: string }[];
    for (const tok of tokensA)
      expectAnswer(await t.api('DELETE', `/v1/tokens/${tok.id}`, { token: adminB }), 404, notFound('token', 'tokenId'));
    // A member cannot revoke another user's token, nor add users, spaces or catalogs (its token lacks the admin scope).
    const othersToken = tokensA.find((x) => x.userId !== members.owner.id)!;
    expectAnswer(
      await t.api('DELETE', `/v1/tokens/${othersToken.id}`, { token: members.owner.token }),
      404,
      notFound('token', 'tokenId'),
    );
    expect(
      (await t.api('GET', '/v1/tokens', { token: adminA })).body.find((x: { id: string }) => x.id === othersToken.id)
        .revokedAt,
    ).toBeNull();
    const noAdminScope = { error: { code: 'FORBIDDEN', message: 'This token lacks the "admin" scope.' } };
    expectAnswer(
      await t.api('POST', '/v1/users', { token: members.owner.token, body: { email: 'x@a.test', name: 'x' } }),
      403,
      noAdminScope,
    );
    expectAnswer(
      await t.api('POST', '/v1/spaces', { token: members.owner.token, body: { name: 'x' } }),
      403,
      noAdminScope,
    );
    expectAnswer(
      await t.api('POST', '/v1/catalogs', { token: members.owner.token, body: { name: 'x', source: 'x' } }),
      403,
      noAdminScope,
    );
    // Space filters with another organization's space find nothing.
    expectAnswer(await t.api('GET', `/v1/connections?space=${spaceA.id}`, { token: adminB }), 200, []);
    // Creating a connection in another organization's space is refused like a missing space.
    expectAnswer(
      await t.api('POST', '/v1/connections', {
        token: adminB,
        body: { name: 'x', scope: { kind: 'account', accountId: CUSTOMER }, spaceId: spaceA.id },
      }),
      404,
      notFound('space', 'spaceId'),
    );
    // Another organization's catalogs are invisible and unusable.
    const { readFile } = await import('node:fs/promises');
    const { DEFAULT_CATALOG_FILE } = await import('../src/create-service.ts');
    expect(
      (
        await t.api('POST', '/v1/catalogs', {
          token: adminA,
          body: { name: 'a-only', source: await readFile(DEFAULT_CATALOG_FILE, 'utf8') },
        })
      ).status,
    ).toBe(201);
    expectAnswer(await t.api('GET', '/v1/catalogs', { token: adminB }), 200, []);
    const withForeignCatalog = await t.api('POST', '/v1/connections', {
      token: adminB,
      body: { name: 'y', scope: { kind: 'account', accountId: CUSTOMER }, catalogName: 'a-only' },
    });
    expectAnswer(withForeignCatalog, 404, {
      error: { code: 'NOT_FOUND', message: 'No catalog named "a-only".', field: 'catalogName' },
    });
    // Granting access to a user of another organization is refused.
    const connB = (
      await t.api('POST', '/v1/connections', {
        token: adminB,
        body: { name: 'b', scope: { kind: 'account', accountId: CUSTOMER } },
      })
    ).body.connection.id;
    expectAnswer(
      await t.api('PUT', `/v1/connections/${connB}/access/${userId}`, { token: adminB, body: { level: 'owner' } }),
      404,
      notFound('user', 'userId'),
    );
  });
});
