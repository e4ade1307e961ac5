import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../policy-document/index.ts';
import { compilePolicySet } from './compile-policy-set.ts';
import { evaluateRequest } from './evaluate-request.ts';
import type { EvaluationRequest } from './types.ts';

const A = '111122223333';
const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });
const request: EvaluationRequest = {
  principal: { arn: `arn:aws:iam::${A}:user/alice`, tags: { team: 'blue' } },
  action: 's3:GetObject',
  resource: 'arn:aws:s3:::b/k',
  resourceAccountId: A,
};

describe('evaluateRequest explanations', () => {
  it('names the failing condition with the policy and request values', () => {
    const policy = doc({
      Sid: 'TeamOnly',
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } },
    });
    const r = evaluateRequest(
      { ...request, context: { 'aws:ResourceTag/team': 'red' } },
      { identityPolicies: [policy] },
    );
    expect(r.decision).toBe('ImplicitlyDenied');
    const identity = r.explanation.policies.find((p) => p.policy === 'identity')!;
    expect(identity.statements).toEqual([
      {
        policy: 'identity',
        policyIndex: 0,
        statementIndex: 0,
        sid: 'TeamOnly',
        effect: 'Allow',
        matched: false,
        conditions: [
          {
            operator: 'StringEquals',
            key: 'aws:ResourceTag/team',
            policyValues: ['blue'],
            requestValues: ['red'],
            matched: false,
          },
        ],
      },
    ]);
    expect(r.explanation.summary.join(' ')).toContain('No policy allows it');
  });

  it('leaves out statements whose action or resource does not apply', () => {
    const policy = doc(
      { Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' },
    );
    const r = evaluateRequest(request, { identityPolicies: [policy] });
    expect(r.explanation.policies.find((p) => p.policy === 'identity')!.statements).toEqual([]);
  });

  it('adds the context keys AWS derives from the principal, without overriding the caller', () => {
    const policy = doc({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::b/*',
      Condition: {
        StringEquals: {
          'aws:PrincipalTag/team': 'blue',
          'aws:PrincipalType': 'User',
          'aws:username': 'alice',
          'aws:PrincipalAccount': A,
        },
      },
    });
    expect(evaluateRequest(request, { identityPolicies: [policy] }).decision).toBe('Allowed');
    expect(
      evaluateRequest({ ...request, context: { 'aws:PrincipalTag/team': 'red' } }, { identityPolicies: [policy] })
        .decision,
    ).toBe('ImplicitlyDenied');
  });

  it('lets the account root user act in its own account, but not past an explicit deny or across accounts', () => {
    const root = { ...request, principal: { arn: `arn:aws:iam::${A}:root` } };
    expect(evaluateRequest(root, {}).decision).toBe('Allowed');
    expect(
      evaluateRequest(root, {
        serviceControlPolicies: [
          [
            doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' }),
            doc({ Effect: 'Allow', Action: '*', Resource: '*' }),
          ],
        ],
      }).decision,
    ).toBe('ExplicitlyDenied');
    expect(evaluateRequest({ ...root, resourceAccountId: '444455556666' }, {}).decision).toBe('ImplicitlyDenied');
  });

  it('gives the same answer from a compiled set reused across requests', () => {
    const set = compilePolicySet({
      identityPolicies: [
        doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::home/${aws:username}/*' }),
      ],
    });
    expect(evaluateRequest({ ...request, resource: 'arn:aws:s3:::home/alice/x' }, set).decision).toBe('Allowed');
    expect(
      evaluateRequest(
        { ...request, principal: { arn: `arn:aws:iam::${A}:user/bob` }, resource: 'arn:aws:s3:::home/alice/x' },
        set,
      ).decision,
    ).toBe('ImplicitlyDenied');
  });

  it('accepts Date, number, boolean and array context values', () => {
    const policy = doc({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: {
        DateGreaterThan: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' },
        NumericLessThan: { 'aws:MultiFactorAuthAge': '60' },
        Bool: { 'aws:SecureTransport': 'true' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['a', 'b'] },
      },
    });
    const context = {
      'aws:TokenIssueTime': new Date('2025-01-01T00:00:00Z'),
      'aws:MultiFactorAuthAge': 5,
      'aws:SecureTransport': true,
      'aws:TagKeys': ['a'],
    };
    expect(evaluateRequest({ ...request, context }, { identityPolicies: [policy] }).decision).toBe('Allowed');
  });

  it('fails closed on an Effect IAM would reject', () => {
    const malformed = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'allow', Action: 's3:GetObject', Resource: '*' }],
    } as unknown as PolicyDocument;
    const r = evaluateRequest(request, {
      identityPolicies: [malformed, doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })],
    });
    expect(r.decision).toBe('ExplicitlyDenied');
  });

  it('reads documented multivalued global keys as multivalued even when given one value', () => {
    const single = doc({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringEquals: { 'aws:TagKeys': 'env' } },
    });
    const set = doc({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'env' } },
    });
    expect(
      evaluateRequest({ ...request, context: { 'aws:TagKeys': 'env' } }, { identityPolicies: [single] }).decision,
    ).toBe('ImplicitlyDenied');
    expect(
      evaluateRequest({ ...request, context: { 'aws:TagKeys': 'env' } }, { identityPolicies: [set] }).decision,
    ).toBe('Allowed');
    expect(
      evaluateRequest(
        { ...request, context: { 'aws:RequestTag/env': 'x' } },
        {
          identityPolicies: [
            doc({
              Effect: 'Allow',
              Action: 's3:GetObject',
              Resource: '*',
              Condition: { StringEquals: { 'aws:RequestTag/env': 'x' } },
            }),
          ],
        },
      ).decision,
    ).toBe('Allowed');
  });

  it('does not apply SCPs to the management account', () => {
    const policies = {
      identityPolicies: [doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' })],
      serviceControlPolicies: [[doc({ Effect: 'Deny', Action: 's3:*', Resource: '*' })]],
    };
    expect(evaluateRequest(request, policies).decision).toBe('ExplicitlyDenied');
    expect(
      evaluateRequest({ ...request, principal: { ...request.principal, managementAccount: true } }, policies).decision,
    ).toBe('Allowed');
  });
});
