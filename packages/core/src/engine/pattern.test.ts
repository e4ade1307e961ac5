import { describe, expect, it } from 'vitest';
import { CompiledPattern, parsePattern } from './pattern.ts';
import type { ContextEntry } from './request-context.ts';

const ctx = (entries: Record<string, string | string[]>): Map<string, ContextEntry> =>
  new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), { values: [v].flat(), multi: Array.isArray(v) }]));

describe('CompiledPattern', () => {
  it('matches * across any run, including slashes and colons, and ? as exactly one character', () => {
    const p = new CompiledPattern('a*b?c', { wildcards: true });
    expect(p.matches('ab1c', ctx({}))).toBe(true);
    expect(p.matches('a/x:yb1c', ctx({}))).toBe(true);
    expect(p.matches('abc', ctx({}))).toBe(false);
    expect(p.matches('ab12c', ctx({}))).toBe(false);
  });

  it('treats regular-expression characters literally', () => {
    const p = new CompiledPattern('a.b+(c)[d]$', { wildcards: true });
    expect(p.matches('a.b+(c)[d]$', ctx({}))).toBe(true);
    expect(p.matches('aXb+(c)[d]$', ctx({}))).toBe(false);
  });

  it('ignores case only when asked', () => {
    expect(new CompiledPattern('s3:Get*', { wildcards: true, ignoreCase: true }).matches('S3:GETOBJECT', ctx({}))).toBe(
      true,
    );
    expect(new CompiledPattern('Get*', { wildcards: true }).matches('getObject', ctx({}))).toBe(false);
  });

  it('resolves variables case-insensitively, with defaults, and reports the unresolved one', () => {
    const p = new CompiledPattern("home/${aws:username}/${aws:PrincipalTag/team, 'none'}/*", {
      wildcards: true,
      variables: true,
    });
    expect(p.matches('home/alice/none/x', ctx({ 'AWS:USERNAME': 'alice' }))).toBe(true);
    expect(p.matches('home/alice/blue/x', ctx({ 'aws:username': 'alice', 'aws:PrincipalTag/team': 'blue' }))).toBe(
      true,
    );
    expect(p.matches('home/bob/none/x', ctx({}))).toEqual({ unresolved: 'aws:username' });
  });

  it('does not resolve multivalued keys, and treats resolved text as literal', () => {
    const p = new CompiledPattern('${aws:TagKeys}', { wildcards: true, variables: true });
    expect(p.matches('a', ctx({ 'aws:TagKeys': ['a'] }))).toEqual({ unresolved: 'aws:TagKeys' });
    const q = new CompiledPattern('x${aws:username}', { wildcards: true, variables: true });
    expect(q.matches('xanything', ctx({ 'aws:username': '*' }))).toBe(false);
    expect(q.matches('x*', ctx({ 'aws:username': '*' }))).toBe(true);
  });

  it('reads ${*}, ${?}, ${$} as literal characters and an unterminated ${ as text', () => {
    expect(parsePattern('${*}${?}${$}${', { wildcards: true, variables: true })).toEqual([
      { kind: 'text', text: '*?$${' },
    ]);
  });

  it('reads ${...} literally when variables are off (Version 2008-10-17)', () => {
    const p = new CompiledPattern('${aws:username}', { variables: false });
    expect(p.matches('${aws:username}', ctx({ 'aws:username': 'alice' }))).toBe(true);
  });
});
