import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyParameters } from '../../test/support/property-seed.ts';
import { oidcSubject, oidcSubjectPattern, parseOidcSubject, type OidcSubjectParts } from './index.ts';

/** StringLike as IAM evaluates it: `*` any run, `?` one character, case-sensitive, whole value. */
function stringLike(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}

/** Values rich in the characters that matter: separators, escapes, wildcards, and escape-looking text. */
const value = fc.oneof(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc
    .array(fc.constantFrom(':', '%', '*', '?', '3A', '%3A', '25', 'a', 'org', 'stack', 'é'), {
      minLength: 1,
      maxLength: 6,
    })
    .map((a) => a.join('')),
);
const parts = fc.record({
  org: value,
  space: value,
  stack: value,
  phase: fc.constantFrom('read' as const, 'write' as const),
});

describe('oidcSubject', () => {
  it('is org:<org>:space:<space>:stack:<stack>:phase:<phase> with : and % escaped', () => {
    expect(oidcSubject({ org: 'org_1', space: 'spc_2', stack: 'prod-network', phase: 'write' })).toBe(
      'org:org_1:space:spc_2:stack:prod-network:phase:write',
    );
    expect(oidcSubject({ org: 'a:b', space: '100%', stack: 'x*?', phase: 'read' })).toBe(
      'org:a%3Ab:space:100%25:stack:x%2A%3F:phase:read',
    );
  });

  it.each([
    [{ org: '', space: 's', stack: 't', phase: 'read' }, 'org'],
    [{ org: 'o', space: '', stack: 't', phase: 'read' }, 'space'],
    [{ org: 'o', space: 's', stack: '', phase: 'read' }, 'stack'],
    [{ org: 'o', space: 's', stack: 't', phase: 'apply' }, 'phase'],
  ])('refuses %j naming %s', (input, field) => {
    expect(() => oidcSubject(input as OidcSubjectParts)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field }),
    );
  });

  it('parses back exactly what it wrote, for any values (property)', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const sub = oidcSubject(p);
        expect(sub.split(':')).toHaveLength(8);
        expect(sub).not.toMatch(/[*?]/);
        expect(parseOidcSubject(sub)).toEqual(p);
      }),
      propertyParameters({ numRuns: 500 }),
    );
  });

  it('two different runs never share a subject (property)', () => {
    fc.assert(
      fc.property(parts, parts, (a, b) => {
        const same = a.org === b.org && a.space === b.space && a.stack === b.stack && a.phase === b.phase;
        expect(oidcSubject(a) === oidcSubject(b)).toBe(same);
      }),
      propertyParameters({ numRuns: 500 }),
    );
  });

  it.each([
    'org:a:space:b:stack:c:phase:plan',
    'org:a:space:b:stack:c',
    'org:a:space:b:stack:c:phase:read:x',
    'org::space:b:stack:c:phase:read',
    'org:a%3:space:b:stack:c:phase:read',
    'org:a%41:space:b:stack:c:phase:read',
    'org:a*:space:b:stack:c:phase:read',
    'organization:a:space:b:stack:c:phase:read',
  ])('parses %s as no subject of trustgate', (sub) => {
    expect(parseOidcSubject(sub)).toBeUndefined();
  });
});

describe('oidcSubjectPattern', () => {
  it('leaves out what is not named as *', () => {
    expect(oidcSubjectPattern({ org: 'o', stack: 'a' })).toBe('org:o:space:*:stack:a:phase:*');
    expect(oidcSubjectPattern({ org: 'o', phase: 'read' })).toBe('org:o:space:*:stack:*:phase:read');
    expect(oidcSubjectPattern({ org: 'o*' })).toBe('org:o%2A:space:*:stack:*:phase:*');
  });

  it('admits a subject exactly when every named part is equal (property, IAM StringLike)', () => {
    const named = fc.record(
      { space: value, stack: value, phase: fc.constantFrom('read' as const, 'write' as const) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        parts,
        named,
        parts,
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        (lock, which, other, keep) => {
          // The run shares some of the lock's values, so equal and unequal parts are both common.
          const run = {
            org: keep[0] ? lock.org : other.org,
            space: keep[1] ? lock.space : other.space,
            stack: keep[2] ? lock.stack : other.stack,
            phase: keep[3] ? lock.phase : other.phase,
          };
          const spec = {
            org: lock.org,
            ...(which.space === undefined ? {} : { space: lock.space }),
            ...(which.stack === undefined ? {} : { stack: lock.stack }),
            ...(which.phase === undefined ? {} : { phase: lock.phase }),
          };
          const admitted = stringLike(oidcSubjectPattern(spec), oidcSubject(run));
          const expected =
            run.org === spec.org &&
            (spec.space === undefined || run.space === spec.space) &&
            (spec.stack === undefined || run.stack === spec.stack) &&
            (spec.phase === undefined || run.phase === spec.phase);
          expect(admitted).toBe(expected);
          // The locked run itself is always admitted.
          expect(stringLike(oidcSubjectPattern(spec), oidcSubject({ ...lock }))).toBe(true);
        },
      ),
      propertyParameters({ numRuns: 800 }),
    );
  });
});
