import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../policy-document/index.ts';
import { propertyParameters } from '../../test/support/property-seed.ts';
import { evaluateRequest } from './evaluate-request.ts';
import { validatePolicyDocument } from './validate-policy.ts';
import type { EvaluationRequest } from './types.ts';

const request: EvaluationRequest = {
  principal: { arn: 'arn:aws:iam::111122223333:user/alice' },
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::b/k',
  resourceAccountId: '111122223333',
  context: { 'aws:SourceIp': '10.0.0.1', 'aws:TagKeys': ['a'] },
};

const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
  ),
})).value;

const elementish = fc.oneof(
  fc.constantFrom('*', 's3:*', 's3:GetObject', 'arn:aws:s3:::b/*', '${aws:username}', 'arn:*', 'arn:aws', ''),
  jsonish,
);
const statementish = fc.record(
  {
    Effect: fc.oneof(fc.constantFrom('Allow', 'Deny'), jsonish),
    Action: elementish,
    NotAction: elementish,
    Resource: elementish,
    NotResource: elementish,
    Principal: fc.oneof(fc.constantFrom('*', { AWS: '*' }, { AWS: ['111122223333', 'x'] }), jsonish),
    Condition: fc.oneof(
      fc.dictionary(
        fc.constantFrom(
          'StringEquals',
          'ForAnyValue:StringLike',
          'IpAddress',
          'DateLessThan',
          'Null',
          'NumericGreaterThan',
          'Bogus',
        ),
        fc.dictionary(fc.constantFrom('aws:SourceIp', 'aws:TagKeys', 'x'), jsonish),
      ),
      jsonish,
    ),
  },
  { requiredKeys: [] },
);

describe('robustness', () => {
  it('never throws on malformed documents, and never allows through a malformed statement by accident', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          jsonish,
          fc.record({
            Version: fc.constantFrom('2012-10-17', '2008-10-17'),
            Statement: fc.oneof(statementish, fc.array(statementish, { maxLength: 3 })),
          }),
        ),
        (doc) => {
          const findings = validatePolicyDocument(doc, { kind: 'identity' });
          expect(Array.isArray(findings)).toBe(true);
          const result = evaluateRequest(request, { identityPolicies: [doc as PolicyDocument] });
          expect(['Allowed', 'ExplicitlyDenied', 'ImplicitlyDenied']).toContain(result.decision);
          // A document with no statement whose Effect is exactly "Allow" can never allow.
          const statements = (doc as { Statement?: unknown })?.Statement;
          const list = Array.isArray(statements) ? statements : [statements];
          if (!list.some((s) => typeof s === 'object' && s !== null && (s as { Effect?: unknown }).Effect === 'Allow'))
            expect(result.decision).not.toBe('Allowed');
        },
      ),
      propertyParameters({ numRuns: 1500 }),
    );
  });
});
