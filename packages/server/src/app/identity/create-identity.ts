import { randomBytes } from 'node:crypto';
import { TrustgateError } from '@trustgate/core';
import type { Store } from '../../store/store.ts';
import type { SigningAlgorithm } from '../../model/identity-records.ts';
import type { SigningKeysRepository } from '../../store/signing-keys-repository.ts';
import type { IdentityDeps } from './identity-deps.ts';
import { createIssuerKeys } from './issuer-keys.ts';
import { validateIssuerUrl } from './issuer-url.ts';
import { DEFAULT_KEY_RING_POLICY, validateKeyRingPolicy } from './key-ring.ts';

/** trustgate as an OIDC issuer (issue 13): `identity` of the service's configuration. */
export interface IdentityConfig {
  /** The issuer URL: https, no port, no query (a path is allowed), exactly as IAM's OIDC provider will name it. */
  issuerUrl: string;
  /**
   * 32 bytes: the AES-256-GCM key the signing keys' private halves are sealed with (the same on every instance).
   * Omitted (the demo), a random key is made once and kept in the store's shared settings, beside the keys it
   * seals — which then protects nothing at rest: give one in production.
   */
  keyEncryptionKey?: Uint8Array;
  /**
   * Key-encryption keys of before a rotation (TRUSTGATE_IDENTITY_PREVIOUS_KEYS): signing keys sealed under them still
   * open; `trustgate keys rotate` re-seals them under `keyEncryptionKey`.
   */
  previousKeyEncryptionKeys?: readonly Uint8Array[];
  /** Algorithm of new keys: RS256 (default, 2,048-bit RSA) or ES256 (P-256); AWS STS accepts both. */
  algorithm?: SigningAlgorithm;
  /** A new key is published this long before it signs; default 1 h, at least the JWKS's max-age plus `ringCacheMs`. */
  publishAheadMs?: number;
  /** How long a key signs before the next one is made; default 30 days. */
  rotationIntervalMs?: number;
  /** Added to a retired key's time in the JWKS after its last token expired (clock skew); default 5 minutes. */
  retiredGraceMs?: number;
  /** The longest a token lives, in seconds; default and most 3,600. */
  maxTokenLifetimeSeconds?: number;
  /** `Cache-Control: max-age` of the discovery document and JWKS, in seconds; default 300. */
  jwksMaxAgeSeconds?: number;
  /** How long (ms) an instance reuses the key ring it read; default 5,000. */
  ringCacheMs?: number;
  /** Accept `http://` on a loopback host as the issuer (a local verifier only; AWS never accepts it). Default false. */
  allowLoopbackHttp?: boolean;
  /** The issuer's clock (tests); default the system clock. */
  clock?: () => Date;
}

/** The demo's key-encryption key: made once by whichever instance asks first, kept as a shared setting. */
export async function storedKeyEncryptionKey(store: Pick<Store, 'sharedSetting'>): Promise<Uint8Array> {
  const text = await store.sharedSetting('identity-key-encryption-key', () => randomBytes(32).toString('base64url'));
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

/**
 * The keyring signing keys are sealed with: the configured key and previous keys, plus — when a key is configured
 * and the store still holds one — the demo's stored key as a previous key, so keys sealed before a key was
 * configured still open (and `trustgate keys rotate` re-seals them). No key configured: the demo's stored key.
 */
export async function identityKeyring(
  config: Pick<IdentityConfig, 'keyEncryptionKey' | 'previousKeyEncryptionKeys'>,
  store: Pick<Store, 'sharedSetting' | 'getSetting'>,
): Promise<{ current: Uint8Array; previous: Uint8Array[] }> {
  const previous = [...(config.previousKeyEncryptionKeys ?? [])];
  if (config.keyEncryptionKey === undefined) return { current: await storedKeyEncryptionKey(store), previous };
  const stored = await store.getSetting('identity-key-encryption-key');
  if (stored !== undefined) previous.push(new Uint8Array(Buffer.from(stored, 'base64url')));
  return { current: config.keyEncryptionKey, previous };
}

/**
 * The keyring sealing the store's secret settings: the issuer's ({@link identityKeyring}), else that of `storeKey` (a
 * service that is no issuer); undefined when neither is configured. A `storeKey` of other than 32 bytes is
 * INVALID_INPUT naming it.
 */
export async function sealingKeyring(
  config: {
    identity?: Pick<IdentityConfig, 'keyEncryptionKey' | 'previousKeyEncryptionKeys'>;
    storeKey?: { keyEncryptionKey: Uint8Array; previousKeyEncryptionKeys?: readonly Uint8Array[] };
  },
  store: Pick<Store, 'sharedSetting' | 'getSetting'>,
): Promise<{ current: Uint8Array; previous: Uint8Array[] } | undefined> {
  if (config.identity !== undefined) return identityKeyring(config.identity, store);
  if (config.storeKey === undefined) return undefined;
  if (config.storeKey.keyEncryptionKey.byteLength !== 32)
    throw new TrustgateError('INVALID_INPUT', 'storeKey.keyEncryptionKey: 32 bytes are required (AES-256).', {
      field: 'storeKey.keyEncryptionKey',
    });
  return identityKeyring(config.storeKey, store);
}

/** The identity use cases' dependencies from the configuration; INVALID_INPUT naming the field when it is wrong. */
export function createIdentity(
  config: IdentityConfig & { keyEncryptionKey: Uint8Array },
  repository: SigningKeysRepository,
): IdentityDeps {
  const issuerUrl = validateIssuerUrl(config.issuerUrl, { allowLoopbackHttp: config.allowLoopbackHttp ?? false });
  if (config.keyEncryptionKey.byteLength !== 32)
    throw new TrustgateError('INVALID_INPUT', 'identity.keyEncryptionKey: 32 bytes are required (AES-256).', {
      field: 'identity.keyEncryptionKey',
    });
  const maxTokenLifetimeSeconds = config.maxTokenLifetimeSeconds ?? 3600;
  if (!Number.isInteger(maxTokenLifetimeSeconds) || maxTokenLifetimeSeconds < 60 || maxTokenLifetimeSeconds > 3600)
    throw new TrustgateError('INVALID_INPUT', 'identity.maxTokenLifetimeSeconds: 60 to 3,600 seconds.', {
      field: 'identity.maxTokenLifetimeSeconds',
    });
  const jwksMaxAgeSeconds = config.jwksMaxAgeSeconds ?? 300;
  const ringCacheMs = config.ringCacheMs ?? 5000;
  const policy = validateKeyRingPolicy({
    publishAheadMs: config.publishAheadMs ?? DEFAULT_KEY_RING_POLICY.publishAheadMs,
    rotationIntervalMs: config.rotationIntervalMs ?? DEFAULT_KEY_RING_POLICY.rotationIntervalMs,
    maxTokenLifetimeMs: maxTokenLifetimeSeconds * 1000,
    retiredGraceMs: config.retiredGraceMs ?? DEFAULT_KEY_RING_POLICY.retiredGraceMs,
  });
  // A verifier that cached the JWKS (max-age), and an instance that cached the ring, must both see a key before it signs.
  if (policy.publishAheadMs < jwksMaxAgeSeconds * 1000 + ringCacheMs)
    throw new TrustgateError(
      'INVALID_INPUT',
      'identity.publishAheadMs: at least jwksMaxAgeSeconds (in ms) plus ringCacheMs, so every verifier knows a key before it signs.',
      { field: 'identity.publishAheadMs' },
    );
  const clock = config.clock ?? (() => new Date());
  return {
    issuerUrl,
    clock,
    maxTokenLifetimeSeconds,
    jwksMaxAgeSeconds,
    keys: createIssuerKeys({
      repository,
      keyEncryptionKey: config.keyEncryptionKey,
      ...(config.previousKeyEncryptionKeys === undefined
        ? {}
        : { previousKeyEncryptionKeys: config.previousKeyEncryptionKeys }),
      algorithm: config.algorithm ?? 'RS256',
      policy,
      clock,
      ringCacheMs,
    }),
  };
}
