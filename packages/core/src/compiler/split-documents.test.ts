import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policySize } from '../policy-document/index.ts';
import { propertyParameters } from '../../test/support/property-seed.ts';
import type { NormalStatement } from './compile-types.ts';
import { grantsOfDocuments, grantsOfNormal, sameGrants } from './grant-set.testing.ts';
import { splitDocuments, StatementTooLargeError } from './split-documents.ts';

const exact = (a: string): string[] => [a];
const names = fc.uniqueArray(
  fc.stringMatching(/^[A-Z][A-Za-z]{2,30}$/).map((n) => `svc:${n}`),
  { minLength: 1, maxLength: 300, selector: (s) => s.toLowerCase() },
);
const statement: fc.Arbitrary<NormalStatement> = fc.record({
  effect: fc.constantFrom<'Allow' | 'Deny'>('Allow', 'Deny'),
  actions: names,
  resources: fc.constantFrom<string[]>(
    ['*'],
    ['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*'],
    ['arn:aws:iam::123456789012:role/x'],
  ),
});

describe('splitDocuments', () => {
  it('keeps everything in one document when it fits, actions as a string when single', () => {
    const docs = splitDocuments(
      [{ effect: 'Allow', actions: ['iam:PassRole'], resources: ['arn:aws:iam::*:role/x'] }],
      6144,
    );
    expect(docs).toEqual([
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::*:role/x' }],
      },
    ]);
  });

  it('property: every document within the limit, the documents together grant exactly the input', () => {
    fc.assert(
      fc.property(
        fc.array(statement, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 200, max: 6144 }),
        (input, limit) => {
          const docs = splitDocuments(input, limit);
          for (const d of docs) expect(policySize(d)).toBeLessThanOrEqual(limit);
          expect(sameGrants(grantsOfNormal(input, exact), grantsOfDocuments(docs, exact))).toEqual({
            missing: [],
            extra: [],
          });
          // Near-optimal: no more than one document beyond the characters needed plus one statement per document.
          const total = input.reduce(
            (n, s) => n + JSON.stringify({ Effect: s.effect, Action: s.actions, Resource: s.resources }).length + 1,
            39,
          );
          expect(docs.length).toBeLessThanOrEqual(Math.ceil(total / (limit - 200)) + 1);
          expect(JSON.stringify(splitDocuments(input, limit))).toBe(JSON.stringify(docs));
        },
      ),
      propertyParameters({ numRuns: 150 }),
    );
  });

  it('refuses a statement that cannot fit even with one action', () => {
    const huge: NormalStatement = {
      effect: 'Allow',
      actions: ['s3:GetObject'],
      resources: Array.from({ length: 300 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`),
    };
    expect(() => splitDocuments([huge], 6144)).toThrow(StatementTooLargeError);
  });
});
