import { TrustgateError } from '@trustgate/core';
import type { SigningKeyRecord } from '../../model/identity-records.ts';

/** How the issuer's keys rotate (issue 13). Every time is in milliseconds. */
export interface KeyRingPolicy {
  /** How long a new key is in the JWKS before it signs, so verifiers that cache the JWKS know it first; default 1 h. */
  publishAheadMs: number;
  /** How long a key signs before the next one is made; default 30 days. */
  rotationIntervalMs: number;
  /** The longest a token lives; a retired key stays published at least this long after it stopped signing (1 h). */
  maxTokenLifetimeMs: number;
  /**
   * Added to the above before a retired key leaves the JWKS: clock skew and instances whose cached key ring has not
   * seen the next key yet; default 5 minutes.
   */
  retiredGraceMs: number;
}

/** Defaults of {@link KeyRingPolicy}. */
export const DEFAULT_KEY_RING_POLICY: KeyRingPolicy = {
  publishAheadMs: 60 * 60_000,
  rotationIntervalMs: 30 * 24 * 60 * 60_000,
  maxTokenLifetimeMs: 60 * 60_000,
  retiredGraceMs: 5 * 60_000,
};

/**
 * The most keys the JWKS holds. AWS reads a limited number of a JWKS's keys (a user reports about 100, spiffe/spire
 * #4699); the policy's rules keep it at the retired, current and next key, and a manual rotation may add one more.
 */
export const MAX_PUBLISHED_KEYS = 4;

/** Checks a policy: times positive, and rotation slow enough that a retired key is gone before the next rotation. */
export function validateKeyRingPolicy(policy: KeyRingPolicy): KeyRingPolicy {
  for (const [name, value] of Object.entries(policy)) {
    if (!Number.isFinite(value) || value < 0)
      throw new TrustgateError('INVALID_INPUT', `identity.${name}: a number of milliseconds, 0 or more, is required`, {
        field: `identity.${name}`,
      });
  }
  const floor = policy.publishAheadMs + policy.maxTokenLifetimeMs + policy.retiredGraceMs;
  if (policy.rotationIntervalMs < floor)
    throw new TrustgateError(
      'INVALID_INPUT',
      `identity.rotationIntervalMs: at least publishAheadMs + maxTokenLifetimeMs + retiredGraceMs (${floor} ms), so the JWKS holds at most the retired, current and next key`,
      { field: 'identity.rotationIntervalMs' },
    );
  return policy;
}

const ms = (iso: string) => Date.parse(iso);

/** The key that signs at `now`: the newest generation already active. Undefined before the first key. */
export function signerAt(keys: readonly SigningKeyRecord[], now: Date): SigningKeyRecord | undefined {
  let signer: SigningKeyRecord | undefined;
  for (const key of keys) {
    if (ms(key.activatesAt) <= now.getTime() && (signer === undefined || key.generation > signer.generation))
      signer = key;
  }
  return signer;
}

/** When `key` stopped (or stops) signing: when the next generation activates; undefined while none exists. */
export function retiresAt(keys: readonly SigningKeyRecord[], key: SigningKeyRecord): number | undefined {
  const next = keys.filter((k) => k.generation > key.generation).map((k) => ms(k.activatesAt));
  return next.length === 0 ? undefined : Math.min(...next);
}

/** When `key` leaves the JWKS: once every token it may have signed has expired (undefined while it still signs). */
export function unpublishesAt(
  keys: readonly SigningKeyRecord[],
  key: SigningKeyRecord,
  policy: KeyRingPolicy,
): number | undefined {
  const retired = retiresAt(keys, key);
  return retired === undefined ? undefined : retired + policy.maxTokenLifetimeMs + policy.retiredGraceMs;
}

/** The keys in the JWKS at `now` (newest first): made already, and not past {@link unpublishesAt}. */
export function publishedAt(keys: readonly SigningKeyRecord[], now: Date, policy: KeyRingPolicy): SigningKeyRecord[] {
  return keys
    .filter((k) => {
      const gone = unpublishesAt(keys, k, policy);
      return ms(k.createdAt) <= now.getTime() && (gone === undefined || now.getTime() < gone);
    })
    .sort((a, b) => b.generation - a.generation);
}

/** Retired keys no longer published at `now`: no token they signed can still be valid, so they are deleted. */
export function expiredAt(keys: readonly SigningKeyRecord[], now: Date, policy: KeyRingPolicy): SigningKeyRecord[] {
  return keys.filter((k) => {
    const gone = unpublishesAt(keys, k, policy);
    return gone !== undefined && now.getTime() >= gone;
  });
}

/** The next key waiting to sign (published, not yet active), if any. */
export function pendingAt(keys: readonly SigningKeyRecord[], now: Date): SigningKeyRecord | undefined {
  return keys.find((k) => ms(k.activatesAt) > now.getTime());
}

/**
 * Whether a key must be made at `now`: `initial` when there is none (it signs at once: no token exists yet),
 * `scheduled` when the signer has signed for `rotationIntervalMs` and no next key waits; else undefined.
 */
export function rotationDue(
  keys: readonly SigningKeyRecord[],
  now: Date,
  policy: KeyRingPolicy,
): 'initial' | 'scheduled' | undefined {
  const signer = signerAt(keys, now);
  if (signer === undefined) return pendingAt(keys, now) === undefined ? 'initial' : undefined;
  if (pendingAt(keys, now) !== undefined) return undefined;
  return ms(signer.activatesAt) + policy.rotationIntervalMs <= now.getTime() ? 'scheduled' : undefined;
}
