import { describe, expect, it } from 'vitest';
import { evaluateRequest } from '@trustgate/core';
import { selfInspectionPolicy, withCurrentSelfInspection } from './self-inspection-policy.ts';
import { upgradeConnection } from './upgrade-connection.ts';

describe('selfInspectionPolicy', () => {
  const { document } = selfInspectionPolicy('aws', 'TrustgateAccess');
  const principal = { arn: 'arn:aws:sts::222222222222:assumed-role/TrustgateAccess/verify' };
  const decide = (action: string, resource: string) =>
    evaluateRequest(
      { principal, action, resource, resourceAccountId: '222222222222' },
      { identityPolicies: [document] },
    ).decision;

  it('lets the role read itself and its own policies', () => {
    expect(decide('iam:ListRolePolicies', 'arn:aws:iam::222222222222:role/TrustgateAccess')).toBe('Allowed');
    expect(decide('iam:GetRolePolicy', 'arn:aws:iam::222222222222:role/TrustgateAccess')).toBe('Allowed');
    expect(decide('iam:GetPolicyVersion', 'arn:aws:iam::222222222222:policy/TrustgateAccess-permissions-1')).toBe(
      'Allowed',
    );
  });

  it("does not let the platform read the account's other roles and policies", () => {
    expect(decide('iam:GetRolePolicy', 'arn:aws:iam::222222222222:role/Admin')).toBe('ImplicitlyDenied');
    expect(decide('iam:ListAttachedRolePolicies', 'arn:aws:iam::222222222222:role/TrustgateAccessOther')).toBe(
      'ImplicitlyDenied',
    );
    expect(decide('iam:GetPolicyVersion', 'arn:aws:iam::222222222222:policy/CompanySecrets')).toBe('ImplicitlyDenied');
    expect(decide('iam:ListRoles', '*')).toBe('ImplicitlyDenied');
    expect(decide('organizations:DescribeOrganization', '*')).toBe('ImplicitlyDenied');
  });

  it('lets the role of an organization-scoped connection describe its organization, and nothing more of Organizations', () => {
    const org = selfInspectionPolicy('aws', 'TrustgateAccess', { organization: true }).document;
    const decideOrg = (action: string) =>
      evaluateRequest(
        { principal, action, resource: '*', resourceAccountId: '222222222222' },
        { identityPolicies: [org] },
      ).decision;
    expect(decideOrg('organizations:DescribeOrganization')).toBe('Allowed');
    expect(decideOrg('organizations:ListAccounts')).toBe('ImplicitlyDenied');
    expect(decideOrg('organizations:DescribeAccount')).toBe('ImplicitlyDenied');
  });
});

describe('withCurrentSelfInspection', () => {
  const scope = { kind: 'organization' as const, organizationId: 'o-aaaaaaaaaa' };
  const old = {
    name: 'TrustgateAccess-verification',
    document: selfInspectionPolicy('aws', 'TrustgateAccess').document,
  };
  const permissions = {
    name: 'TrustgateAccess-permissions-1',
    document: {
      Version: '2012-10-17' as const,
      Statement: [{ Effect: 'Allow' as const, Action: 's3:GetObject', Resource: '*' }],
    },
  };
  const issued = { documents: [permissions, old], managedPolicyArns: [], requiredActions: [] };

  it('upgrades an organization-scoped connection issued before verification asked Organizations, keeping the rest', () => {
    const upgraded = withCurrentSelfInspection(issued, { partition: 'aws', roleName: 'TrustgateAccess', scope });
    expect(upgraded.documents[0]).toBe(permissions);
    expect(JSON.stringify(upgraded.documents[1])).toContain('organizations:DescribeOrganization');
  });
  it('leaves current and non-organization connections as they are', () => {
    expect(
      withCurrentSelfInspection(issued, {
        partition: 'aws',
        roleName: 'TrustgateAccess',
        scope: { kind: 'account', accountId: '222222222222' },
      }),
    ).toBe(issued);
    const current = withCurrentSelfInspection(issued, { partition: 'aws', roleName: 'TrustgateAccess', scope });
    expect(withCurrentSelfInspection(current, { partition: 'aws', roleName: 'TrustgateAccess', scope })).toBe(current);
  });
});

describe('upgradeConnection', () => {
  const legacyDocument = {
    name: 'TrustgateAccess-verification',
    document: selfInspectionPolicy('aws', 'TrustgateAccess').document,
  };
  const base = {
    partition: 'aws' as const,
    roleName: 'TrustgateAccess',
    issuedPolicy: { documents: [legacyDocument], managedPolicyArns: [], requiredActions: [] },
  };
  type Upgradable = Parameters<typeof upgradeConnection>[0];

  it('gives an organization-scoped record the current inspection policy without touching the stored object', () => {
    const stored = {
      ...base,
      id: 'con_1',
      scope: { kind: 'organization', organizationId: 'o-aaaaaaaaaa' },
    } as unknown as Upgradable;
    const upgraded = upgradeConnection(stored);
    expect(JSON.stringify(upgraded.issuedPolicy)).toContain('organizations:DescribeOrganization');
    expect(upgraded.id).toBe('con_1');
    expect(stored.issuedPolicy.documents[0]).toBe(legacyDocument);
  });
  it('returns a current record as it is', () => {
    const stored = { ...base, scope: { kind: 'account', accountId: '222222222222' } } as unknown as Upgradable;
    expect(upgradeConnection(stored)).toBe(stored);
  });
});
