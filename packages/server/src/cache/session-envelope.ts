import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { keyById, keyId, type Keyring } from '../model/keyring.ts';
import type { CachedSession } from './credential-cache.ts';

/**
 * A cached session as stored outside the process: AES-256-GCM (NIST SP 800-38D) with a random 96-bit IV per
 * write and the storage key as additional authenticated data, so an envelope copied under another key does not
 * open. `kid` names the encryption key (a hash of it, never the key), so an instance holding another key knows
 * the envelope is not its own without trying.
 */
export interface SessionEnvelope {
  v: 1;
  kid: string;
  iv: string;
  tag: string;
  ct: string;
}

const FIELDS = [
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  'expiration',
  'issuedAt',
  'assumedRoleArn',
  'sessionName',
] as const satisfies readonly (keyof CachedSession)[];

const KEY_ID_LABEL = 'trustgate credential cache key id';

/** The id of `key`: the first 16 hex digits of SHA-256 over a label and the key. */
export function encryptionKeyId(key: Uint8Array): string {
  return keyId(KEY_ID_LABEL, key);
}

function checkedKey(key: Uint8Array): Uint8Array {
  if (key.byteLength !== 32) throw new RangeError('The credential cache encryption key must be 32 bytes (AES-256).');
  return key;
}

/** `session` sealed under `key`, bound to `storageKey`, as the JSON text of a {@link SessionEnvelope}. */
export function sealSession(session: CachedSession, key: Uint8Array, storageKey: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', checkedKey(key), iv);
  cipher.setAAD(Buffer.from(storageKey, 'utf8'));
  const plain = JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, session[f]])));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const envelope: SessionEnvelope = {
    v: 1,
    kid: encryptionKeyId(key),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ct: ct.toString('base64'),
  };
  return JSON.stringify(envelope);
}

function isEnvelope(value: unknown): value is SessionEnvelope {
  const e = value as Partial<Record<keyof SessionEnvelope, unknown>> | null;
  return (
    typeof e === 'object' &&
    e !== null &&
    e.v === 1 &&
    typeof e.kid === 'string' &&
    typeof e.iv === 'string' &&
    typeof e.tag === 'string' &&
    typeof e.ct === 'string'
  );
}

function isSession(value: unknown): value is CachedSession {
  const s = value as Record<string, unknown> | null;
  return typeof s === 'object' && s !== null && FIELDS.every((f) => typeof s[f] === 'string');
}

/**
 * The session sealed in `text` for `storageKey` under `keys` (one key, or a keyring: the envelope's kid picks the
 * current or a previous key, so entries written before a rotation stay readable until they expire), or undefined
 * when it cannot be read: not an envelope, sealed under a key not held (a lost key), altered, or sealed for another
 * storage key. Never throws for bad input: an unreadable entry is a miss (a new session is loaded and written over
 * it).
 */
export function openSession(text: string, keys: Uint8Array | Keyring, storageKey: string): CachedSession | undefined {
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isEnvelope(envelope)) return undefined;
  const ring: Keyring = keys instanceof Uint8Array ? { current: keys, previous: [] } : keys;
  const key = keyById(ring, KEY_ID_LABEL, envelope.kid);
  if (key === undefined) return undefined;
  try {
    const iv = Buffer.from(envelope.iv, 'base64');
    const tag = Buffer.from(envelope.tag, 'base64');
    if (iv.length !== 12 || tag.length !== 16) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', checkedKey(key), iv, { authTagLength: 16 });
    decipher.setAAD(Buffer.from(storageKey, 'utf8'));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]);
    const session: unknown = JSON.parse(plain.toString('utf8'));
    return isSession(session) ? session : undefined;
  } catch {
    return undefined;
  }
}
