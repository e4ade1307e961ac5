import { describe, expect, it } from 'vitest';
import type { SigningKeyRecord } from '../../model/identity-records.ts';
import {
  DEFAULT_KEY_RING_POLICY,
  expiredAt,
  publishedAt,
  rotationDue,
  signerAt,
  validateKeyRingPolicy,
  type KeyRingPolicy,
} from './key-ring.ts';

const H = 3_600_000;
const policy: KeyRingPolicy = {
  publishAheadMs: H,
  rotationIntervalMs: 24 * H,
  maxTokenLifetimeMs: H,
  retiredGraceMs: 0,
};
const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (hours: number) => new Date(T0 + hours * H);
const key = (generation: number, createdH: number, activeH: number): SigningKeyRecord => ({
  kid: `k${generation}`,
  generation,
  algorithm: 'RS256',
  publicJwk: { kty: 'RSA', kid: `k${generation}` },
  sealedPrivateKey: 'v1.x.y.z',
  createdAt: at(createdH).toISOString(),
  activatesAt: at(activeH).toISOString(),
});
const kids = (keys: SigningKeyRecord[]) => keys.map((k) => k.kid);

describe('the key ring', () => {
  // k1 signs from 0 h; k2 is made at 24 h and signs from 25 h; k1's tokens (1 h at most) are gone at 26 h.
  const ring = [key(1, 0, 0), key(2, 24, 25)];

  it('publishes a new key before it signs, and a retired key until its last token expires', () => {
    expect(kids(publishedAt(ring, at(23), policy))).toEqual(['k1']);
    expect(signerAt(ring, at(24.5))?.kid).toBe('k1');
    expect(kids(publishedAt(ring, at(24.5), policy))).toEqual(['k2', 'k1']);
    expect(signerAt(ring, at(25))?.kid).toBe('k2');
    expect(kids(publishedAt(ring, at(25.99), policy))).toEqual(['k2', 'k1']);
    expect(kids(publishedAt(ring, at(26), policy))).toEqual(['k2']);
    expect(kids(expiredAt(ring, at(26), policy))).toEqual(['k1']);
    expect(expiredAt(ring, at(25.99), policy)).toEqual([]);
  });

  it('is due for a first key, then after the rotation interval, never while a next key waits', () => {
    expect(rotationDue([], at(0), policy)).toBe('initial');
    expect(rotationDue([key(1, 0, 0)], at(23.9), policy)).toBeUndefined();
    expect(rotationDue([key(1, 0, 0)], at(24), policy)).toBe('scheduled');
    expect(rotationDue(ring, at(24.5), policy)).toBeUndefined();
    expect(rotationDue(ring, at(48.9), policy)).toBeUndefined();
    expect(rotationDue(ring, at(49), policy)).toBe('scheduled');
  });

  it('a token signed at any moment stays verifiable until it expires (every key that signed is published)', () => {
    for (let h = 0; h < 60; h += 0.25) {
      const signer = signerAt(ring, at(h))!;
      for (let life = 0; life <= 1; life += 0.25)
        expect(kids(publishedAt(ring, at(h + life), policy))).toContain(signer.kid);
    }
  });

  it('refuses a rotation interval too short for the retired key to leave before the next rotation', () => {
    expect(validateKeyRingPolicy(DEFAULT_KEY_RING_POLICY)).toEqual(DEFAULT_KEY_RING_POLICY);
    expect(() => validateKeyRingPolicy({ ...policy, rotationIntervalMs: 2 * H - 1 })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'identity.rotationIntervalMs' }),
    );
    expect(() => validateKeyRingPolicy({ ...policy, publishAheadMs: -1 })).toThrow(
      expect.objectContaining({ field: 'identity.publishAheadMs' }),
    );
  });
});
