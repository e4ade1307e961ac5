import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../store/store.ts';
import type { Store } from '../../store/store.ts';
import { createIssuerKeys, type IssuerKeys } from './issuer-keys.ts';

const MIN = 60_000;

describe('revoking the issuer’s keys (over a real store)', () => {
  let store: Store;
  let keys: IssuerKeys;
  let now = Date.parse('2026-03-01T00:00:00Z');
  beforeAll(async () => {
    store = await openStore({ url: ':memory:' });
    keys = createIssuerKeys({
      repository: store.signingKeys,
      keyEncryptionKey: randomBytes(32),
      algorithm: 'ES256',
      policy: {
        publishAheadMs: 10 * MIN,
        rotationIntervalMs: 30 * 24 * 60 * MIN,
        maxTokenLifetimeMs: 60 * MIN,
        retiredGraceMs: 5 * MIN,
      },
      clock: () => new Date(now),
      ringCacheMs: 0,
    });
  });
  afterAll(async () => store?.close());

  it('revoking the signer while a next key waits: both go, a new key signs at once, the JWKS holds only it', async () => {
    const first = await keys.signer();
    const next = await keys.rotate();
    expect(next.state).toBe('next');
    now += MIN;
    const left = await keys.revoke(first.kid);
    expect(left).toEqual([expect.objectContaining({ state: 'signing', activatesAt: new Date(now).toISOString() })]);
    expect(left[0]!.kid).not.toBe(first.kid);
    expect(left[0]!.kid).not.toBe(next.kid);
    expect((await keys.signer()).kid).toBe(left[0]!.kid);
    expect((await keys.jwks()).keys.map((k) => k.kid)).toEqual([left[0]!.kid]);
    expect((await store.signingKeys.list()).map((k) => k.kid)).toEqual([left[0]!.kid]);
    // The next scheduled rotation counts from the new key.
    now += 10 * MIN + 60 * MIN;
    expect((await keys.signer()).kid).toBe(left[0]!.kid);
  });

  it('an unknown kid is NOT_FOUND and changes nothing', async () => {
    const before = await keys.list();
    await expect(keys.revoke('no-such-kid')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await keys.list()).toEqual(before);
  });
});
