import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { TrustgateError } from '@trustgate/core';
import type { SigningAlgorithm, SigningKeyRecord } from '../../model/identity-records.ts';
import type { SigningKeysRepository } from '../../store/signing-keys-repository.ts';
import {
  MAX_PUBLISHED_KEYS,
  expiredAt,
  pendingAt,
  publishedAt,
  rotationDue,
  signerAt,
  type KeyRingPolicy,
} from './key-ring.ts';
import { keyringOf } from '../../model/keyring.ts';
import { openPrivateKey, sealPrivateKey } from './seal-private-key.ts';

const ms = (iso: string) => Date.parse(iso);

/** Options of {@link createIssuerKeys}. */
export interface IssuerKeysOptions {
  /** Where the keys are stored (shared by every instance). */
  repository: Pick<SigningKeysRepository, 'list' | 'insert' | 'delete'>;
  /** 32 bytes: the AES-256-GCM key private keys are sealed with. */
  keyEncryptionKey: Uint8Array;
  /**
   * Key-encryption keys of before a rotation: keys sealed under them still open (each sealed text names its key);
   * new keys are sealed under `keyEncryptionKey` only. `trustgate keys rotate` re-seals the old ones.
   */
  previousKeyEncryptionKeys?: readonly Uint8Array[];
  /** The algorithm new keys are made for; default RS256 (2,048-bit RSA). */
  algorithm?: SigningAlgorithm;
  policy: KeyRingPolicy;
  /** The clock; default the system clock. */
  clock?: () => Date;
  /**
   * How long (ms) the key ring read from the store is reused; default 5,000. It must stay well below
   * `publishAheadMs`, so every instance has read a new key before it starts signing.
   */
  ringCacheMs?: number;
}

/** A key as the operator sees it: never the private key. */
export interface SigningKeyView {
  kid: string;
  generation: number;
  algorithm: SigningAlgorithm;
  createdAt: string;
  activatesAt: string;
  state: 'next' | 'signing' | 'retired';
}

/** The key that signs now, ready for jose. */
export interface ActiveSigner {
  kid: string;
  algorithm: SigningAlgorithm;
  key: CryptoKey;
}

/** The issuer's keys: the JWKS, the signer, rotation. */
export interface IssuerKeys {
  /** The public keys to publish now (newest first): the next key, the signer and retired keys still needed. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** The key that signs now (made on first use; rotated when due). */
  signer(): Promise<ActiveSigner>;
  /**
   * Starts a rotation: a new key published now that signs after `publishAheadMs`; when a next key waits already, that
   * one. CONFLICT when the JWKS holds {@link MAX_PUBLISHED_KEYS} keys.
   */
  rotate(): Promise<SigningKeyView>;
  /** The stored keys, for the operator. */
  list(): Promise<SigningKeyView[]>;
  /**
   * Revokes a key (compromised): it is deleted, so it leaves the JWKS at once and the tokens it signed fail as soon
   * as verifiers re-read the JWKS. Revoking the signing key makes a new one that signs at once (no key can be
   * published ahead of an emergency; a waiting next key is revoked with it, as it would never sign). NOT_FOUND for
   * an unknown kid. Answers the keys left.
   */
  revoke(kid: string): Promise<SigningKeyView[]>;
}

/** A new key pair of generation `generation`, its private JWK sealed under `kek` and bound to its kid. */
async function makeKey(options: {
  algorithm: SigningAlgorithm;
  generation: number;
  kek: Uint8Array;
  now: Date;
  activatesAt: Date;
}): Promise<SigningKeyRecord> {
  const pair = await generateKeyPair(options.algorithm, { extractable: true, modulusLength: 2048 });
  const publicJwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicJwk); // RFC 7638: the same key always has the same kid
  const privateJwk = await exportJWK(pair.privateKey);
  return {
    kid,
    generation: options.generation,
    algorithm: options.algorithm,
    publicJwk: { ...publicJwk, kid, alg: options.algorithm, use: 'sig' },
    sealedPrivateKey: sealPrivateKey(JSON.stringify(privateJwk), options.kek, kid),
    createdAt: options.now.toISOString(),
    activatesAt: options.activatesAt.toISOString(),
  };
}

function view(keys: readonly SigningKeyRecord[], key: SigningKeyRecord, now: Date): SigningKeyView {
  const signer = signerAt(keys, now);
  const state = Date.parse(key.activatesAt) > now.getTime() ? 'next' : key === signer ? 'signing' : 'retired';
  return {
    kid: key.kid,
    generation: key.generation,
    algorithm: key.algorithm,
    createdAt: key.createdAt,
    activatesAt: key.activatesAt,
    state,
  };
}

/**
 * The issuer's signing keys over the store (issue 13). Keys are made by trustgate (RS256 2,048-bit by default, or
 * ES256, both accepted by AWS STS for web identity tokens), stored sealed, named by their RFC 7638 thumbprint, and
 * rotated with overlap: a new key is published `publishAheadMs` before it signs and a retired key stays published
 * until every token it signed has expired, then it is deleted. Generations are unique in the store, so instances
 * rotating at once make one key. The ring is re-read every `ringCacheMs`; which key signs is decided by time from it.
 */
export function createIssuerKeys(options: IssuerKeysOptions): IssuerKeys {
  const clock = options.clock ?? (() => new Date());
  const algorithm = options.algorithm ?? 'RS256';
  const ringCacheMs = options.ringCacheMs ?? 5000;
  const { policy, repository } = options;
  const keyring = keyringOf(options.keyEncryptionKey, options.previousKeyEncryptionKeys ?? [], 'identity key');
  let cached: { keys: SigningKeyRecord[]; readAt: number } | undefined;
  let loading: Promise<SigningKeyRecord[]> | undefined;
  const privateKeys = new Map<string, Promise<CryptoKey>>();

  async function addGeneration(keys: SigningKeyRecord[], now: Date, activatesAt: Date): Promise<void> {
    const generation = keys.reduce((g, k) => Math.max(g, k.generation), 0) + 1;
    const key = await makeKey({ algorithm, generation, kek: options.keyEncryptionKey, now, activatesAt });
    await repository.insert(key); // false: another instance made this generation first; its key is read next
  }

  async function load(): Promise<SigningKeyRecord[]> {
    const now = clock();
    let keys = await repository.list();
    const due = rotationDue(keys, now, policy);
    if (due !== undefined) {
      await addGeneration(keys, now, due === 'initial' ? now : new Date(now.getTime() + policy.publishAheadMs));
      keys = await repository.list();
    }
    const expired = expiredAt(keys, now, policy);
    if (expired.length > 0) {
      await repository.delete(expired.map((k) => k.kid));
      for (const k of expired) privateKeys.delete(k.kid);
      keys = keys.filter((k) => !expired.includes(k));
    }
    cached = { keys, readAt: now.getTime() };
    return keys;
  }

  async function ring(): Promise<SigningKeyRecord[]> {
    const now = clock().getTime();
    if (cached !== undefined && now - cached.readAt < ringCacheMs && now >= cached.readAt) return cached.keys;
    loading ??= load().finally(() => {
      loading = undefined;
    });
    return loading;
  }

  function privateKey(key: SigningKeyRecord): Promise<CryptoKey> {
    let found = privateKeys.get(key.kid);
    if (found === undefined) {
      const jwk = JSON.parse(openPrivateKey(key.sealedPrivateKey, keyring, key.kid)) as JWK;
      found = importJWK(jwk, key.algorithm) as Promise<CryptoKey>;
      privateKeys.set(key.kid, found);
    }
    return found;
  }

  return {
    async jwks() {
      const keys = await ring();
      return { keys: publishedAt(keys, clock(), policy).map((k) => k.publicJwk) };
    },
    async signer() {
      const keys = await ring();
      const key = signerAt(keys, clock());
      if (key === undefined) throw new TrustgateError('INTERNAL', 'The OIDC issuer has no signing key.');
      return { kid: key.kid, algorithm: key.algorithm, key: await privateKey(key) };
    },
    async rotate() {
      cached = undefined;
      let keys = await ring();
      const now = clock();
      const pending = pendingAt(keys, now);
      if (pending !== undefined) return view(keys, pending, now);
      if (publishedAt(keys, now, policy).length >= MAX_PUBLISHED_KEYS)
        throw new TrustgateError(
          'CONFLICT',
          `The JWKS holds ${MAX_PUBLISHED_KEYS} keys already; rotate again once a retired key has left it.`,
        );
      await addGeneration(keys, now, new Date(now.getTime() + policy.publishAheadMs));
      cached = undefined;
      keys = await ring();
      const next = pendingAt(keys, now);
      if (next === undefined) throw new TrustgateError('INTERNAL', 'The new signing key was not stored.');
      return view(keys, next, now);
    },
    async list() {
      const keys = await ring();
      const now = clock();
      return keys.map((k) => view(keys, k, now)).sort((a, b) => b.generation - a.generation);
    },
    async revoke(kid) {
      cached = undefined;
      const keys = await ring();
      const now = clock();
      const key = keys.find((k) => k.kid === kid);
      if (key === undefined) throw new TrustgateError('NOT_FOUND', `No signing key ${kid}.`);
      const wasSigner = signerAt(keys, now) === key;
      const gone = wasSigner ? keys.filter((k) => k === key || ms(k.activatesAt) > now.getTime()) : [key];
      await repository.delete(gone.map((k) => k.kid));
      for (const k of gone) privateKeys.delete(k.kid);
      const left = keys.filter((k) => !gone.includes(k));
      if (wasSigner) await addGeneration(left, now, now);
      cached = undefined;
      return this.list();
    },
  };
}
