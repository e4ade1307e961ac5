import { createHash } from 'node:crypto';

/**
 * The keys one kind of data is encrypted under: the current key, which every new write uses, and previous keys,
 * still read so a rotation needs no downtime (old ciphertexts open, new ones are sealed under the current key).
 * Every ciphertext names the key it was sealed under by {@link keyId} (a hash, never the key), so a reader picks
 * the right key without trying each.
 */
export interface Keyring {
  current: Uint8Array;
  previous: readonly Uint8Array[];
}

/** A keyring of 32-byte keys; RangeError (naming `what`, never a key) when one is not 32 bytes. */
export function keyringOf(current: Uint8Array, previous: readonly Uint8Array[] = [], what = 'encryption key'): Keyring {
  for (const key of [current, ...previous])
    if (key.byteLength !== 32) throw new RangeError(`The ${what} must be 32 bytes (AES-256).`);
  const seen = new Set([Buffer.from(current).toString('hex')]);
  const rest: Uint8Array[] = [];
  for (const key of previous) {
    const hex = Buffer.from(key).toString('hex');
    if (seen.has(hex)) continue; // the current key given again as a previous one, or a duplicate
    seen.add(hex);
    rest.push(Uint8Array.from(key));
  }
  return { current: Uint8Array.from(current), previous: rest };
}

/** The id of `key` for ciphertexts of `label`: the first 16 hex digits of SHA-256 over the label, a NUL and the key. */
export function keyId(label: string, key: Uint8Array): string {
  return createHash('sha256').update(`${label}\0`).update(key).digest('hex').slice(0, 16);
}

/** Every key of the ring, the current one first. */
export function keysOf(ring: Keyring): Uint8Array[] {
  return [ring.current, ...ring.previous];
}

/** The key of `ring` whose {@link keyId} under `label` is `id`, if any. */
export function keyById(ring: Keyring, label: string, id: string): Uint8Array | undefined {
  return keysOf(ring).find((k) => keyId(label, k) === id);
}
