import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TrustgateError } from '@trustgate/core';
import { keyById, keyId, keysOf, type Keyring } from '../../model/keyring.ts';

/** Sealed before keyrings: `v1.<iv>.<tag>.<ct>`, under the one key of the time (tried with every key held). */
const V1 = 'v1';
/** `v2.<key id>.<iv>.<tag>.<ct>`: the key id names the key-encryption key it was sealed under. */
const V2 = 'v2';
/** What identity key ids are hashed with ({@link identityKeyId}). */
export const IDENTITY_KEY_ID_LABEL = 'trustgate identity key id';
const KEY_ID_LABEL = IDENTITY_KEY_ID_LABEL;

function checkedKey(key: Uint8Array): Uint8Array {
  if (key.byteLength !== 32)
    throw new TrustgateError('INVALID_INPUT', 'The identity key-encryption key must be 32 bytes (AES-256).', {
      field: 'identity.keyEncryptionKey',
    });
  return key;
}

function aad(kid: string): Buffer {
  return Buffer.from(`trustgate signing key\0${kid}`, 'utf8');
}

/** The id of an identity key-encryption key as sealed texts name it (a hash, never the key). */
export function identityKeyId(key: Uint8Array): string {
  return keyId(KEY_ID_LABEL, key);
}

/**
 * A signing key's private JWK sealed at rest: AES-256-GCM (NIST SP 800-38D) with a random 96-bit IV per key and the
 * `kid` as additional authenticated data, so a sealed key copied into another row does not open. The text is
 * `v2.<key id>.<iv>.<tag>.<ciphertext>` (base64url), the key id naming `key` ({@link identityKeyId}).
 */
export function sealPrivateKey(plain: string, key: Uint8Array, kid: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', checkedKey(key), iv);
  cipher.setAAD(aad(kid));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [V2, identityKeyId(key), iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** The id of the key `sealed` was sealed under; undefined for a text of before keyrings (v1) or not sealed. */
export function sealedKeyId(sealed: string): string | undefined {
  const [version, id] = sealed.split('.');
  return version === V2 ? id : undefined;
}

function open(key: Uint8Array, kid: string, iv: string, tag: string, ct: string): string {
  const decipher = createDecipheriv('aes-256-gcm', checkedKey(key), Buffer.from(iv, 'base64url'));
  decipher.setAAD(aad(kid));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
}

/**
 * Opens what {@link sealPrivateKey} sealed for `kid`, under one key or a keyring: a v2 text with the key its id
 * names (the current or a previous one), a v1 text (sealed before keyrings, untagged) with whichever key of the ring
 * opens it. A key not held, another kid or any change to the text is INTERNAL ("cannot be opened"), with nothing of
 * the key or the text in the message.
 */
export function openPrivateKey(sealed: string, keys: Uint8Array | Keyring, kid: string): string {
  const ring: Keyring = keys instanceof Uint8Array ? { current: keys, previous: [] } : keys;
  const parts = sealed.split('.');
  const fail = () =>
    new TrustgateError(
      'INTERNAL',
      `Signing key ${kid} cannot be opened with the configured key-encryption keys (identity.keyEncryptionKey and its previous keys).`,
    );
  const candidates =
    parts[0] === V2 && parts.length === 5
      ? [keyById(ring, KEY_ID_LABEL, parts[1] ?? '')].filter((k) => k !== undefined)
      : parts[0] === V1 && parts.length === 4
        ? keysOf(ring)
        : [];
  const [iv, tag, ct] = parts.slice(parts[0] === V2 ? 2 : 1);
  if (iv === undefined || tag === undefined || ct === undefined) throw fail();
  for (const key of candidates) {
    try {
      return open(key, kid, iv, tag, ct);
    } catch (error) {
      if (error instanceof TrustgateError) throw error;
    }
  }
  throw fail();
}
