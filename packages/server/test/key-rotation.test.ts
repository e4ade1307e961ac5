import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CredentialCache } from '../src/cache/credential-cache.ts';
import { localCredentialCache } from '../src/cache/local-credential-cache.ts';
import { redisCredentialCache } from '../src/cache/redis-credential-cache.ts';
import { createIssuerKeys } from '../src/app/identity/issuer-keys.ts';
import type { KeyRingPolicy } from '../src/app/identity/key-ring.ts';
import { resealSigningKeys } from '../src/app/identity/reseal-signing-keys.ts';
import { identityKeyId, openPrivateKey, sealedKeyId } from '../src/app/identity/seal-private-key.ts';
import { secretSetting } from '../src/app/identity/sealed-setting.ts';
import { keyringOf } from '../src/model/keyring.ts';
import type { Store } from '../src/store/store.ts';
import { countingLoad, fakeSession, POLICY } from './credential-cache-behaviour.ts';
import { createTrustgateService, type TrustgateServiceConfig } from '../src/create-service.ts';
import { openStore } from '../src/store/store.ts';
import { NO_AWS, TEST_SERVICE_DEFAULTS } from './service-harness.ts';
import { DIALECTS, openSharedTestDatabase, openTestStore } from './test-stores.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const H = 3_600_000;
const RING_POLICY: KeyRingPolicy = {
  publishAheadMs: H,
  rotationIntervalMs: 24 * H,
  maxTokenLifetimeMs: H,
  retiredGraceMs: 0,
};

describe('the credential cache across a key rotation and a lost key (real Redis)', () => {
  const raw = createClient({ url: REDIS_URL });
  const prefix = `trustgate-test:${randomUUID()}:`;
  const opened: CredentialCache[] = [];
  beforeAll(async () => {
    await raw.connect();
  });
  afterAll(async () => {
    await Promise.all(opened.map((c) => c.close()));
    for await (const keys of raw.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 }))
      if (keys.length > 0) await raw.del(keys);
    await raw.close();
  });
  const instance = async (encryptionKey: Uint8Array, previousEncryptionKeys: Uint8Array[] = []) => {
    const cache = await redisCredentialCache({
      url: REDIS_URL,
      keyPrefix: prefix,
      encryptionKey,
      previousEncryptionKeys,
    });
    opened.push(cache);
    return cache;
  };
  const stored = async (key: string) =>
    JSON.parse((await raw.get(`${prefix}session:${key}`)) ?? '{}') as { kid?: string };

  it('K1 entries are read under K2 + K1, new entries are written under K2, K2 alone misses K1 entries without an error', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const first = fakeSession(Date.now());
    const under1 = await instance(k1);
    expect((await under1.getOrLoad('old', 'c1', async () => first, POLICY)).source).toBe('sts');
    const kid1 = (await stored('old')).kid;

    // Restarted with K2 current and K1 previous: the K1 entry is a hit, a new entry is sealed under K2.
    const rotated = await instance(k2, [k1]);
    const never = countingLoad(async () => fakeSession(Date.now()));
    const hit = await rotated.getOrLoad('old', 'c1', never.load, POLICY);
    expect(hit).toMatchObject({ source: 'cache', session: { accessKeyId: first.accessKeyId } });
    expect(never.calls()).toBe(0);
    await rotated.getOrLoad('new', 'c1', async () => fakeSession(Date.now()), POLICY);
    const kid2 = (await stored('new')).kid;
    expect(kid2).not.toBe(kid1);
    expect((await stored('old')).kid).toBe(kid1);

    // K2 alone (K1 dropped): the K2 entry is a hit; the K1 entry is a miss, loaded afresh and written under K2.
    const alone = await instance(k2);
    expect((await alone.getOrLoad('new', 'c1', never.load, POLICY)).source).toBe('cache');
    const fresh = fakeSession(Date.now());
    const reload = countingLoad(async () => fresh);
    const missed = await alone.getOrLoad('old', 'c1', reload.load, POLICY);
    expect(missed).toMatchObject({ source: 'sts', session: { accessKeyId: fresh.accessKeyId } });
    expect(reload.calls()).toBe(1);
    expect((await stored('old')).kid).toBe(kid2);
  });

  it('a lost cache key (a new key, no previous one) turns every entry into a miss: fresh issuance, no failure', async () => {
    const lost = await instance(randomBytes(32));
    const before = fakeSession(Date.now());
    await lost.getOrLoad('lost', 'c2', async () => before, POLICY);
    const replaced = await instance(randomBytes(32));
    const after = fakeSession(Date.now());
    const load = countingLoad(async () => after);
    const answer = await replaced.getOrLoad('lost', 'c2', load.load, POLICY);
    expect(answer).toMatchObject({ source: 'sts', session: { accessKeyId: after.accessKeyId } });
    expect(load.calls()).toBe(1);
    // Revocation still works under the new key.
    await replaced.revokeBefore('c2', new Date(Date.now() + 1000));
    const again = countingLoad(async () => fakeSession(Date.now() + 2000, { issuedAgoMs: 0 }));
    expect((await replaced.getOrLoad('lost', 'c2', again.load, POLICY)).source).toBe('sts');
  });

  it('the local cache keeps nothing across a restart, so a new cache key there is a fresh cache', async () => {
    const a = localCredentialCache();
    await a.getOrLoad('k', 's', async () => fakeSession(Date.now()), POLICY);
    await a.close();
    const b = localCredentialCache();
    const load = countingLoad(async () => fakeSession(Date.now()));
    expect((await b.getOrLoad('k', 's', load.load, POLICY)).source).toBe('sts');
    expect(load.calls()).toBe(1);
    await b.close();
  });
});

/** A private key sealed as before keyrings: `v1.<iv>.<tag>.<ct>`, no key id. */
function sealV1(plain: string, key: Uint8Array, kid: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(`trustgate signing key\0${kid}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe.each(DIALECTS)('the OIDC signing keys across a key rotation on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let now: Date;
  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(dialect));
    now = new Date('2026-03-01T00:00:00Z');
  });
  afterEach(async () => {
    await cleanup();
  });
  const keys = (current: Uint8Array, previous: Uint8Array[] = []) =>
    createIssuerKeys({
      repository: store.signingKeys,
      keyEncryptionKey: current,
      previousKeyEncryptionKeys: previous,
      policy: RING_POLICY,
      clock: () => now,
      ringCacheMs: 0,
    });

  it('K1 keys sign under K2 + K1; keys rotate re-seals them under K2 in one pass; then K2 alone signs', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const first = await keys(k1).signer();
    await keys(k1).rotate(); // a next key, also sealed under K1
    expect((await store.signingKeys.list()).map((k) => sealedKeyId(k.sealedPrivateKey))).toEqual([
      identityKeyId(k1),
      identityKeyId(k1),
    ]);
    await expect(keys(k2).signer()).rejects.toMatchObject({ code: 'INTERNAL' });
    expect((await keys(k2, [k1]).signer()).kid).toBe(first.kid);

    const report = await resealSigningKeys(store.signingKeys, keyringOf(k2, [k1]));
    expect(report).toEqual({ resealed: 2, total: 2, settingsResealed: 0, settingsTotal: 0, keyId: identityKeyId(k2) });
    expect((await store.signingKeys.list()).map((k) => sealedKeyId(k.sealedPrivateKey))).toEqual([
      identityKeyId(k2),
      identityKeyId(k2),
    ]);
    expect(await resealSigningKeys(store.signingKeys, keyringOf(k2, [k1]))).toMatchObject({ resealed: 0, total: 2 });

    expect((await keys(k2).signer()).kid).toBe(first.kid);
    now = new Date(now.getTime() + 2 * H); // the next key signs, opened under K2 alone
    expect((await keys(k2).signer()).kid).not.toBe(first.kid);
    await expect(keys(k1).signer()).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('a key sealed before keyrings (v1, untagged) opens with the single old key and is re-sealed', async () => {
    const old = randomBytes(32);
    const k2 = randomBytes(32);
    await keys(old).signer();
    const [row] = await store.signingKeys.list();
    // Rewrite the row as a v1 text of its real private key: opened, then sealed the old way.
    const plain = openPrivateKey(row!.sealedPrivateKey, old, row!.kid);
    await store.signingKeys.resealAll(() => sealV1(plain, old, row!.kid));
    expect((await store.signingKeys.list())[0]!.sealedPrivateKey.startsWith('v1.')).toBe(true);

    expect((await keys(k2, [old]).signer()).kid).toBe(row!.kid);
    expect(await resealSigningKeys(store.signingKeys, keyringOf(k2, [old]))).toMatchObject({ resealed: 1, total: 1 });
    expect((await keys(k2).signer()).kid).toBe(row!.kid);
  });

  it('a key the ring cannot open stops keys rotate with nothing written (one transaction), naming no key', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const unknown = randomBytes(32);
    await keys(k1).signer(); // generation 1 under K1, which the ring holds
    await keys(unknown).rotate(); // generation 2 under a key the ring does not hold
    const before = (await store.signingKeys.list()).map((k) => k.sealedPrivateKey);
    const error = await resealSigningKeys(store.signingKeys, keyringOf(k2, [k1])).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'INTERNAL' });
    for (const secret of [k1, k2, unknown])
      for (const encoding of ['hex', 'base64', 'base64url'] as const)
        expect((error as Error).message).not.toContain(Buffer.from(secret).toString(encoding));
    // Generation 1 was re-sealed inside the transaction before generation 2 failed: rolled back with it.
    expect((await store.signingKeys.list()).map((k) => k.sealedPrivateKey)).toEqual(before);
  });

  it('the callback-token and run-token keys are sealed under the identity key, read across a rotation, re-sealed by keys rotate', async () => {
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const callback = await secretSetting(store, 'callback-secret', keyringOf(k1));
    const stored = (await store.getSetting('callback-secret')) ?? '';
    expect(stored.startsWith('s1.')).toBe(true);
    expect(stored).not.toContain(callback);
    expect(await secretSetting(store, 'callback-secret', keyringOf(k1))).toBe(callback);
    await store.putSetting('run-token-secret', 'a-plain-run-token-secret-of-before'); // as stores kept it before sealing

    expect(await secretSetting(store, 'callback-secret', keyringOf(k2, [k1]))).toBe(callback);
    const error = await secretSetting(store, 'callback-secret', keyringOf(k2)).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'INTERNAL', message: expect.stringContaining('callback-secret') as string });
    for (const form of [k1, k2].flatMap((k) => [k.toString('hex'), k.toString('base64')]))
      expect((error as Error).message).not.toContain(form);

    expect(await resealSigningKeys(store.signingKeys, keyringOf(k2, [k1]))).toMatchObject({
      settingsResealed: 2,
      settingsTotal: 2,
    });
    expect(await secretSetting(store, 'callback-secret', keyringOf(k2))).toBe(callback);
    expect(await secretSetting(store, 'run-token-secret', keyringOf(k2))).toBe('a-plain-run-token-secret-of-before');
    expect(await store.getSetting('run-token-secret')).not.toContain('plain-run-token');
    expect(await resealSigningKeys(store.signingKeys, keyringOf(k2))).toMatchObject({ settingsResealed: 0 });
    // A service given no key over a store whose secrets are sealed stops, rather than use the sealed text as the key.
    await expect(secretSetting(store, 'callback-secret', undefined)).rejects.toMatchObject({
      code: 'INTERNAL',
      message: expect.stringContaining('TRUSTGATE_IDENTITY_KEY') as string,
    });
  });
});

describe.each(DIALECTS)(
  'the callback-token and run-token keys of a service that is no OIDC issuer on %s',
  (dialect) => {
    it('are sealed under storeKey, open after a rotation with the previous key, and a service given no key refuses them', async () => {
      const db = openSharedTestDatabase(dialect, 'tg-store-key-');
      const start = (storeKey?: TrustgateServiceConfig['storeKey']) =>
        createTrustgateService({
          ...db.config,
          partitions: NO_AWS,
          ...TEST_SERVICE_DEFAULTS,
          ...(storeKey === undefined ? {} : { storeKey }),
        });
      const secretsOf = (s: Awaited<ReturnType<typeof start>>) => [
        s.deps.callbackSecret,
        s.deps.broker?.runTokenSecret,
      ];
      try {
        const k1 = randomBytes(32);
        const k2 = randomBytes(32);
        const first = await start({ keyEncryptionKey: k1 });
        const secrets = secretsOf(first);
        expect(first.deps.identity).toBeUndefined();
        await first.close();
        const store = await openStore({
          url: db.config.databaseUrl,
          ...(db.schema === undefined ? {} : { schema: db.schema }),
        });
        try {
          for (const [name, secret] of [
            ['callback-secret', secrets[0]],
            ['run-token-secret', secrets[1]],
          ] as const) {
            const stored = (await store.getSetting(name)) ?? '';
            expect(stored.startsWith(`s1.${identityKeyId(k1)}.`)).toBe(true);
            expect(secret).toMatch(/^[\w-]{43}$/);
            expect(stored).not.toContain(secret!);
          }
        } finally {
          await store.close();
        }

        const rotated = await start({ keyEncryptionKey: k2, previousKeyEncryptionKeys: [k1] });
        expect(secretsOf(rotated)).toEqual(secrets);
        await rotated.close();
        await expect(start({ keyEncryptionKey: k2 })).rejects.toMatchObject({ code: 'INTERNAL' });

        const refused = await start().catch((e: Error) => e);
        expect(refused).toMatchObject({
          code: 'INTERNAL',
          message: expect.stringContaining('sealed under an identity key') as string,
        });
        expect((refused as Error).message).toMatch(/storeKey/);
        for (const text of [...secrets, ...[k1, k2].flatMap((k) => [k.toString('hex'), k.toString('base64')])])
          expect((refused as Error).message).not.toContain(text);
        await expect(start({ keyEncryptionKey: randomBytes(16) })).rejects.toMatchObject({
          code: 'INVALID_INPUT',
          field: 'storeKey.keyEncryptionKey',
        });
      } finally {
        await db.remove();
      }
    });
  },
);
