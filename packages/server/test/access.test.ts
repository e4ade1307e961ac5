import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './test-stores.ts';
import { startTestService, type TestService } from './service-harness.ts';

const NO_AWS = { aws: { endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: { accessKeyId: 'AKIAUNUSED0000000000', secretAccessKey: 'unused' }, accountId: '111111111111' } };
const CUSTOMER = '222222222222';
const MISSING = 'con_doesnotexist0000';

type Level = 'viewer' | 'user' | 'editor' | 'owner';

/** Every route that addresses one connection, with the access level it needs. */
const CONNECTION_ROUTES: { method: string; path: (id: string, userId: string) => string; body?: unknown; needs: Level; scope?: 'audit:read' }[] = [
  { method: 'GET', path: (id) => `/v1/connections/${id}`, needs: 'viewer' },
  { method: 'GET', path: (id) => `/v1/connections/${id}/deliverables`, needs: 'viewer' },
  { method: 'GET', path: (id) => `/v1/connections/${id}/deliverables/terraform`, needs: 'viewer' },
  { method: 'GET', path: (id) => `/v1/audit?connectionId=${id}`, needs: 'viewer', scope: 'audit:read' },
  { method: 'PATCH', path: (id) => `/v1/connections/${id}`, body: { labels: { hacked: 'yes' } }, needs: 'editor' },
  { method: 'POST', path: (id) => `/v1/connections/${id}/verify`, body: { roleArn: `arn:aws:iam::${CUSTOMER}:role/TrustgateAccess` }, needs: 'editor' },
  { method: 'POST', path: (id) => `/v1/connections/${id}/rotate-external-id`, needs: 'editor' },
  { method: 'GET', path: (id) => `/v1/connections/${id}/access`, needs: 'owner' },
  { method: 'PUT', path: (id, user) => `/v1/connections/${id}/access/${user}`, body: { level: 'owner' }, needs: 'owner' },
  { method: 'DELETE', path: (id, user) => `/v1/connections/${id}/access/${user}`, needs: 'owner' },
  { method: 'DELETE', path: (id) => `/v1/connections/${id}`, needs: 'owner' },
];

const RANK: Level[] = ['viewer', 'user', 'editor', 'owner'];

describe.each(DIALECTS)('access control on %s', (dialect) => {
  let t: TestService;
  let adminA: string;
  let adminB: string;
  let connectionId: string;
  let orgAUsers: { id: string; email: string }[];
  const members: Record<Level | 'none', { id: string; token: string }> = {} as never;

  beforeAll(async () => {
    t = await startTestService({ dialect, partitions: NO_AWS });
    adminA = (await t.newOrganization('OrgA')).adminToken;
    adminB = (await t.newOrganization('OrgB')).adminToken;
    const created = await t.api('POST', '/v1/connections', { token: adminA, body: { name: 'secret-connection', scope: { kind: 'account', accountId: CUSTOMER } } });
    connectionId = created.body.connection.id;
    for (const level of ['none', ...RANK] as const) {
      const user = await t.api('POST', '/v1/users', { token: adminA, body: { email: `${level}@a.test`, name: level } });
      const tok = await t.api('POST', '/v1/tokens', { token: adminA, body: { name: level, userId: user.body.id, scopes: ['connections:write', 'audit:read'] } });
      members[level] = { id: user.body.id, token: tok.body.secret };
      if (level !== 'none') await t.api('PUT', `/v1/connections/${connectionId}/access/${user.body.id}`, { token: adminA, body: { level } });
    }
    orgAUsers = (await t.api('GET', '/v1/users', { token: adminA })).body;
  });
  afterAll(async () => t?.close());

  const snapshot = async () => (await t.api('GET', `/v1/connections/${connectionId}`, { token: adminA })).body;
  const target = () => members.viewer.id;

  it('another organization\'s token gets exactly the answer a missing connection gets, for every route', async () => {
    const before = await snapshot();
    for (const route of CONNECTION_ROUTES) {
      const real = await t.api(route.method, route.path(connectionId, target()), { token: adminB, ...(route.body === undefined ? {} : { body: route.body }) });
      const missing = await t.api(route.method, route.path(MISSING, target()), { token: adminB, ...(route.body === undefined ? {} : { body: route.body }) });
      expect(real.status, `${route.method} ${route.path('ID', 'U')}`).toBe(404);
      expect(real.body, `${route.method} ${route.path('ID', 'U')}`).toEqual(missing.body);
      expect(real.text).not.toContain('secret-connection');
    }
    expect(await snapshot()).toEqual(before);
  });

  it('a member without access gets the same 404 as for a missing connection; lists hide it', async () => {
    for (const route of CONNECTION_ROUTES) {
      const real = await t.api(route.method, route.path(connectionId, target()), { token: members.none.token, ...(route.body === undefined ? {} : { body: route.body }) });
      const missing = await t.api(route.method, route.path(MISSING, target()), { token: members.none.token, ...(route.body === undefined ? {} : { body: route.body }) });
      expect(real.status, `${route.method} ${route.path('ID', 'U')}`).toBe(404);
      expect(real.body).toEqual(missing.body);
    }
    expect((await t.api('GET', '/v1/connections', { token: members.none.token })).body).toEqual([]);
    expect((await t.api('GET', '/v1/connections', { token: adminB })).body).toEqual([]);
    const audit = await t.api('GET', '/v1/audit', { token: members.none.token });
    expect(audit.text).not.toContain(connectionId);
  });

  it('each access level is refused (403, nothing changed) for what needs more, and allowed what it holds', async () => {
    for (const level of RANK) {
      for (const route of CONNECTION_ROUTES) {
        if (route.method === 'DELETE' && route.path('x', 'y') === '/v1/connections/x') continue; // deleting is checked last
        if (route.method === 'POST' && route.path('x', 'y').endsWith('/verify')) {
          if (RANK.indexOf(level) < RANK.indexOf(route.needs)) {
            expect((await t.api(route.method, route.path(connectionId, target()), { token: members[level].token, body: route.body })).status).toBe(403);
          }
          continue; // allowed callers would reach AWS, which this test has none of
        }
        const before = await snapshot();
        const res = await t.api(route.method, route.path(connectionId, members.none.id), { token: members[level].token, ...(route.body === undefined ? {} : { body: route.body }) });
        const allowed = RANK.indexOf(level) >= RANK.indexOf(route.needs);
        if (allowed) {
          expect([200, 404], `${level} ${route.method} ${route.path('ID', 'U')}: ${res.text}`).toContain(res.status);
        } else {
          expect(res.status, `${level} ${route.method} ${route.path('ID', 'U')}`).toBe(403);
          expect(res.body.error.code).toBe('FORBIDDEN');
          expect(await snapshot()).toEqual(before);
        }
        if (route.path('x', 'y').endsWith('rotate-external-id') && allowed) {
          // finish the rotation state so the next rotation is allowed again
          const c = (await t.service.store.connections.getAnyOrganization(connectionId))!;
          await t.service.store.connections.update({ ...c, previousExternalId: null });
        }
      }
    }
    // A viewer cannot make itself owner.
    const self = await t.api('PUT', `/v1/connections/${connectionId}/access/${members.viewer.id}`, { token: members.viewer.token, body: { level: 'owner' } });
    expect(self.status).toBe(403);
    expect(await t.service.store.connections.accessOf(connectionId, members.viewer.id)).toBe('viewer');
    // Only the owner may delete.
    for (const level of ['viewer', 'user', 'editor'] as const) {
      expect((await t.api('DELETE', `/v1/connections/${connectionId}`, { token: members[level].token })).status).toBe(403);
    }
    expect((await t.api('DELETE', `/v1/connections/${connectionId}`, { token: members.owner.token })).status).toBe(200);
  });

  it('organization-wide objects of another organization are not found, and members cannot administer', async () => {
    const userId = orgAUsers[0]!.id;
    expect((await t.api('GET', `/v1/users/${userId}`, { token: adminB })).status).toBe(404);
    expect((await t.api('DELETE', `/v1/users/${userId}`, { token: adminB })).status).toBe(404);
    const spaceA = (await t.api('POST', '/v1/spaces', { token: adminA, body: { name: 'a-space' } })).body;
    expect((await t.api('DELETE', `/v1/spaces/${spaceA.id}`, { token: adminB })).status).toBe(404);
    const tokensA = (await t.api('GET', '/v1/tokens', { token: adminA })).body as { id: string; userId: string }[];
    for (const tok of tokensA) expect((await t.api('DELETE', `/v1/tokens/${tok.id}`, { token: adminB })).status).toBe(404);
    // A member cannot revoke another user's token, nor add users or spaces.
    const othersToken = tokensA.find((x) => x.userId !== members.owner.id)!;
    expect((await t.api('DELETE', `/v1/tokens/${othersToken.id}`, { token: members.owner.token })).status).toBe(404);
    expect((await t.api('GET', '/v1/tokens', { token: adminA })).body.find((x: { id: string }) => x.id === othersToken.id).revokedAt).toBeNull();
    expect((await t.api('POST', '/v1/users', { token: members.owner.token, body: { email: 'x@a.test', name: 'x' } })).status).toBe(403);
    expect((await t.api('POST', '/v1/spaces', { token: members.owner.token, body: { name: 'x' } })).status).toBe(403);
    expect((await t.api('POST', '/v1/catalogs', { token: members.owner.token, body: { name: 'x', source: 'x' } })).status).toBe(403);
    // Space filters with another organization's space find nothing.
    expect((await t.api('GET', `/v1/connections?space=${spaceA.id}`, { token: adminB })).body).toEqual([]);
    // Creating a connection in another organization's space is refused like a missing space.
    const foreign = await t.api('POST', '/v1/connections', { token: adminB, body: { name: 'x', scope: { kind: 'account', accountId: CUSTOMER }, spaceId: spaceA.id } });
    expect(foreign.status).toBe(404);
    // Another organization's catalogs are invisible and unusable.
    const { readFile } = await import('node:fs/promises');
    const { DEFAULT_CATALOG_FILE } = await import('../src/create-service.ts');
    expect((await t.api('POST', '/v1/catalogs', { token: adminA, body: { name: 'a-only', source: await readFile(DEFAULT_CATALOG_FILE, 'utf8') } })).status).toBe(201);
    expect((await t.api('GET', '/v1/catalogs', { token: adminB })).body).toEqual([]);
    const withForeignCatalog = await t.api('POST', '/v1/connections', { token: adminB, body: { name: 'y', scope: { kind: 'account', accountId: CUSTOMER }, catalogName: 'a-only' } });
    expect(withForeignCatalog.status).toBe(404);
    expect(withForeignCatalog.body.error.field).toBe('catalogName');
    // Granting access to a user of another organization is refused.
    const connB = (await t.api('POST', '/v1/connections', { token: adminB, body: { name: 'b', scope: { kind: 'account', accountId: CUSTOMER } } })).body.connection.id;
    expect((await t.api('PUT', `/v1/connections/${connB}/access/${userId}`, { token: adminB, body: { level: 'owner' } })).status).toBe(404);
  });
});
