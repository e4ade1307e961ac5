import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustgateService, type TrustgateService } from '../src/create-service.ts';
import { reverifyDueConnections } from '../src/app/jobs/reverify-connections.ts';
import { NO_AWS, OPERATOR_TOKEN, TEST_SERVICE_DEFAULTS } from './service-harness.ts';
import { openSharedTestDatabase, type SharedTestDatabase } from './test-stores.ts';

/** A JSON answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
type Answer = { status: number; body: any };

/**
 * Several instances (the README's "Several instances"): two services side by side on one PostgreSQL schema and one
 * Redis, each with its default principal cache. Both serve the same data; a token revoked or a user removed through
 * one is refused by the other on the very next request (its cached principal is stale at once); the scheduled jobs
 * run once per period across both.
 */
describe('two instances on one PostgreSQL and one Redis', () => {
  let db: SharedTestDatabase;
  let one: TrustgateService;
  let two: TrustgateService;
  const urls: string[] = [];

  beforeAll(async () => {
    db = openSharedTestDatabase('postgres', 'tg-two-');
    const config = {
      ...db.config,
      ...TEST_SERVICE_DEFAULTS,
      partitions: NO_AWS,
      cache: {
        redisUrl: 'redis://127.0.0.1:6379',
        encryptionKey: randomBytes(32),
        keyPrefix: `tg-two-${randomBytes(6).toString('hex')}:`,
      },
    };
    [one, two] = await Promise.all([createTrustgateService(config), createTrustgateService(config)]);
    urls.push(await one.listen({ port: 0 }), await two.listen({ port: 0 }));
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.remove();
  });

  async function api(at: 0 | 1, method: string, path: string, token: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`${urls[at]}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: await res.json() };
  }

  it('both serve the same data; a revocation on one is refused by the other at once', async () => {
    const org = await api(0, 'POST', '/v1/organizations', OPERATOR_TOKEN, {
      name: 'Two',
      adminEmail: 'admin@two.test',
      adminName: 'Admin',
    });
    expect(org.status).toBe(201);
    const admin: string = org.body.token.secret;
    const issued = await api(1, 'POST', '/v1/tokens', admin, { name: 'ci', scopes: ['connections:read'] });
    expect(issued.status).toBe(201);
    const ci: string = issued.body.secret;
    // Each instance has read (and cached) the token's principal.
    expect((await api(0, 'GET', '/v1/me', ci)).status).toBe(200);
    expect((await api(1, 'GET', '/v1/me', ci)).status).toBe(200);
    expect((await api(1, 'GET', '/v1/tokens', admin)).body.map((t: { name: string }) => t.name)).toContain('ci');

    expect((await api(0, 'DELETE', `/v1/tokens/${issued.body.token.id}`, admin)).status).toBe(200);
    const onTwo = await api(1, 'GET', '/v1/me', ci);
    expect(onTwo.status).toBe(401);
    expect(onTwo.body.error.code).toBe('UNAUTHENTICATED');
    expect((await api(0, 'GET', '/v1/me', ci)).status).toBe(401);

    // The other way round: revoked through the second, refused by the first at once.
    const again = await api(0, 'POST', '/v1/tokens', admin, { name: 'ci-2', scopes: ['connections:read'] });
    const ci2: string = again.body.secret;
    expect((await api(0, 'GET', '/v1/me', ci2)).status).toBe(200);
    expect((await api(1, 'DELETE', `/v1/tokens/${again.body.token.id}`, admin)).status).toBe(200);
    expect((await api(0, 'GET', '/v1/me', ci2)).status).toBe(401);
    // Unrelated tokens stay valid on both.
    expect((await api(0, 'GET', '/v1/me', admin)).status).toBe(200);
    expect((await api(1, 'GET', '/v1/me', admin)).status).toBe(200);
  });

  it('the scheduled jobs run once per period across the instances', async () => {
    const start = Date.now() + 3_600_000;
    for (let tick = 0; tick < 5; tick++) {
      const now = new Date(start + tick * 60_000);
      // Both instances' schedulers fire at the same moment, twice each (a tick arriving early or late).
      const runs = await Promise.all(
        [one, two, one, two].map((s, i) =>
          reverifyDueConnections(s.deps, { holder: `instance-${i % 2}`, intervalMs: 60_000, now }),
        ),
      );
      expect(runs.filter((r) => r.ran)).toHaveLength(1);
      const resends = await Promise.all(
        [one, two, one, two].map((s, i) =>
          s.store.claimJobRun({ name: 'callback-resend', intervalMs: 54_000, holder: `resender-${i % 2}`, now }),
        ),
      );
      expect(resends.filter(Boolean)).toHaveLength(1);
    }
  });
});
