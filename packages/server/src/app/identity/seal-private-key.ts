import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TrustgateError } from '@trustgate/core';

const VERSION = 'v1';

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

/**
 * A signing key's private JWK sealed at rest: AES-256-GCM (NIST SP 800-38D) with a random 96-bit IV per key and the
 * `kid` as additional authenticated data, so a sealed key copied into another row does not open. The text is
 * `v1.<iv>.<tag>.<ciphertext>` (base64url).
 */
export function sealPrivateKey(plain: string, key: Uint8Array, kid: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', checkedKey(key), iv);
  cipher.setAAD(aad(kid));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ct]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/**
 * Opens what {@link sealPrivateKey} sealed for `kid`. Another key, another kid or any change to the text is INTERNAL
 * ("cannot be opened"), with nothing of the key or the text in the message.
 */
export function openPrivateKey(sealed: string, key: Uint8Array, kid: string): string {
  const [version, iv, tag, ct] = sealed.split('.');
  const fail = () =>
    new TrustgateError(
      'INTERNAL',
      `Signing key ${kid} cannot be opened with the configured key-encryption key (identity.keyEncryptionKey).`,
    );
  if (version !== VERSION || iv === undefined || tag === undefined || ct === undefined) throw fail();
  try {
    const decipher = createDecipheriv('aes-256-gcm', checkedKey(key), Buffer.from(iv, 'base64url'));
    decipher.setAAD(aad(kid));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch (error) {
    if (error instanceof TrustgateError) throw error;
    throw fail();
  }
}
