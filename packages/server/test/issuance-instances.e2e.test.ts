import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustgateService, type TrustgateService } from '../src/create-service.ts';
import { startBrokerEnv, type BrokerEnv } from './issuance-harness.ts';

/**
 * Two instances of the service on one PostgreSQL schema and one Redis (127.0.0.1:6379) share the broker's session
 * cache (issue 12): concurrent first requests for one key make one STS call between them, and a revocation made
 * on one is seen by the other at once.
 */
/** What the tests read of an issuance. */
interface Answer {
  source?: string;
  credentials: { accessKeyId: string };
}

describe('two instances on one PostgreSQL and one Redis', () => {
  let env: BrokerEnv;
  let second: TrustgateService;
  let secondUrl: string;
  let issuer: string;
  let connectionId: string;

  beforeAll(async () => {
    env = await startBrokerEnv({
      dialect: 'postgres',
      service: {
        cache: {
          redisUrl: 'redis://127.0.0.1:6379',
          encryptionKey: randomBytes(32),
          keyPrefix: `tg-test-${randomBytes(6).toString('hex')}:`,
        },
      },
    });
    second = await createTrustgateService({ ...env.config, logger: false });
    secondUrl = await second.listen({ port: 0 });
    const conn = await env.connect('shared');
    connectionId = conn.id;
    const stack = await env.stack('burst');
    await env.attach(stack, conn.id, { sessionMode: 'shared' });
    issuer = (await env.token({ scopes: ['credentials:issue'] })).secret;
  });
  afterAll(async () => {
    await second?.close();
    await env?.close();
  });

  const issueAt = async (base: string, runId: string) => {
    const res = await fetch(`${base}/v1/issuances`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issuer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ stack: 'burst', phase: 'read', runId }),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  it('50 concurrent first requests for one key over both instances make one STS call', async () => {
    const before = env.stsCalls();
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => issueAt(i % 2 === 0 ? env.url : secondUrl, `run-${i}`)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(201));
    expect(new Set(answers.map((a) => a.body.credentials.accessKeyId)).size).toBe(1);
    expect(env.stsCalls() - before).toBe(1);
    expect(answers.filter((a) => a.body.source === 'sts').length).toBeGreaterThanOrEqual(1);
  });

  it('a revocation on one instance: neither serves the old session again', async () => {
    const old = await issueAt(secondUrl, 'before');
    expect(old.body.source).toBe('cache');
    const revoked = await fetch(`${env.url}/v1/connections/${connectionId}/revoke-sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.adminToken}` },
    });
    expect(revoked.status).toBe(200);
    const onSecond = await issueAt(secondUrl, 'after');
    expect(onSecond.status).toBe(201);
    expect(onSecond.body.source).toBe('sts');
    expect(onSecond.body.credentials.accessKeyId).not.toBe(old.body.credentials.accessKeyId);
    const onFirst = await issueAt(env.url, 'after-2');
    expect(onFirst.body.credentials.accessKeyId).toBe(onSecond.body.credentials.accessKeyId);
  });

  it('an instance caching for itself (no Redis) serves nothing issued before a cut-off another instance stored', async () => {
    const local = await createTrustgateService({ ...env.config, cache: undefined, logger: false });
    try {
      const localUrl = await local.listen({ port: 0 });
      const cached = await issueAt(localUrl, 'local-1');
      expect(cached.status).toBe(201);
      expect((await issueAt(localUrl, 'local-2')).body.source).toBe('cache');
      const revoked = await fetch(`${env.url}/v1/connections/${connectionId}/revoke-sessions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${env.adminToken}` },
      });
      expect(revoked.status).toBe(200);
      const after = await issueAt(localUrl, 'local-3');
      expect(after.status).toBe(201);
      expect(after.body.source).toBe('sts');
      expect(after.body.credentials.accessKeyId).not.toBe(cached.body.credentials.accessKeyId);
    } finally {
      await local.close();
    }
  });
});
