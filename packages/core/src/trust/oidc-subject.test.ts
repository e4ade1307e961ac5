import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyParameters } from '../../test/support/property-seed.ts';
import {
  DEFAULT_OIDC_SUBJECT_TEMPLATE,
  oidcSubject,
  oidcSubjectPattern,
  parseOidcSubject,
  validateOidcSubjectTemplate,
  type OidcSubjectParts,
} from './index.ts';

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

describe('subject templates', () => {
  const run = { org: 'org_1', space: 'spc_2', stack: 'stk_3', stackSlug: 'net', phase: 'write' as const };

  it('writes the default template as the default subject, and another shape with escaped values', () => {
    expect(oidcSubject(run, DEFAULT_OIDC_SUBJECT_TEMPLATE)).toBe(oidcSubject(run));
    const hcp = 'organization:{org}:project:{space}:workspace:{stack}:slug:{stack_slug}:run-phase:{phase}';
    expect(oidcSubject(run, hcp)).toBe('organization:org_1:project:spc_2:workspace:stk_3:slug:net:run-phase:write');
    expect(oidcSubject({ ...run, stack: 'a:b*' }, hcp)).toContain(':workspace:a%3Ab%2A:');
    expect(oidcSubjectPattern({ org: 'org_1', stack: 'stk_3' }, hcp)).toBe(
      'organization:org_1:project:*:workspace:stk_3:slug:*:run-phase:*',
    );
    expect(() => oidcSubject({ ...run, stackSlug: undefined } as OidcSubjectParts, hcp)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'stackSlug' }),
    );
  });

  it.each([
    ['', 'non-empty'],
    ['org:{org}:phase:{phase}', '{stack} must appear exactly once'],
    ['stack:{stack}:phase:{phase}', '{org} must appear exactly once'],
    ['org:{org}:stack:{stack}', '{phase} must appear exactly once'],
    ['org:{org}:stack:{stack}:x:{stack}:phase:{phase}', '{stack} must appear exactly once'],
    ['org:{org}:s:{space}:t:{space}:stack:{stack}:phase:{phase}', '{space} at most once'],
    ['org:{org}:run:{run}:stack:{stack}:phase:{phase}', '{run} is not a placeholder'],
    ['org:{org}:stack:*:{stack}:phase:{phase}', '"*" is not allowed'],
    ['org:{org}:stack:{stack}:phase:{phase}?', '"?" is not allowed'],
    ['org:{org}:stack:${stack}:phase:{phase}', '"$" is not allowed'],
    ['org:{org}:stack:%{stack}:phase:{phase}', '"%" is not allowed'],
    ['org:org_x:{org}:stack:{stack}:phase:{phase}', '"_" is not allowed'],
    ['org:{org} :stack:{stack}:phase:{phase}', '" " is not allowed'],
    ['org:{org}:stack:{stack}}:phase:{phase}', '"}" is not allowed'],
    ['org:{org}-{stack}:phase:{phase}', 'put a ":" between any two placeholders'],
    ['org:{org}:stack:{stack}:{phase}:x', 'must end with {phase}'],
    [`org:{org}:stack:{stack}:${'x'.repeat(200)}:{phase}`, 'at most 200 characters'],
  ])('refuses the template %j (%s), naming the field', (template, why) => {
    expect(() => validateOidcSubjectTemplate(template, 'oidcSubject.template')).toThrow(
      expect.objectContaining({
        code: 'INVALID_INPUT',
        field: 'oidcSubject.template',
        message: expect.stringContaining(why),
      }),
    );
  });

  // Templates assembled from labels and placeholders, each placeholder in its own segment, ending with {phase}.
  const label = fc.constantFrom('org', 'organization', 'space', 'stack', 'phase', 'read', 'write', 'x', 'a.b', 'p=1');
  const template = fc
    .record({
      labels: fc.array(label, { minLength: 6, maxLength: 6 }),
      order: fc.shuffledSubarray(['{org}', '{space}', '{stack}', '{stack_slug}'], { minLength: 4 }),
      drop: fc.subarray(['{space}', '{stack_slug}']),
      prefixed: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    })
    .map(({ labels, order, drop, prefixed }) => {
      const slots = [...order.filter((p) => !drop.includes(p)), '{phase}'];
      return slots.map((p, i) => (prefixed[i] ? `${labels[i]}:${p}` : p)).join(':');
    })
    .filter((t) => {
      try {
        validateOidcSubjectTemplate(t);
        return true;
      } catch {
        return false;
      }
    });
  // trustgate's IDs: a prefix, "_" and 16 characters of base64url (store/new-id.ts); slugs a-z 0-9 -.
  const b64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const id = (prefix: string) =>
    fc.array(fc.constantFrom(...b64), { minLength: 16, maxLength: 16 }).map((a) => `${prefix}_${a.join('')}`);
  const idRun = fc.record({
    org: fc.oneof(id('org'), fc.constant('org_AAAAAAAAAAAAAAAA')),
    space: fc.oneof(id('spc'), fc.constant('none')),
    stack: fc.oneof(id('stk'), fc.constant('stk_AAAAAAAAAAAAAAAA')),
    stackSlug: fc.oneof(fc.constantFrom('read', 'write', 'org', 'stack', 'a'), fc.stringMatching(/^[a-z0-9-]{1,8}$/)),
    phase: fc.constantFrom('read' as const, 'write' as const),
  });

  it('any valid template is as exact as the default, even a pattern of one template against a subject of another (property)', () => {
    fc.assert(
      fc.property(
        template,
        template,
        idRun,
        idRun,
        fc.boolean(),
        fc.boolean(),
        (t1, t2, lock, other, lockStack, lockPhase) => {
          const spec = {
            org: lock.org,
            ...(lockStack ? { stack: lock.stack } : {}),
            ...(lockPhase ? { phase: lock.phase } : {}),
          };
          const pattern = oidcSubjectPattern(spec, t1);
          const admits = (r: typeof lock, t: string) => stringLike(pattern, oidcSubject(r, t));
          const fits = (r: typeof lock) =>
            r.org === lock.org && (!lockStack || r.stack === lock.stack) && (!lockPhase || r.phase === lock.phase);
          expect(admits(lock, t1)).toBe(true);
          // With its own template: exactly the runs the lock names. With another template: never a run it does not.
          expect(admits(other, t1)).toBe(fits(other));
          if (!fits(other)) expect(admits(other, t2)).toBe(false);
        },
      ),
      propertyParameters({ numRuns: 1500 }),
    );
  });
});
