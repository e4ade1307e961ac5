import { describe, expect, it } from 'vitest';
import { connectionScopedExternalIdPatterns } from '../external-id/index.ts';
import type { PolicyDocument } from '../policy-document/index.ts';
import { buildBlueprint, type BlueprintOptions } from './index.ts';

const options: BlueprintOptions = {
  partition: 'aws',
  platform: { aws: { accountId: '111122223333' } },
  customerAccountId: '444455556666',
  externalIds: ['ext-1234'],
  policies: [
    {
      name: 'p1',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }],
      },
    },
  ],
};

function trustOf(o: BlueprintOptions): PolicyDocument | undefined {
  const model = buildBlueprint('cross-account-role', o);
  return model.resources[0]?.kind === 'role' ? model.resources[0].trustPolicy : undefined;
}

describe('cross-account role with scoped trust and session actions (credential broker)', () => {
  it('trusts the StringLike patterns instead of the exact ID, and offers no ExternalId parameter then', () => {
    const patterns = connectionScopedExternalIdPatterns({ externalId: 'ext-1234', phases: ['read'] });
    const o = { ...options, externalIdPatterns: patterns };
    expect(trustOf(o)?.Statement[0]?.Condition).toEqual({ StringLike: { 'sts:ExternalId': 'ext-1234@*@read' } });
    const model = buildBlueprint('cross-account-role', o);
    expect(model.parameters.map((p) => p.name)).not.toContain('ExternalId');
  });

  it('adds sts:TagSession and sts:SetSourceIdentity when asked, and only then', () => {
    expect(
      trustOf({ ...options, sessionActions: ['sts:TagSession', 'sts:SetSourceIdentity'] })?.Statement[0]?.Action,
    ).toEqual(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']);
    expect(trustOf(options)?.Statement[0]?.Action).toBe('sts:AssumeRole');
    expect(trustOf(options)?.Statement[0]?.Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'ext-1234' } });
  });
});
