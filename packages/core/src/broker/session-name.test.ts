import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyParameters } from '../../test/support/property-seed.ts';
import { roleSessionName, sourceIdentity } from './index.ts';

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const SOURCE_IDENTITY = /^[\w=,.@-]{2,64}$/;

describe('roleSessionName', () => {
  it('keeps a label that AWS accepts as it is', () => {
    expect(roleSessionName('tg-prod-network-run_01HX9+a=b,c.d@e')).toBe('tg-prod-network-run_01HX9+a=b,c.d@e');
    expect(roleSessionName('ab')).toBe('ab');
    expect(roleSessionName('x'.repeat(64))).toBe('x'.repeat(64));
  });

  it('replaces invalid characters and appends a hash, so "a b" and "a/b" stay distinct', () => {
    const a = roleSessionName('tg-prod-run 42');
    const b = roleSessionName('tg-prod-run/42');
    expect(a).toMatch(/^tg-prod-run_42-[0-9A-Za-z]{10}$/);
    expect(b).toMatch(/^tg-prod-run_42-[0-9A-Za-z]{10}$/);
    expect(a).not.toBe(b);
  });

  it('shortens a label over 64 characters to a prefix, "-" and a 10-character hash of the whole label', () => {
    const long = `tg-${'stack'.repeat(20)}-run-1`;
    const name = roleSessionName(long);
    expect(name).toHaveLength(64);
    expect(name.startsWith(long.slice(0, 53))).toBe(true);
    expect(name).toMatch(/-[0-9A-Za-z]{10}$/);
    // Two labels with the same first 64 characters differ in their names.
    expect(roleSessionName(`${long}-2`)).not.toBe(roleSessionName(`${long}-3`));
    expect(roleSessionName(long)).toBe(name);
  });

  it('pads labels shorter than 2 characters and takes non-strings without throwing', () => {
    for (const text of ['', 'a', ' ', '\u0000']) expect(roleSessionName(text)).toMatch(SESSION_NAME);
    expect(roleSessionName('')).not.toBe(roleSessionName('a'));
    expect(roleSessionName(undefined as unknown as string)).toMatch(SESSION_NAME);
    expect(roleSessionName(42 as unknown as string)).toMatch(SESSION_NAME);
  });

  it('counts characters by code point: emoji and astral text give valid names', () => {
    expect(roleSessionName('run-😀😀')).toMatch(/^run-__-[0-9A-Za-z]{10}$/);
    expect(roleSessionName('ü'.repeat(100))).toMatch(SESSION_NAME);
  });

  it('ATTACK: a label shaped like a hashed name cannot take over the hashed name of another label', () => {
    const victim = roleSessionName('run 1');
    expect(roleSessionName(victim)).not.toBe(victim);
  });
});

describe('sourceIdentity', () => {
  it('follows the same rules and also replaces "+"', () => {
    expect(sourceIdentity('tg-prod-run-1')).toBe('tg-prod-run-1');
    expect(sourceIdentity('a+b')).toMatch(/^a_b-[0-9A-Za-z]{10}$/);
    expect(sourceIdentity('x'.repeat(80))).toHaveLength(64);
  });
});

describe('properties', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 120 }),
    fc.string({ unit: 'binary', maxLength: 90 }),
    fc.stringMatching(/^[\w+=,.@-]{0,80}$/),
  );
  it('any text gives a valid name, deterministically', () => {
    fc.assert(
      fc.property(text, (t) => {
        const name = roleSessionName(t);
        expect(name).toMatch(SESSION_NAME);
        expect(roleSessionName(t)).toBe(name);
        expect(sourceIdentity(t)).toMatch(SOURCE_IDENTITY);
      }),
      propertyParameters({ numRuns: 500 }),
    );
  });
  it('distinct texts give distinct names', () => {
    fc.assert(
      fc.property(text, text, (a, b) => {
        fc.pre(a !== b);
        expect(roleSessionName(a) === roleSessionName(b)).toBe(false);
        expect(sourceIdentity(a) === sourceIdentity(b)).toBe(false);
      }),
      propertyParameters({ numRuns: 500 }),
    );
  });
});
