import { randomBytes, randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CachedSession, CredentialCache } from '../src/cache/credential-cache.ts';
import { redisCredentialCache, type RedisCredentialCacheOptions } from '../src/cache/redis-credential-cache.ts';
import { countingLoad, describeCredentialCache, fakeSession, POLICY } from './credential-cache-behaviour.ts';

/** The Redis of the test machine; every test writes under its own random prefix, deleted afterwards. */
const REDIS_URL = 'redis://127.0.0.1:6379';
const prefixes: string[] = [];
const freshPrefix = (): string => {
  const p = `trustgate-test:${randomUUID()}:`;
  prefixes.push(p);
  return p;
};

const raw = createClient({ url: REDIS_URL });
beforeAll(async () => {
  await raw.connect();
});
afterAll(async () => {
  for (const p of prefixes) {
    for await (const keys of raw.scanIterator({ MATCH: `${p}*`, COUNT: 1000 }))
      if (keys.length > 0) await raw.del(keys);
  }
  await raw.close();
});

describeCredentialCache('redisCredentialCache', ({ now }) =>
  redisCredentialCache({ url: REDIS_URL, encryptionKey: randomBytes(32), keyPrefix: freshPrefix(), now }),
);

describe('redisCredentialCache', () => {
  const opened: CredentialCache[] = [];
  const open = async (o: Partial<RedisCredentialCacheOptions> & { keyPrefix: string; encryptionKey: Uint8Array }) => {
    const c = await redisCredentialCache({ url: REDIS_URL, ...o });
    opened.push(c);
    return c;
  };
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
  });
  /** Two instances of the service: two caches, two Redis connections, one prefix and key. */
  const twoInstances = async (o: Partial<RedisCredentialCacheOptions> = {}) => {
    const shared = { keyPrefix: freshPrefix(), encryptionKey: randomBytes(32), ...o };
    return { ...shared, a: await open(shared), b: await open(shared) };
  };
  const delayed = (ms: number, s: () => CachedSession) => () =>
    new Promise<CachedSession>((resolve) => setTimeout(() => resolve(s()), ms));

  it('stores neither the secret key, the session token nor the access key id readably', async () => {
    const { a, keyPrefix } = await twoInstances();
    const s = fakeSession(Date.now());
    await a.getOrLoad('k', 'scope', async () => s, POLICY);
    const stored = await raw.get(`${keyPrefix}session:k`);
    expect(stored).not.toBeNull();
    const text = stored ?? '';
    for (const secret of [s.secretAccessKey, s.sessionToken, s.accessKeyId]) {
      for (const encoding of ['utf8', 'base64', 'hex'] as const) {
        const form = encoding === 'utf8' ? secret : Buffer.from(secret).toString(encoding);
        expect(text.includes(form)).toBe(false);
      }
    }
    // The envelope says what it is (AES-256-GCM with a 12-byte IV) and which key, not the key itself.
    const envelope = JSON.parse(text) as { v: number; kid: string; iv: string };
    expect(envelope.v).toBe(1);
    expect(Buffer.from(envelope.iv, 'base64').length).toBe(12);
    expect(envelope.kid).toMatch(/^[0-9a-f]{16}$/);
  });

  it('writes a new IV each time: the same session stored twice gives different bytes', async () => {
    const { a, b, keyPrefix } = await twoInstances();
    const s = fakeSession(Date.now());
    await a.getOrLoad('one', 'scope', async () => s, POLICY);
    await b.getOrLoad('two', 'scope', async () => s, POLICY);
    const one = JSON.parse((await raw.get(`${keyPrefix}session:one`)) ?? '{}') as { iv: string; ct: string };
    const two = JSON.parse((await raw.get(`${keyPrefix}session:two`)) ?? '{}') as { iv: string; ct: string };
    expect(one.iv).not.toBe(two.iv);
    expect(one.ct).not.toBe(two.ct);
  });

  it('expires the entry in Redis when the session expires', async () => {
    const { a, keyPrefix } = await twoInstances();
    await a.getOrLoad('k', 'scope', async () => fakeSession(Date.now(), { expiresInMs: 900_000 }), POLICY);
    const ttl = await raw.pTTL(`${keyPrefix}session:k`);
    expect(ttl).toBeGreaterThan(890_000);
    expect(ttl).toBeLessThanOrEqual(900_000);
  });

  it('an instance with another key, an altered entry and an entry moved to another key are misses, not errors', async () => {
    const { a, keyPrefix } = await twoInstances();
    const s = fakeSession(Date.now());
    await a.getOrLoad('k', 'scope', async () => s, POLICY);
    const sealed = (await raw.get(`${keyPrefix}session:k`)) ?? '';

    const otherKey = await open({ keyPrefix, encryptionKey: randomBytes(32) });
    const intruder = countingLoad(async () => fakeSession(Date.now()));
    const got = await otherKey.getOrLoad('k', 'scope', intruder.load, POLICY);
    expect(got.source).toBe('sts');
    expect(got.session.secretAccessKey === s.secretAccessKey).toBe(false);
    expect(intruder.calls()).toBe(1);

    // Altered ciphertext (one bit flipped): the tag does not verify.
    const envelope = JSON.parse(sealed) as { ct: string };
    const ct = Buffer.from(envelope.ct, 'base64');
    ct[0] = (ct[0] ?? 0) ^ 1;
    await raw.set(`${keyPrefix}session:k`, JSON.stringify({ ...envelope, ct: ct.toString('base64') }));
    const afterTamper = countingLoad(async () => fakeSession(Date.now()));
    expect((await a.getOrLoad('k', 'scope', afterTamper.load, POLICY)).source).toBe('sts');
    expect(afterTamper.calls()).toBe(1);

    // The original envelope, intact, copied under another cache key: bound to its own key, it does not open.
    await raw.set(`${keyPrefix}session:moved`, sealed);
    const moved = countingLoad(async () => fakeSession(Date.now()));
    expect((await a.getOrLoad('moved', 'scope', moved.load, POLICY)).source).toBe('sts');
    expect(moved.calls()).toBe(1);

    // Not an envelope at all.
    await raw.set(`${keyPrefix}session:junk`, 'not json');
    expect((await a.getOrLoad('junk', 'scope', async () => fakeSession(Date.now()), POLICY)).source).toBe('sts');
  });

  it('refuses an encryption key that is not 32 bytes', async () => {
    await expect(redisCredentialCache({ url: REDIS_URL, encryptionKey: randomBytes(16) })).rejects.toThrow(RangeError);
  });

  it('50 concurrent misses across two instances make one load; every caller gets that session', async () => {
    const { a, b } = await twoInstances();
    const s = fakeSession(Date.now());
    const l = countingLoad(delayed(150, () => s));
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).getOrLoad('k', 'scope', l.load, POLICY)),
    );
    expect(l.calls()).toBe(1);
    expect(answers.every((r) => r.source === 'sts' && r.session.accessKeyId === s.accessKeyId)).toBe(true);
    expect((await b.getOrLoad('k', 'scope', l.load, POLICY)).source).toBe('cache');
  });

  it('a load that outlasts the lease keeps its lock (renewed): the other instance still does not load', async () => {
    const { a, b } = await twoInstances({ lockLeaseMs: 150 });
    const l = countingLoad(delayed(700, () => fakeSession(Date.now())));
    const [ra, rb] = await Promise.all([
      a.getOrLoad('k', 'scope', l.load, POLICY),
      new Promise((r) => setTimeout(r, 20)).then(() => b.getOrLoad('k', 'scope', l.load, POLICY)),
    ]);
    expect(l.calls()).toBe(1);
    expect(rb.session.accessKeyId).toBe(ra.session.accessKeyId);
  });

  it('when the lock holder dies, its lease lapses and a waiting instance loads', async () => {
    const { a, keyPrefix } = await twoInstances({ lockLeaseMs: 300 });
    // A holder that took the lock and died without releasing it.
    await raw.set(`${keyPrefix}lock:k`, 'dead-holder', { expiration: { type: 'PX', value: 300 } });
    let lockSeenByLoad: string | null = 'not called';
    const l = countingLoad(async () => {
      lockSeenByLoad = await raw.get(`${keyPrefix}lock:k`);
      return fakeSession(Date.now());
    });
    expect((await a.getOrLoad('k', 'scope', l.load, POLICY)).source).toBe('sts');
    expect(l.calls()).toBe(1);
    expect(lockSeenByLoad).not.toBe('dead-holder'); // loaded only after the dead holder's lease lapsed
    expect(lockSeenByLoad).not.toBeNull(); // and under a lock of its own
    expect(await raw.get(`${keyPrefix}lock:k`)).toBeNull(); // released after the load
  });

  it("a holder's failed load is its own callers' error; the waiting instance then loads for its callers", async () => {
    const { a, b } = await twoInstances();
    const failure = new Error('Throttling: Rate exceeded');
    const failing = countingLoad(() => new Promise((_, reject) => setTimeout(() => reject(failure), 100)));
    const s = fakeSession(Date.now());
    const working = countingLoad(async () => s);
    const ra = a.getOrLoad('k', 'scope', failing.load, POLICY);
    await new Promise((r) => setTimeout(r, 20));
    const rb = b.getOrLoad('k', 'scope', working.load, POLICY);
    await expect(ra).rejects.toBe(failure);
    expect(await rb).toEqual({ session: s, source: 'sts' });
    expect([failing.calls(), working.calls()]).toEqual([1, 1]);
  });

  it('a revocation through one instance is seen by the other at once, for every key of the scope', async () => {
    const { a, b } = await twoInstances();
    const issued = Date.now() - 1_000;
    const s1 = fakeSession(issued);
    const s2 = fakeSession(issued);
    await a.getOrLoad('k1', 'connection-1', async () => s1, POLICY);
    await a.getOrLoad('k2', 'connection-1', async () => s2, POLICY);
    await a.getOrLoad('k3', 'connection-2', async () => fakeSession(issued), POLICY);
    expect((await b.getOrLoad('k1', 'connection-1', async () => fakeSession(Date.now()), POLICY)).source).toBe('cache');

    await a.revokeBefore('connection-1', new Date(issued + 500));
    const failing = async (): Promise<CachedSession> => {
      throw new Error('Throttling');
    };
    // Not even served stale: the entries of connection-1 are gone for both instances.
    await expect(b.getOrLoad('k1', 'connection-1', failing, POLICY)).rejects.toThrow('Throttling');
    await expect(b.getOrLoad('k2', 'connection-1', failing, POLICY)).rejects.toThrow('Throttling');
    await expect(a.getOrLoad('k2', 'connection-1', failing, POLICY)).rejects.toThrow('Throttling');
    expect((await b.getOrLoad('k3', 'connection-2', failing, POLICY)).source).toBe('cache');
    const fresh = fakeSession(Date.now());
    expect(await b.getOrLoad('k1', 'connection-1', async () => fresh, POLICY)).toEqual({
      session: fresh,
      source: 'sts',
    });
    expect((await a.getOrLoad('k1', 'connection-1', failing, POLICY)).source).toBe('cache');
  });

  it('keeps a cut-off only while a session issued before it could be alive (12 hours)', async () => {
    const { a, keyPrefix } = await twoInstances();
    await a.revokeBefore('scope', new Date());
    const ttl = await raw.pTTL(`${keyPrefix}revoked-before:scope`);
    expect(ttl).toBeGreaterThan(43_100_000);
    expect(ttl).toBeLessThanOrEqual(43_200_000);
    await a.revokeBefore('old-scope', new Date(Date.now() - 43_300_000));
    expect(await raw.exists(`${keyPrefix}revoked-before:old-scope`)).toBe(0);
  });
});
