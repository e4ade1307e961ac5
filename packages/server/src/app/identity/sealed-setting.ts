import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TrustgateError } from '@trustgate/core';
import { keyById, type Keyring } from '../../model/keyring.ts';
import type { Store } from '../../store/store.ts';
import { IDENTITY_KEY_ID_LABEL, identityKeyId } from './seal-private-key.ts';

/** `s1.<key id>.<iv>.<tag>.<ct>`: a shared setting sealed under the identity key (the key id as sealed keys name it). */
const PREFIX = 's1';

/** The shared settings that are secrets of the service: the callback-token and run-token HMAC keys. */
export const SEALED_SETTINGS = ['callback-secret', 'run-token-secret'] as const;

function aad(name: string): Buffer {
  return Buffer.from(`trustgate setting\0${name}`, 'utf8');
}

/** `value` of setting `name` sealed under `key` (AES-256-GCM, the name as additional data). */
export function sealSetting(value: string, key: Uint8Array, name: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(name));
  const ct = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return [PREFIX, identityKeyId(key), iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Whether `stored` is a sealed text (a plain secret is base64url: it holds no dot). */
function isSealed(stored: string): boolean {
  const parts = stored.split('.');
  return parts[0] === PREFIX && parts.length === 5;
}

/** Whether `stored` is sealed under `key` already. */
export function isSealedUnder(stored: string, key: Uint8Array): boolean {
  const [prefix, id] = stored.split('.');
  return prefix === PREFIX && id === identityKeyId(key);
}

/**
 * The value of setting `name` as stored: a sealed text opened with the key of `ring` its id names; a value of before
 * sealing (plain, as the store kept them) as it is. A key not held is INTERNAL, naming the setting, never a key.
 */
export function openSetting(stored: string, ring: Keyring, name: string): string {
  if (!isSealed(stored)) return stored;
  const parts = stored.split('.');
  const [, id, iv, tag, ct] = parts as [string, string, string, string, string];
  const key = keyById(ring, IDENTITY_KEY_ID_LABEL, id);
  try {
    if (key === undefined) throw new Error('no such key');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(aad(name));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new TrustgateError(
      'INTERNAL',
      `The stored setting ${name} cannot be opened with the configured identity keys (TRUSTGATE_IDENTITY_KEY and its previous keys).`,
    );
  }
}

/**
 * A secret shared setting (made once by whichever instance asks first): sealed under the ring's current key when
 * made, opened with the ring when read. Without a ring (a service given no identity key) it is kept plain, and one
 * stored sealed stops it with INTERNAL naming the setting: the sealed text is never taken for the secret.
 */
export async function secretSetting(
  store: Pick<Store, 'sharedSetting'>,
  name: (typeof SEALED_SETTINGS)[number],
  ring: Keyring | undefined,
): Promise<string> {
  const fresh = randomBytes(32).toString('base64url');
  if (ring === undefined) {
    const value = await store.sharedSetting(name, () => fresh);
    if (isSealed(value))
      throw new TrustgateError(
        'INTERNAL',
        `The stored setting ${name} is sealed under an identity key, and the service was given none: configure the key it was sealed with (storeKey or identity.keyEncryptionKey; trustgate serve: TRUSTGATE_IDENTITY_KEY, oidc.keyFile or the data directory's identity.key).`,
      );
    return value;
  }
  return openSetting(await store.sharedSetting(name, () => sealSetting(fresh, ring.current, name)), ring, name);
}
