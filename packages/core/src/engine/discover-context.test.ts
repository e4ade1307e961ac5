import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../policy-document/index.ts';
import { discoverAllowingContext } from './discover-context.ts';
import { evaluateRequest } from './evaluate-request.ts';
import type { ContextValue, EvaluationRequest } from './types.ts';

const A = '111122223333';
const B = '444455556666';
const doc = (...Statement: PolicyDocument['Statement']): PolicyDocument => ({ Version: '2012-10-17', Statement });
const assume: EvaluationRequest = {
  principal: { arn: `arn:aws:sts::${A}:assumed-role/platform/worker` },
  action: 'sts:AssumeRole',
  resource: `arn:aws:iam::${B}:role/customer`,
};
const callerMayAssume = doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' });

describe('discoverAllowingContext', () => {
  it('finds the external ID a trust policy requires', () => {
    const trust = doc({
      Effect: 'Allow',
      Principal: { AWS: A },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'tg-7f3a' } },
    });
    const policies = { identityPolicies: [callerMayAssume], resourcePolicy: trust };
    expect(evaluateRequest(assume, policies).decision).toBe('ImplicitlyDenied');
    const found = discoverAllowingContext(assume, policies);
    expect(found[0]!.context).toEqual({ 'sts:ExternalId': 'tg-7f3a' });
    expect(found[0]!.statement).toMatchObject({ policy: 'resource', statementIndex: 0 });
    expect(evaluateRequest({ ...assume, context: { 'sts:ExternalId': 'tg-7f3a' } }, policies).decision).toBe('Allowed');
  });

  it('finds values for IP, MFA, date and numeric conditions together', () => {
    const identity = doc({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: {
        IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
        Bool: { 'aws:MultiFactorAuthPresent': 'true' },
        DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' },
        NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' },
      },
    });
    const request: EvaluationRequest = {
      principal: { arn: `arn:aws:iam::${A}:user/alice` },
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b/k',
      resourceAccountId: A,
      context: { 'aws:SourceIp': '198.51.100.1' },
    };
    const [first] = discoverAllowingContext(request, { identityPolicies: [identity] });
    expect(first!.context).toEqual({
      'aws:SourceIp': '203.0.113.0',
      'aws:MultiFactorAuthPresent': 'true',
      'aws:CurrentTime': '2029-12-31T23:59:59.000Z',
      'aws:MultiFactorAuthAge': '3599',
    });
  });

  it('suggests leaving out a key that a negated operator forbids', () => {
    const identity = doc({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:RequestTag/env': 'prod' } },
    });
    const request: EvaluationRequest = {
      principal: { arn: `arn:aws:iam::${A}:user/alice` },
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b/k',
      resourceAccountId: A,
      context: { 'aws:RequestTag/env': 'prod' },
    };
    expect(discoverAllowingContext(request, { identityPolicies: [identity] })[0]!.context).toEqual({
      'aws:RequestTag/env': null,
    });
  });

  it('changes only the conditions that fail: a satisfied condition on a principal key does not block discovery', () => {
    const trust = doc({
      Effect: 'Allow',
      Principal: '*',
      Action: 'sts:AssumeRole',
      Condition: {
        StringEquals: { 'sts:ExternalId': 'tg-7f3a', 'aws:PrincipalAccount': A },
        IpAddress: { 'aws:SourceIp': '203.0.113.0/24' },
      },
    });
    const request: EvaluationRequest = { ...assume, context: { 'aws:SourceIp': '203.0.113.77' } };
    const found = discoverAllowingContext(request, { identityPolicies: [callerMayAssume], resourcePolicy: trust });
    expect(found[0]!.context).toEqual({ 'sts:ExternalId': 'tg-7f3a' });
  });

  it('never changes keys AWS derives from the principal', () => {
    const trust = doc({
      Effect: 'Allow',
      Principal: '*',
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'aws:PrincipalAccount': B } },
    });
    expect(discoverAllowingContext(assume, { identityPolicies: [callerMayAssume], resourcePolicy: trust })).toEqual([]);
  });

  it('finds the values that step out of a conditional Deny (a trust refusing old sessions, a bucket refusing plain HTTP)', () => {
    const allow = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    const noPlainHttp = doc({
      Effect: 'Deny',
      Action: 's3:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
    const request: EvaluationRequest = {
      principal: { arn: `arn:aws:iam::${A}:user/alice` },
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b/k',
      resourceAccountId: A,
      context: { 'aws:SecureTransport': false },
    };
    const policies = { identityPolicies: [allow, noPlainHttp] };
    expect(evaluateRequest(request, policies).decision).toBe('ExplicitlyDenied');
    const found = discoverAllowingContext(request, policies);
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) {
      const context: Record<string, ContextValue> = {};
      for (const [k, v] of Object.entries({ ...request.context, ...f.context })) if (v !== null) context[k] = v;
      expect(evaluateRequest({ ...request, context }, policies).decision).toBe('Allowed');
    }

    // Both at once: the trust policy's external ID and a Deny of sessions issued before a cut-off.
    const trust = doc(
      {
        Effect: 'Allow',
        Principal: { AWS: A },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'tg-7f3a' } },
      },
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'sts:AssumeRole',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' } },
      },
    );
    const old: EvaluationRequest = { ...assume, context: { 'aws:TokenIssueTime': '2025-06-01T00:00:00Z' } };
    const both = discoverAllowingContext(old, { identityPolicies: [callerMayAssume], resourcePolicy: trust });
    expect(both[0]!.context['sts:ExternalId']).toBe('tg-7f3a');
    expect(both[0]!.context).toHaveProperty('aws:TokenIssueTime');
    expect(both[0]!.statement).toMatchObject({ policy: 'resource', statementIndex: 0 });
  });

  it('finds nothing when an unconditional deny applies or the request is already allowed', () => {
    const allow = doc({
      Effect: 'Allow',
      Action: 's3:*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'true' } },
    });
    const deny = doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' });
    const request: EvaluationRequest = {
      principal: { arn: `arn:aws:iam::${A}:user/alice` },
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::b/k',
      resourceAccountId: A,
    };
    expect(discoverAllowingContext(request, { identityPolicies: [allow, deny] })).toEqual([]);
    expect(
      discoverAllowingContext({ ...request, context: { 'aws:SecureTransport': true } }, { identityPolicies: [allow] }),
    ).toEqual([]);
    expect(discoverAllowingContext(request, { identityPolicies: [allow] })[0]!.context).toEqual({
      'aws:SecureTransport': 'true',
    });
  });
});
