import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyParameters } from '../../test/support/property-seed.ts';
import { credentialCacheKey } from './index.ts';

describe('credentialCacheKey', () => {
  const base = {
    roleArn: 'arn:aws:iam::444455556666:role/TrustgateAccess',
    externalId: 'abc@prod@read',
    sessionName: 'tg-prod-read',
    durationSeconds: 3600,
    region: 'eu-west-1',
    tags: { 'trustgate:stack': 'prod', 'trustgate:phase': 'read' },
  };

  it('is the SHA-256 hex of the canonical JSON, keys sorted at every level and undefined parts left out', () => {
    const expected = createHash('sha256')
      .update(
        JSON.stringify({
          durationSeconds: 3600,
          externalId: 'abc@prod@read',
          region: 'eu-west-1',
          roleArn: base.roleArn,
          sessionName: 'tg-prod-read',
          tags: { 'trustgate:phase': 'read', 'trustgate:stack': 'prod' },
        }),
      )
      .digest('hex');
    expect(credentialCacheKey({ ...base, policy: undefined })).toBe(expected);
    expect(credentialCacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not depend on the order of keys or tags', () => {
    const reordered = {
      tags: { 'trustgate:phase': 'read', 'trustgate:stack': 'prod' },
      region: 'eu-west-1',
      durationSeconds: 3600,
      sessionName: 'tg-prod-read',
      externalId: 'abc@prod@read',
      roleArn: base.roleArn,
    };
    expect(credentialCacheKey(reordered)).toBe(credentialCacheKey(base));
  });

  it('ATTACK: parts cannot be shifted between fields to forge another key', () => {
    // With naive concatenation "a|b" + "c" and "a" + "b|c" would collide.
    expect(credentialCacheKey({ x: 'a|b', y: 'c' })).not.toBe(credentialCacheKey({ x: 'a', y: 'b|c' }));
    expect(credentialCacheKey({ x: '1' })).not.toBe(credentialCacheKey({ x: 1 }));
    expect(credentialCacheKey({ x: ['a', 'b'] })).not.toBe(credentialCacheKey({ x: ['b', 'a'] }));
    expect(credentialCacheKey({ x: ['a'] })).not.toBe(credentialCacheKey({ x: 'a' }));
    expect(credentialCacheKey({ x: { a: 'b' } })).not.toBe(credentialCacheKey({ x: ['a', 'b'] }));
    // A part or tag named __proto__ counts like any other.
    const proto = JSON.parse('{"__proto__": "a", "y": "b"}') as Record<string, string>;
    expect(credentialCacheKey(proto)).not.toBe(credentialCacheKey({ y: 'b' }));
    expect(credentialCacheKey({ t: proto })).not.toBe(credentialCacheKey({ t: { y: 'b' } }));
  });

  it('refuses values it cannot write canonically', () => {
    for (const bad of [{ x: Number.NaN }, { x: { a: 1 } }, { x: [1] }, { x: null }, { x: true }]) {
      expect(() => credentialCacheKey(bad as never), JSON.stringify(bad)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: expect.stringMatching(/^x/) }),
      );
    }
  });

  it('property: changing any one part changes the key', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer()), { minKeys: 1, maxKeys: 5 }),
        fc.string(),
        (parts, replacement) => {
          const name = Object.keys(parts)[0] as string;
          fc.pre(parts[name] !== replacement);
          expect(credentialCacheKey({ ...parts, [name]: replacement })).not.toBe(credentialCacheKey(parts));
        },
      ),
      propertyParameters({ numRuns: 200 }),
    );
  });
});
