import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './test-stores.ts';
import { OPERATOR_TOKEN, startTestService, type TestService, NO_AWS } from './service-harness.ts';

/** The bad values every text field is tried with. */
const BAD_TEXT: Record<string, string> = {
  nul: 'a\u0000b',
  'lone surrogate': '\ud800x',
  '1 MB': 'x'.repeat(1_000_000),
};

/** A valid request per route with a body or query string; `{id}` and `{user}` are filled in per store. */
interface Probe {
  method: string;
  path: string;
  body?: Record<string, unknown>;
  query?: Record<string, string>;
  operator?: boolean;
}
const PROBES: Probe[] = [
  {
    method: 'POST',
    path: '/v1/organizations',
    operator: true,
    body: { name: 'Org', adminEmail: 'a@org.test', adminName: 'Admin' },
  },
  { method: 'PATCH', path: '/v1/organization', body: { name: 'Renamed' } },
  { method: 'POST', path: '/v1/users', body: { email: 'u@org.test', name: 'User', role: 'member' } },
  { method: 'POST', path: '/v1/tokens', body: { name: 'tok', scopes: ['connections:read'] } },
  { method: 'POST', path: '/v1/spaces', body: { name: 'space' } },
  {
    method: 'POST',
    path: '/v1/catalogs',
    body: { name: 'cat', fileName: 'cat.yaml', source: 'version: 1\nproducts: []\n' },
  },
  {
    method: 'POST',
    path: '/v1/connections',
    body: {
      name: 'conn',
      scope: { kind: 'account', accountId: '222222222222' },
      roleName: 'Role',
      region: 'us-east-1',
      labels: { env: 'prod' },
      catalogName: 'missing',
      extraActions: ['s3:GetObject'],
      managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    },
  },
  {
    method: 'PATCH',
    path: '/v1/connections/{id}',
    body: { name: 'renamed', labels: { team: 'a' }, catalogName: 'missing' },
  },
  { method: 'POST', path: '/v1/connections/{id}/verify', body: { roleArn: 'arn:aws:iam::222222222222:role/Role' } },
  { method: 'PUT', path: '/v1/connections/{id}/access/{user}', body: { level: 'viewer' } },
  { method: 'GET', path: '/v1/connections', query: { status: 'pending', space: 'spc_x', label: 'env:prod' } },
  { method: 'GET', path: '/v1/audit', query: { connectionId: 'con_x' } },
];

/** Every string leaf of a value, as a path and a setter on a deep copy. */
function stringPaths(value: unknown, path: string[] = []): string[][] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...path, String(i)]));
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...path, k]));
  return [];
}
function withValue(value: Record<string, unknown>, path: string[], text: string): Record<string, unknown> {
  const copy = structuredClone(value);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[path[path.length - 1]!] = text;
  return copy;
}

/** `<probe> <field> <bad value>` -> `<status> <code>`, per store. */
const answers: Record<string, Map<string, string>> = {};

describe.each(DIALECTS)('text fields on %s', (dialect) => {
  let t: TestService;
  let token: string;
  let ids: { id: string; user: string };
  beforeAll(async () => {
    t = await startTestService({ dialect, partitions: NO_AWS });
    const org = await t.newOrganization('Text');
    token = org.adminToken;
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'target', scope: { kind: 'account', accountId: '222222222222' } },
    });
    ids = { id: created.body.connection.id, user: org.adminId };
  });
  afterAll(async () => t?.close());

  it('answers a NUL, a lone surrogate and a 1 MB string in every text field with a 4xx in the error shape, and stores none of them', async () => {
    const seen = new Map<string, string>();
    answers[dialect] = seen;
    for (const probe of PROBES) {
      const path = probe.path.replace('{id}', ids.id).replace('{user}', ids.user);
      const fields = stringPaths(probe.body ?? probe.query ?? {});
      for (const field of fields) {
        for (const [kind, text] of Object.entries(BAD_TEXT)) {
          let res;
          if (probe.query !== undefined) {
            const query = new URLSearchParams({
              ...probe.query,
              [field[0]!]: text.length > 100_000 ? text.slice(0, 10_000) : text,
            });
            res = await t.api(probe.method, `${path}?${query.toString()}`, { token });
          } else {
            res = await t.api(probe.method, path, {
              token: probe.operator === true ? OPERATOR_TOKEN : token,
              body: withValue(probe.body!, field, text),
            });
          }
          const where = `${probe.method} ${probe.path} ${field.join('.')} ${kind}`;
          expect(res.status, `${where}: ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${where}: ${res.text.slice(0, 300)}`).toBeLessThan(500);
          expect(res.body?.error?.code, where).toEqual(expect.any(String));
          expect(res.body?.error?.message, where).toEqual(expect.any(String));
          seen.set(where, `${res.status} ${res.body.error.code}`);
        }
      }
    }
    // Nothing bad was stored: names read back as they were.
    expect((await t.api('GET', '/v1/organization', { token })).body.name).toBe('Text');
    const listed = await t.api('GET', '/v1/connections', { token });
    expect(listed.body.map((c: { name: string }) => c.name)).toEqual(['target']);
    expect(seen.size).toBeGreaterThan(60);
  });

  it('refuses control characters and bidirectional overrides in names and label values, and an unknown query parameter on any route', async () => {
    for (const bad of ['line\nbreak', 'tab\there', 'esc\u001b[31mred', 'bidi\u202eevil', 'iso\u2066late']) {
      const res = await t.api('POST', '/v1/spaces', { token, body: { name: bad } });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'name' });
      const label = await t.api('PATCH', `/v1/connections/${ids.id}`, { token, body: { labels: { env: bad } } });
      expect(label.status, JSON.stringify(bad)).toBe(400);
      expect(label.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'labels.env' });
    }
    expect((await t.api('POST', '/v1/spaces', { token, body: { name: 'Ünïcödé 空間 😀' } })).status).toBe(201);
    for (const path of ['/v1/spaces', '/v1/catalogs', `/v1/connections/${ids.id}`, '/v1/connections', '/v1/audit']) {
      const res = await t.api('GET', `${path}?unexpected=1`, { token });
      expect(res.status, path).toBe(400);
      expect(res.body.error, path).toMatchObject({ code: 'INVALID_INPUT', field: 'unexpected' });
    }
  });
});

describe('the same input gets the same answer on both stores', () => {
  it('every refusal above is the same status and code on SQLite and PostgreSQL', () => {
    const [sqlite, postgres] = [answers.sqlite, answers.postgres];
    expect(sqlite?.size).toBeGreaterThan(0);
    expect(Object.fromEntries(postgres ?? [])).toEqual(Object.fromEntries(sqlite ?? []));
  });
});
