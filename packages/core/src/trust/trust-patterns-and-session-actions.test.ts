import { describe, expect, it } from 'vitest';
import { evaluateRequest, type Decision } from '../engine/index.ts';
import { connectionScopedExternalId, connectionScopedExternalIdPatterns } from '../external-id/index.ts';
import type { PolicyDocument } from '../policy-document/index.ts';
import { buildTrustPolicy, type TrustPrincipalSpec } from './index.ts';

const PLATFORM = '111122223333';
const BROKER = `arn:aws:iam::${PLATFORM}:role/broker`;
const ROLE = 'arn:aws:iam::444455556666:role/TrustgateAccess';
const ID = 'Qx7_k2-9aZ';

const ALLOW_STS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'sts:*', Resource: '*' }],
};

function decide(trust: PolicyDocument, action: string, externalId?: string): Decision {
  return evaluateRequest(
    {
      principal: { arn: BROKER, type: 'AWS' },
      action,
      resource: ROLE,
      context: externalId === undefined ? {} : { 'sts:ExternalId': externalId },
    },
    { identityPolicies: [ALLOW_STS], resourcePolicy: trust },
  ).decision;
}

describe('buildTrustPolicy with StringLike patterns', () => {
  it('writes the patterns as given under StringLike and admits exactly the scoped IDs', () => {
    const patterns = connectionScopedExternalIdPatterns({ externalId: ID, stacks: ['prod'], phases: ['read'] });
    const { document } = buildTrustPolicy({
      partition: 'aws',
      principals: [{ type: 'role', roleArn: BROKER, externalId: { patterns: [...patterns, ...patterns] } }],
    });
    expect(document.Statement[0]?.Condition).toEqual({ StringLike: { 'sts:ExternalId': `${ID}@prod@read` } });
    const id = (stackSlug: string, phase: 'read' | 'write') =>
      connectionScopedExternalId({ externalId: ID, stackSlug, phase });
    expect(decide(document, 'sts:AssumeRole', id('prod', 'read'))).toBe('Allowed');
    expect(decide(document, 'sts:AssumeRole', id('prod', 'write'))).toBe('ImplicitlyDenied');
    expect(decide(document, 'sts:AssumeRole', id('other', 'read'))).toBe('ImplicitlyDenied');
    expect(decide(document, 'sts:AssumeRole')).toBe('ImplicitlyDenied');
  });

  it('admits any stack of the connection, read only, with one wildcard pattern', () => {
    const patterns = connectionScopedExternalIdPatterns({ externalId: ID, phases: ['read'] });
    const { document } = buildTrustPolicy({
      partition: 'aws',
      principals: [{ type: 'account', accountId: PLATFORM, externalId: { patterns } }],
    });
    expect(decide(document, 'sts:AssumeRole', `${ID}@anything@read`)).toBe('Allowed');
    expect(decide(document, 'sts:AssumeRole', `${ID}@anything@write`)).toBe('ImplicitlyDenied');
    expect(decide(document, 'sts:AssumeRole', `${ID}`)).toBe('ImplicitlyDenied');
  });

  it.each([
    [[], 'principals[0].externalId.patterns'],
    [['*'], 'principals[0].externalId.patterns[0]'],
    [['ok@*@read', '?*'], 'principals[0].externalId.patterns[1]'],
    [['${aws:username}@*'], 'principals[0].externalId.patterns[0]'],
    [['with space*'], 'principals[0].externalId.patterns[0]'],
    [['a'.repeat(1225)], 'principals[0].externalId.patterns[0]'],
    ['abc*', 'principals[0].externalId.patterns'],
  ])('ATTACK: refuses patterns %j that would admit anyone or be expanded (field %s)', (patterns, field) => {
    expect(() =>
      buildTrustPolicy({
        partition: 'aws',
        principals: [{ type: 'account', accountId: PLATFORM, externalId: { patterns: patterns as string[] } }],
      }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_EXTERNAL_ID', field }));
  });
});

describe('buildTrustPolicy session actions', () => {
  const principal = (sessionActions?: unknown): TrustPrincipalSpec =>
    ({
      type: 'role',
      roleArn: BROKER,
      externalId: { ids: ['ext-1234'] },
      ...(sessionActions === undefined ? {} : { sessionActions }),
    }) as TrustPrincipalSpec;

  it('adds sts:TagSession and sts:SetSourceIdentity to the statement, deduplicated, in a fixed order', () => {
    const { document } = buildTrustPolicy({
      partition: 'aws',
      principals: [principal(['sts:SetSourceIdentity', 'sts:TagSession', 'sts:TagSession'])],
    });
    expect(document.Statement[0]?.Action).toEqual(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']);
    expect(decide(document, 'sts:TagSession', 'ext-1234')).toBe('Allowed');
    expect(decide(document, 'sts:SetSourceIdentity', 'ext-1234')).toBe('Allowed');
    // The external ID condition still binds the session actions.
    expect(decide(document, 'sts:TagSession', 'ext-wrong')).toBe('ImplicitlyDenied');
  });

  it('keeps the plain sts:AssumeRole statement without them (old connections unchanged)', () => {
    for (const actions of [undefined, []]) {
      const { document } = buildTrustPolicy({ partition: 'aws', principals: [principal(actions)] });
      expect(document.Statement[0]?.Action).toBe('sts:AssumeRole');
      expect(decide(document, 'sts:TagSession', 'ext-1234')).toBe('ImplicitlyDenied');
      expect(decide(document, 'sts:SetSourceIdentity', 'ext-1234')).toBe('ImplicitlyDenied');
    }
  });

  it('ATTACK: refuses any other action, so a connection cannot widen its trust to sts:* or iam:*', () => {
    for (const bad of [['sts:*'], ['sts:AssumeRole', 'iam:PassRole'], 'sts:TagSession']) {
      expect(() => buildTrustPolicy({ partition: 'aws', principals: [principal(bad)] })).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    expect(() => buildTrustPolicy({ partition: 'aws', principals: [principal(['sts:AssumeRole', 'sts:*'])] })).toThrow(
      expect.objectContaining({ field: 'principals[0].sessionActions[0]' }),
    );
  });
});
