import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerEnv, type BrokerEnv } from '../../issuance-harness.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/**
 * Redis unreachable (issue 16, "Faults"): the broker's shared cache is the machine's Redis behind a TCP proxy the test
 * cuts (other tests share that Redis, so it is never stopped). With Redis away the broker falls back to caching in
 * the instance: not one request for a key it had served fails, a key it had not is assumed afresh and then cached in
 * the instance, a revocation still holds, and once Redis is back the shared cache is used again.
 */
describe('Redis unreachable behind a cut TCP proxy (service on SQLite)', () => {
  let proxy: TcpProxy;
  let env: BrokerEnv;
  let issuer = '';
  let connectionId = '';
  const keyPrefix = `tg-faults-${randomBytes(6).toString('hex')}:`;
  /** The sessions stored in Redis under this test's prefix, read straight from Redis (not through the proxy). */
  async function sessionsInRedis(): Promise<number> {
    const redis = createClient({ url: 'redis://127.0.0.1:6379' });
    await redis.connect();
    try {
      return (await redis.keys(`${keyPrefix}session:*`)).length;
    } finally {
      await redis.close();
    }
  }

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: 6379 });
    env = await startBrokerEnv({
      dialect: 'sqlite',
      service: {
        cache: {
          redisUrl: `redis://${proxy.host}:${proxy.port}`,
          encryptionKey: randomBytes(32),
          keyPrefix,
        },
        broker: { stsRetry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, jitter: false } },
      },
    });
    const conn = await env.connect('redis-cut');
    connectionId = conn.id;
    for (const slug of ['cached', 'fresh', 'revoked'])
      await env.attach(await env.stack(slug), conn.id, { sessionMode: 'shared' });
    issuer = (await env.token({ scopes: ['credentials:issue'] })).secret;
  });
  afterAll(async () => {
    await env?.close();
    await proxy?.close();
  });

  const issue = (stack: string, runId: string) =>
    env.api('POST', '/v1/issuances', { token: issuer, body: { stack, phase: 'read', runId } });

  it('serves every request for a cached key while Redis is away, assumes new keys in the instance, and uses Redis again once it is back', async () => {
    const first = await issue('cached', 'run-0');
    expect(first.status, first.text).toBe(201);
    expect(first.body.source).toBe('sts');
    const revokedFirst = await issue('revoked', 'run-0');
    expect(revokedFirst.status, revokedFirst.text).toBe(201);
    const hit = await issue('cached', 'run-1');
    expect(hit.body.source).toBe('cache');
    expect(proxy.accepted()).toBeGreaterThan(0);
    expect(await sessionsInRedis()).toBe(2);

    proxy.cut();
    // Requests for the cached key, in parallel and one after another, the first ones racing the cut.
    const served = [
      ...(await Promise.all(Array.from({ length: 10 }, (_, i) => issue('cached', `par-${i}`)))),
      ...(await (async () => {
        const out = [];
        for (let i = 0; i < 10; i++) out.push(await issue('cached', `seq-${i}`));
        return out;
      })()),
    ];
    const failed = served.filter((r) => r.status !== 201);
    expect(
      failed.map((r) => r.text),
      'requests for a cached key failed',
    ).toEqual([]);
    expect(new Set(served.map((r) => r.body.credentials.accessKeyId))).toEqual(
      new Set([first.body.credentials.accessKeyId]),
    );
    expect(served.every((r) => r.body.source === 'cache')).toBe(true);
    expect((await env.api('GET', '/readyz')).status).toBe(503);

    // A key never served: assumed afresh, then served from the instance's cache.
    const stsBefore = env.stsCalls();
    const fresh = await issue('fresh', 'run-0');
    expect(fresh.status, fresh.text).toBe(201);
    expect(fresh.body.source).toBe('sts');
    const freshAgain = await issue('fresh', 'run-1');
    expect(freshAgain.status, freshAgain.text).toBe(201);
    expect(freshAgain.body.source).toBe('cache');
    expect(env.stsCalls() - stsBefore).toBe(1);

    // A revocation during the outage holds: the revoked session is not served again.
    const revoke = await env.api('POST', `/v1/connections/${connectionId}/revoke-sessions`, {
      token: env.adminToken,
      body: {},
    });
    expect(revoke.status, revoke.text).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100)); // a cut-off is at a whole second; the memo lives 1 s
    const afterRevoke = await issue('revoked', 'run-1');
    expect(afterRevoke.status, afterRevoke.text).toBe(201);
    expect(afterRevoke.body.credentials.accessKeyId).not.toBe(revokedFirst.body.credentials.accessKeyId);

    // Redis back: readiness recovers and issuances go through the shared cache again.
    proxy.restore();
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i++) {
      ready = (await env.api('GET', '/readyz')).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(ready).toBe(200);
    const back = await issue('cached', 'back-0');
    expect(back.status, back.text).toBe(201);
    // The key assumed in the instance during the outage is now stored in Redis as well.
    const backFresh = await issue('fresh', 'back-0');
    expect(backFresh.status, backFresh.text).toBe(201);
    expect(await sessionsInRedis()).toBe(3);
    console.log(
      `Redis outage: ${served.length} requests for a cached key, ${failed.length} failed; ` +
        `${env.stsCalls() - stsBefore} AssumeRole call(s) in and after the outage (a new key, the revocation's reloads)`,
    );
  }, 60_000);
});
