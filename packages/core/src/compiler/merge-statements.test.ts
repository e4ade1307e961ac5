import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyParameters } from '../../test/support/property-seed.ts';
import type { NormalStatement } from './compile-types.ts';
import { grantsOfNormal, sameGrants } from './grant-set.testing.ts';
import { mergeStatements } from './merge-statements.ts';

const exact = (a: string): string[] => [a];
const allow = (actions: string[], resources = ['*'], conditions?: NormalStatement['conditions']): NormalStatement => ({
  effect: 'Allow',
  actions,
  resources,
  ...(conditions ? { conditions } : {}),
});

describe('mergeStatements rules', () => {
  it('rule 1: same effect, resources and conditions -> union of actions, deduplicated case-insensitively', () => {
    const out = mergeStatements([
      allow(['ec2:RunInstances', 'ec2:CreateTags'], ['arn:aws:x']),
      allow(['ec2:CreateTags', 'iam:ListRoles'], ['arn:aws:x']),
    ]);
    expect(out).toEqual([allow(['ec2:CreateTags', 'ec2:RunInstances', 'iam:ListRoles'], ['arn:aws:x'])]);
  });

  it('rule 2: same effect, actions and conditions -> union of resources', () => {
    const out = mergeStatements([
      allow(['iam:PassRole'], ['arn:aws:iam::*:role/b']),
      allow(['iam:PassRole'], ['arn:aws:iam::*:role/a']),
    ]);
    expect(out).toEqual([allow(['iam:PassRole'], ['arn:aws:iam::*:role/a', 'arn:aws:iam::*:role/b'])]);
  });

  it('rule 3: an unconditional grant on * removes the same action from narrower statements', () => {
    const out = mergeStatements([
      allow(['iam:GetRole', 'iam:PassRole'], ['arn:aws:iam::*:role/a']),
      allow(['iam:GetRole']),
    ]);
    expect(out).toEqual([allow(['iam:GetRole']), allow(['iam:PassRole'], ['arn:aws:iam::*:role/a'])]);
  });

  it('keeps different conditions and different effects apart', () => {
    const c = { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } };
    const deny: NormalStatement = { effect: 'Deny', actions: ['iam:PassRole'], resources: ['*'] };
    const out = mergeStatements([
      allow(['iam:PassRole'], ['arn:aws:iam::*:role/*'], c),
      allow(['iam:PassRole'], ['arn:aws:iam::*:role/*']),
      deny,
    ]);
    expect(out).toHaveLength(3);
    expect(out[out.length - 1]).toEqual(deny);
  });

  it('takes conditions in normal form: value order does not keep statements apart', () => {
    const a = allow(['s3:GetObject'], ['arn:aws:s3:::b/*'], { StringEquals: { 'aws:SourceAccount': ['2', '1'] } });
    const b = allow(['s3:PutObject'], ['arn:aws:s3:::b/*'], { StringEquals: { 'aws:SourceAccount': ['1', '2', '1'] } });
    expect(mergeStatements([a, b])).toEqual([
      allow(['s3:GetObject', 's3:PutObject'], ['arn:aws:s3:::b/*'], {
        StringEquals: { 'aws:SourceAccount': ['1', '2'] },
      }),
    ]);
  });
});

const ACTIONS = [
  'ec2:RunInstances',
  'ec2:CreateTags',
  'EC2:createtags',
  'iam:PassRole',
  'iam:GetRole',
  's3:GetObject',
  's3:PutObject',
  'sts:GetCallerIdentity',
];
const RESOURCES = ['*', 'arn:aws:iam::*:role/a', 'arn:aws:iam::*:role/b', 'arn:aws:s3:::bucket/*'];
const CONDITIONS: Array<NormalStatement['conditions']> = [
  undefined,
  { StringEquals: { 'aws:SourceAccount': '123456789012' } },
  { Bool: { 'aws:SecureTransport': 'true' } },
];
const statement = fc
  .record({
    effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Allow', 'Deny'),
    actions: fc.uniqueArray(fc.constantFrom(...ACTIONS), { minLength: 1, maxLength: 5 }),
    resources: fc.uniqueArray(fc.constantFrom(...RESOURCES), { minLength: 1, maxLength: 3 }),
    conditions: fc.constantFrom(...CONDITIONS),
  })
  .map(({ conditions, ...s }): NormalStatement => (conditions ? { ...s, conditions } : s));

describe('mergeStatements properties', () => {
  it('allows (and denies) exactly what the unmerged statements did', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 12 }), (input) => {
        const merged = mergeStatements(input);
        expect(sameGrants(grantsOfNormal(input, exact), grantsOfNormal(merged, exact))).toEqual({
          missing: [],
          extra: [],
        });
      }),
      propertyParameters({ numRuns: 300 }),
    );
  });

  it('never grows, is idempotent and does not depend on input order', () => {
    fc.assert(
      fc.property(fc.array(statement, { maxLength: 12 }), fc.func(fc.integer()), (input, f) => {
        const merged = mergeStatements(input);
        expect(merged.length).toBeLessThanOrEqual(input.length);
        expect(mergeStatements(merged)).toEqual(merged);
        const shuffled = input
          .map((s, i) => ({ s, k: f(i) }))
          .sort((a, b) => a.k - b.k)
          .map(({ s }) => s);
        expect(JSON.stringify(mergeStatements(shuffled))).toBe(JSON.stringify(merged));
      }),
      propertyParameters({ numRuns: 200 }),
    );
  });
});
