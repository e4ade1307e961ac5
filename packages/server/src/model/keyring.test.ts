import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { keyById, keyId, keyringOf, keysOf } from './keyring.ts';

describe('keyringOf', () => {
  it('holds the current key first and each previous key once (the current one given again is dropped)', () => {
    const [a, b, c] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    const ring = keyringOf(a, [b, a, c, b]);
    expect(keysOf(ring).map((k) => Buffer.from(k).toString('hex'))).toEqual([a, b, c].map((k) => k.toString('hex')));
    expect(keyById(ring, 'label', keyId('label', c))).toEqual(new Uint8Array(c));
    expect(keyById(ring, 'label', keyId('other label', c))).toBeUndefined();
    expect(keyById(ring, 'label', keyId('label', randomBytes(32)))).toBeUndefined();
  });

  it('refuses a key that is not 32 bytes, naming what it is and not the key', () => {
    const short = randomBytes(16);
    expect(() => keyringOf(randomBytes(32), [short], 'cache key')).toThrow('The cache key must be 32 bytes (AES-256).');
    expect(() => keyringOf(short)).toThrow(RangeError);
  });

  it('ids are 16 hex digits, differ per label and per key, and hold nothing of the key', () => {
    const key = randomBytes(32);
    const id = keyId('label', key);
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(keyId('label', key)).toBe(id);
    expect(keyId('label 2', key)).not.toBe(id);
    expect(key.toString('hex')).not.toContain(id);
  });
});
