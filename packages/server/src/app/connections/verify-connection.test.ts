import { describe, expect, it } from 'vitest';
import { aggregateStatus, checkRoleArnForConnection, judgeObservation } from './verify-connection.ts';
import type { Connection } from '../../model/records.ts';
import type { VerifyRoleObservation } from '../../aws/verify-role.ts';

const connection: Connection = {
  id: 'con_1',
  organizationId: 'org_1',
  spaceId: null,
  name: 'c',
  partition: 'aws',
  mode: 'manual',
  scope: { kind: 'accounts', accountIds: ['222222222222', '333333333333'] },
  roleName: 'R',
  region: null,
  labels: {},
  selection: { mode: 'default' },
  managedPolicies: [],
  extraActions: [],
  wildcards: 'expand',
  catalogName: null,
  externalId: 'tg-current',
  previousExternalId: null,
  status: 'pending',
  statusReason: '',
  callbackNonce: null,
  lastVerifiedAt: null,
  trust: { kind: 'external-id' },
  externalIdTrust: { kind: 'exact' },
  sessionTagging: false,
  sessionsRevokedBefore: null,
  createdAt: '',
  updatedAt: '',
  recordVersion: 1,
  appliedPolicy: null,
  issuedPolicy: {
    documents: [
      {
        name: 'p',
        document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }] },
      },
    ],
    managedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    requiredActions: [{ productId: 'p', integrationId: 'i', actions: ['s3:GetObject'] }],
  },
};
const good: VerifyRoleObservation = {
  assumed: true,
  externalIdUsed: 'current',
  attempts: 1,
  callerArn: 'arn:aws:sts::222222222222:assumed-role/R/s',
  callerAccount: '222222222222',
  assumableWithoutExternalId: false,
  assumableWithWrongExternalId: false,
  policies: {
    identityPolicies: [{ source: 'x', document: connection.issuedPolicy.documents[0]!.document }],
    attachedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    unreadable: [],
  },
};

describe('judgeObservation', () => {
  it('connects only a role that is assumable with the ID, refuses others, and holds everything', () => {
    expect(judgeObservation(connection, '222222222222', good).status).toBe('connected');
  });
  it.each([
    ['not assumable', { assumed: false, assumeError: 'AccessDenied: no' }, 'broken'],
    ['session in another account', { callerAccount: '999999999999' }, 'broken'],
    ['assumable without an external ID', { assumableWithoutExternalId: true }, 'insecure'],
    ['assumable with a wrong external ID', { assumableWithWrongExternalId: true }, 'insecure'],
    ['policies unreadable', { policies: undefined, policyReadError: 'AccessDenied' }, 'needs-update'],
    ['missing an action', { policies: { ...good.policies!, identityPolicies: [] } }, 'needs-update'],
    ['missing a managed policy', { policies: { ...good.policies!, attachedPolicyArns: [] } }, 'needs-update'],
    ['only the previous external ID works', { externalIdUsed: 'previous' as const }, 'needs-update'],
  ])('%s -> %s', (_name, change, status) => {
    const verdict = judgeObservation(connection, '222222222222', { ...good, ...change } as VerifyRoleObservation);
    expect(verdict.status).toBe(status);
    if (status === 'insecure') expect(verdict.fixHint).toContain('tg-current');
  });
});

describe('judgeObservation for an organization scope (fails closed)', () => {
  const orgConnection: Connection = { ...connection, scope: { kind: 'organization', organizationId: 'o-aaaaaaaaaa' } };
  const judge = (organization: VerifyRoleObservation['organization']) =>
    judgeObservation(orgConnection, '222222222222', {
      ...good,
      ...(organization === undefined ? {} : { organization }),
    });

  it("connects only an account that the role's session reports in the scope's organization", () => {
    expect(judge({ kind: 'member', organizationId: 'o-aaaaaaaaaa' }).status).toBe('connected');
  });
  it('an account of another organization is broken, naming both organizations', () => {
    const verdict = judge({ kind: 'member', organizationId: 'o-bbbbbbbbbb' });
    expect(verdict.status).toBe('broken');
    expect(verdict.reason).toContain('Account 222222222222 belongs to organization o-bbbbbbbbbb, not o-aaaaaaaaaa');
  });
  it('an account in no organization is broken', () => {
    expect(judge({ kind: 'none' })).toMatchObject({
      status: 'broken',
      reason: expect.stringContaining('is not in any organization'),
    });
  });
  it('a membership that could not be read (or was not asked) is never connected: needs-update naming the permission', () => {
    for (const organization of [{ kind: 'unreadable' as const, error: 'AccessDeniedException: denied' }, undefined]) {
      const verdict = judge(organization);
      expect(verdict.status).toBe('needs-update');
      expect(verdict.reason).toContain('organizations:DescribeOrganization');
    }
  });
  it('an insecure trust policy is still reported first', () => {
    expect(
      judgeObservation(orgConnection, '222222222222', {
        ...good,
        assumableWithoutExternalId: true,
        organization: { kind: 'none' },
      }).status,
    ).toBe('insecure');
  });
  it('the scope check before AWS admits any account of the partition (membership is proven by verification)', () => {
    expect(checkRoleArnForConnection(orgConnection, 'arn:aws:iam::444444444444:role/R').accountId).toBe('444444444444');
  });
});

describe('aggregateStatus', () => {
  it('is pending without roles and the worst role status otherwise', () => {
    expect(aggregateStatus([]).status).toBe('pending');
    const roles = (...statuses: ('connected' | 'broken' | 'insecure' | 'needs-update')[]) =>
      statuses.map((s, i) => ({ status: s, statusReason: s, accountId: String(i) }));
    expect(aggregateStatus(roles('connected', 'connected')).status).toBe('connected');
    expect(aggregateStatus(roles('connected', 'needs-update')).status).toBe('needs-update');
    expect(aggregateStatus(roles('broken', 'needs-update')).status).toBe('broken');
    expect(aggregateStatus(roles('broken', 'insecure', 'connected')).status).toBe('insecure');
    // An account of the scope without a role keeps the connection pending.
    expect(aggregateStatus(roles('connected'), ['0', '7'])).toMatchObject({
      status: 'pending',
      reason: expect.stringContaining('Account 7'),
    });
    expect(aggregateStatus(roles('connected', 'connected'), ['0', '1']).status).toBe('connected');
  });
});

describe('checkRoleArnForConnection', () => {
  it('accepts accounts in scope and refuses others, other partitions and non-roles naming roleArn', () => {
    expect(checkRoleArnForConnection(connection, 'arn:aws:iam::333333333333:role/path/R')).toEqual({
      accountId: '333333333333',
      roleName: 'R',
    });
    for (const arn of [
      'arn:aws:iam::444444444444:role/R',
      'arn:aws-us-gov:iam::222222222222:role/R',
      'arn:aws:iam::222222222222:user/R',
      'arn:aws:iam::2222:role/R',
    ]) {
      expect(() => checkRoleArnForConnection(connection, arn)).toThrow(expect.objectContaining({ field: 'roleArn' }));
    }
  });
});
