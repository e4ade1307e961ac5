import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustgateService, type TrustgateService } from '../src/create-service.ts';
import { startBrokerEnv, type BrokerEnv } from './issuance-harness.ts';

/** What the tests read of an issuance. */
interface Answer {
  source?: string;
  credentials: { accessKeyId: string };
}

/**
 * The cache key across a rotation and a loss, with the whole service on PostgreSQL and the real Redis: instances
 * restarted with a new cache key and the old one previous serve the cached session; an instance whose cache key is
 * lost (a new key, no previous) issues afresh — no error — and the connection is untouched.
 */
describe('the credential cache key rotated and lost (service, PostgreSQL, Redis)', () => {
  let env: BrokerEnv;
  const others: TrustgateService[] = [];
  let issuer: string;
  let connectionId: string;
  let connectedStatus: string;
  const k1 = randomBytes(32);
  const keyPrefix = `tg-test-${randomBytes(6).toString('hex')}:`;

  beforeAll(async () => {
    env = await startBrokerEnv({
      dialect: 'postgres',
      service: { cache: { redisUrl: 'redis://127.0.0.1:6379', encryptionKey: k1, keyPrefix } },
    });
    const conn = await env.connect('cached');
    connectionId = conn.id;
    const res = await fetch(`${env.url}/v1/connections/${conn.id}`, {
      headers: { authorization: `Bearer ${env.adminToken}` },
    });
    connectedStatus = ((await res.json()) as { status: string }).status;
    await env.attach(await env.stack('keys'), conn.id, { sessionMode: 'shared' });
    issuer = (await env.token({ scopes: ['credentials:issue'] })).secret;
  });
  afterAll(async () => {
    await Promise.all(others.map((s) => s.close()));
    await env?.close();
  });

  const instance = async (encryptionKey: Uint8Array, previousEncryptionKeys: Uint8Array[] = []) => {
    const service = await createTrustgateService({
      ...env.config,
      cache: { redisUrl: 'redis://127.0.0.1:6379', encryptionKey, previousEncryptionKeys, keyPrefix },
      logger: false,
    });
    others.push(service);
    return service.listen({ port: 0 });
  };
  const issueAt = async (base: string, runId: string) => {
    const res = await fetch(`${base}/v1/issuances`, {
      method: 'POST',
      headers: { authorization: `Bearer ${issuer}`, 'content-type': 'application/json' },
      body: JSON.stringify({ stack: 'keys', phase: 'read', runId }),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  it('K2 with K1 previous serves the K1 entry; a lost key issues afresh and the connection is untouched', async () => {
    const first = await issueAt(env.url, 'run-1');
    expect(first).toMatchObject({ status: 201, body: { source: 'sts' } });

    const rotated = await instance(randomBytes(32), [k1]);
    const before = env.stsCalls();
    const hit = await issueAt(rotated, 'run-2');
    expect(hit).toMatchObject({ status: 201, body: { source: 'cache' } });
    expect(hit.body.credentials.accessKeyId).toBe(first.body.credentials.accessKeyId);
    expect(env.stsCalls()).toBe(before);

    const lost = await instance(randomBytes(32));
    const fresh = await issueAt(lost, 'run-3');
    expect(fresh).toMatchObject({ status: 201, body: { source: 'sts' } });
    expect(fresh.body.credentials.accessKeyId).not.toBe(first.body.credentials.accessKeyId);
    expect(env.stsCalls()).toBe(before + 1);
    // The connection is what it was: the cache key protects nothing of it.
    const statusAt = async (base: string) => {
      const res = await fetch(`${base}/v1/connections/${connectionId}`, {
        headers: { authorization: `Bearer ${env.adminToken}` },
      });
      return { code: res.status, status: ((await res.json()) as { status: string }).status };
    };
    expect(await statusAt(lost)).toEqual({ code: 200, status: connectedStatus });
    expect(env.log.join('\n')).not.toContain(k1.toString('base64'));
  });
});
