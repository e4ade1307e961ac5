import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose';
import { createIssuerKeys, type IssuerKeys } from '../src/app/identity/issuer-keys.ts';
import type { KeyRingPolicy } from '../src/app/identity/key-ring.ts';
import { openPrivateKey } from '../src/app/identity/seal-private-key.ts';
import type { Store } from '../src/store/store.ts';
import { DIALECTS, openTestStore } from './test-stores.ts';

const H = 3_600_000;
const POLICY: KeyRingPolicy = {
  publishAheadMs: H,
  rotationIntervalMs: 24 * H,
  maxTokenLifetimeMs: H,
  retiredGraceMs: 0,
};

/** The sealed text with the first character of its ciphertext changed. */
function tampered(sealed: string): string {
  const parts = sealed.split('.');
  parts[3] = (parts[3]![0] === 'A' ? 'B' : 'A') + parts[3]!.slice(1);
  return parts.join('.');
}

describe.each(DIALECTS)('the issuer keys on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let now: Date;
  const kek = randomBytes(32);
  const keysOn = (o: Partial<Parameters<typeof createIssuerKeys>[0]> = {}): IssuerKeys =>
    createIssuerKeys({
      repository: store.signingKeys,
      keyEncryptionKey: kek,
      policy: POLICY,
      clock: () => now,
      ringCacheMs: 0,
      ...o,
    });
  const sign = async (keys: IssuerKeys) => {
    const s = await keys.signer();
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: s.algorithm, kid: s.kid })
      .setExpirationTime(Math.floor(now.getTime() / 1000) + 3600)
      .sign(s.key);
    return { token, kid: s.kid };
  };
  const verifies = async (keys: IssuerKeys, token: string) => {
    try {
      await jwtVerify(token, createLocalJWKSet(await keys.jwks()), { currentDate: now });
      return true;
    } catch {
      return false;
    }
  };

  beforeEach(async () => {
    ({ store, cleanup } = await openTestStore(dialect));
    now = new Date('2026-03-01T00:00:00Z');
  });
  afterEach(async () => cleanup());

  it('makes one RS256 2,048-bit key on first use, named by its thumbprint, the private key sealed at rest', async () => {
    const keys = keysOn();
    const { token, kid } = await sign(keys);
    const jwks = await keys.jwks();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', kid, alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(Buffer.from(jwks.keys[0]!.n!, 'base64url').length * 8).toBe(2048);
    expect(jwks.keys[0]).not.toHaveProperty('d');
    expect(await verifies(keys, token)).toBe(true);
    const [row] = await store.signingKeys.list();
    expect(JSON.stringify(row!.publicJwk)).not.toMatch(/"d"|"p"|"q"/);
    expect(row!.sealedPrivateKey).toMatch(/^v2\.[0-9a-f]{16}\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(row!.sealedPrivateKey).not.toContain('"d"');
    expect(JSON.parse(openPrivateKey(row!.sealedPrivateKey, kek, kid))).toHaveProperty('d');
  });

  it('makes ES256 keys when configured (AWS STS accepts ES256/384/512 web identity tokens)', async () => {
    const keys = keysOn({ algorithm: 'ES256' });
    const { token } = await sign(keys);
    expect((await keys.jwks()).keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(await verifies(keys, token)).toBe(true);
  });

  it('a sealed key opens only with its key-encryption key and its own kid, and errors name no secret', async () => {
    await sign(keysOn());
    const [row] = await store.signingKeys.list();
    const otherKek = randomBytes(32);
    for (const attempt of [
      () => openPrivateKey(row!.sealedPrivateKey, otherKek, row!.kid),
      () => openPrivateKey(row!.sealedPrivateKey, kek, 'another-kid'),
      () => openPrivateKey(tampered(row!.sealedPrivateKey), kek, row!.kid),
    ]) {
      let message = '';
      try {
        attempt();
      } catch (error) {
        message = (error as Error).message;
        expect(error).toMatchObject({ code: 'INTERNAL' });
      }
      expect(message).toMatch(/cannot be opened/);
      expect(message).not.toContain(row!.sealedPrivateKey.split('.')[3]!.slice(0, 16));
    }
    await expect(keysOn({ keyEncryptionKey: otherKek }).signer()).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('rotates with overlap: published an hour before it signs; the old key published until its tokens expired, then deleted', async () => {
    const keys = keysOn();
    const old = await sign(keys);
    now = new Date(now.getTime() + 24 * H); // rotation due
    expect((await sign(keys)).kid).toBe(old.kid); // the new key does not sign yet...
    const published = (await keys.jwks()).keys.map((k) => k.kid);
    expect(published).toHaveLength(2); // ...but is published already
    const next = published.find((k) => k !== old.kid)!;
    expect((await keys.list()).map((k) => k.state)).toEqual(['next', 'signing']);
    now = new Date(now.getTime() + H - 1000);
    const last = await sign(keys); // the old key's last token, valid for an hour
    expect(last.kid).toBe(old.kid);
    now = new Date(now.getTime() + 1000);
    const fresh = await sign(keys);
    expect(fresh.kid).toBe(next);
    expect(await verifies(keys, last.token)).toBe(true); // overlap: the old key's tokens verify
    now = new Date(now.getTime() + H - 2000);
    expect(await verifies(keys, last.token)).toBe(true);
    expect(await verifies(keys, fresh.token)).toBe(true);
    now = new Date(now.getTime() + 2000);
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([next]);
    expect((await store.signingKeys.list()).map((k) => k.kid)).toEqual([next]); // the private key is gone
    expect(await verifies(keys, (await sign(keys)).token)).toBe(true);
  });

  it('instances rotating at once make one key (the generation is unique), and the JWKS stays small', async () => {
    // Next keys publish 10 minutes ahead here, so manual rotations can outpace the retirement of old keys.
    const fast = { ...POLICY, publishAheadMs: H / 6 };
    const instances = [keysOn({ policy: fast }), keysOn({ policy: fast }), keysOn({ policy: fast })];
    const signers = await Promise.all(instances.map((k) => k.signer()));
    expect(new Set(signers.map((s) => s.kid)).size).toBe(1);
    expect(await store.signingKeys.list()).toHaveLength(1);
    const rotated = await Promise.all(instances.map((k) => k.rotate()));
    expect(new Set(rotated.map((r) => r.kid)).size).toBe(1);
    expect(rotated[0]).toMatchObject({ state: 'next', generation: 2 });
    expect(await instances[0]!.rotate()).toEqual(rotated[0]); // a next key waits: the same one
    for (let i = 0; i < 2; i++) {
      now = new Date(now.getTime() + H / 6);
      await instances[0]!.rotate();
    }
    expect((await instances[1]!.jwks()).keys).toHaveLength(4);
    now = new Date(now.getTime() + H / 6);
    await expect(instances[0]!.rotate()).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await instances[2]!.jwks()).keys.length).toBeLessThanOrEqual(4);
  });
});
