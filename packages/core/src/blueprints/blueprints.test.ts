import { describe, expect, it } from 'vitest';
import { TrustgateError } from '../errors/index.ts';
import type { PolicyDocument } from '../policy-document/index.ts';
import { BLUEPRINTS, buildBlueprint, type BlueprintOptions } from './index.ts';

const policy: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }],
};
const base: BlueprintOptions = {
  partition: 'aws',
  platform: { aws: { accountId: '111122223333' } },
  customerAccountId: '444455556666',
  externalIds: ['ext-1234'],
  policies: [{ name: 'p1', document: policy }],
};

function failure(name: string, options: BlueprintOptions): TrustgateError {
  try {
    buildBlueprint(name, options);
  } catch (e) {
    if (e instanceof TrustgateError) return e;
    throw e;
  }
  throw new Error(`expected ${name} to fail`);
}

describe('blueprints refuse bad input with an error naming the field', () => {
  it.each([
    ['unknown blueprint', 'cross-acount-role', base, 'UNKNOWN_BLUEPRINT', 'blueprint'],
    [
      'bad partition',
      'cross-account-role',
      { ...base, partition: 'aws-iso' as 'aws' },
      'INVALID_PARTITION',
      'partition',
    ],
    [
      'bad platform account',
      'cross-account-role',
      { ...base, platform: { aws: { accountId: '11112222333' } } },
      'INVALID_ACCOUNT_ID',
      'platform.aws.accountId',
    ],
    [
      'no platform identity in the partition',
      'cross-account-role',
      { ...base, partition: 'aws-cn' as const },
      'INVALID_PARTITION',
      'platform.aws-cn',
    ],
    [
      'platform role of the wrong partition',
      'cross-account-role',
      {
        ...base,
        platform: { aws: { accountId: '111122223333', roleArn: 'arn:aws-us-gov:iam::111122223333:role/broker' } },
      },
      'INVALID_PARTITION',
      'platform.aws.roleArn',
    ],
    [
      'role name of 65 characters',
      'cross-account-role',
      { ...base, roleName: 'r'.repeat(65) },
      'INVALID_ROLE_NAME',
      'roleName',
    ],
    [
      'role name with a space',
      'instance-profile-role',
      { ...base, roleName: 'my role' },
      'INVALID_ROLE_NAME',
      'roleName',
    ],
    [
      'user name with a slash',
      'installer-user',
      { ...base, userName: 'team/installer' },
      'INVALID_ROLE_NAME',
      'userName',
    ],
    [
      'bad custom external ID',
      'cross-account-role',
      { ...base, externalIds: ['has space'] },
      'INVALID_EXTERNAL_ID',
      'principals[0].externalId.ids[0]',
    ],
    [
      'bad customer account',
      'spot-fleet',
      { ...base, customerAccountId: 'abc' },
      'INVALID_ACCOUNT_ID',
      'customerAccountId',
    ],
    [
      'missing customer account',
      'spot-fleet',
      { ...base, customerAccountId: undefined },
      'INVALID_INPUT',
      'customerAccountId',
    ],
    [
      'session too long',
      'cross-account-role',
      { ...base, maxSessionDuration: 43201 },
      'INVALID_INPUT',
      'maxSessionDuration',
    ],
    [
      'policy document naming an ARN of another partition',
      'installer-user',
      {
        ...base,
        policies: [
          {
            name: 'p1',
            document: {
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Action: 's3:GetObject', Resource: ['arn:*:s3:::ok/*', 'arn:aws-cn:s3:::b/*'] },
              ],
            },
          },
        ],
      },
      'INVALID_PARTITION',
      'policies[0].document.Statement[0].Resource[1]',
    ],
    [
      'managed policy of another partition',
      'cross-account-role',
      { ...base, managedPolicyArns: ['arn:aws-cn:iam::aws:policy/ReadOnlyAccess'] },
      'INVALID_PARTITION',
      'managedPolicyArns[0]',
    ],
    ['no permissions', 'installer-user', { ...base, policies: [] }, 'INVALID_INPUT', 'policies'],
    [
      'policy over 6,144 characters',
      'cross-account-role',
      {
        ...base,
        policies: [
          {
            name: 'big',
            document: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Action: Array.from({ length: 400 }, (_, i) => `ec2:Describe${i}xxxxxxxx`),
                  Resource: '*',
                },
              ],
            },
          },
        ],
      },
      'POLICY_TOO_LARGE',
      'policies[0].document',
    ],
    [
      'KMS key of another partition',
      'spot-fleet',
      { ...base, kmsKeyArn: 'arn:aws-cn:kms:cn-north-1:444455556666:key/abc' },
      'INVALID_ARN',
      'kmsKeyArn',
    ],
    [
      'callback token of another partition',
      'cross-account-role',
      { ...base, callback: { serviceToken: 'arn:aws-cn:sns:cn-north-1:111122223333:t', properties: {} } },
      'INVALID_ARN',
      'callback.serviceToken',
    ],
    [
      'callback overriding RoleArn',
      'cross-account-role',
      { ...base, callback: { serviceToken: 'arn:aws:sns:us-east-1:111122223333:t', properties: { RoleArn: 'x' } } },
      'INVALID_INPUT',
      'callback.properties.RoleArn',
    ],
    [
      'oversized trust policy',
      'cross-account-role',
      { ...base, externalIds: Array.from({ length: 60 }, (_, i) => `rotating-external-id-${i}-${'x'.repeat(20)}`) },
      'TRUST_POLICY_TOO_LARGE',
      'trustPolicy',
    ],
  ] as const)('%s', (_label, name, options, code, field) => {
    const e = failure(name, options as BlueprintOptions);
    expect({ code: e.code, field: e.field }).toEqual({ code, field });
    expect(e.message.length).toBeGreaterThan(10);
  });

  it('suggests the closest blueprint name', () => {
    expect(failure('spot-flet', base).message).toMatch(/Did you mean "spot-fleet"/);
    expect(failure('__proto__', base).code).toBe('UNKNOWN_BLUEPRINT');
  });
});

describe('blueprint defaults', () => {
  it('generates an unguessable external ID when none is given, unique per build', () => {
    const a = buildBlueprint('cross-account-role', { ...base, externalIds: undefined });
    const b = buildBlueprint('cross-account-role', { ...base, externalIds: undefined });
    const id = (m: typeof a) => m.parameters.find((p) => p.name === 'ExternalId')?.value ?? '';
    expect(id(a)).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(id(a)).not.toBe(id(b));
  });
  it('has four blueprints, each building in every partition', () => {
    expect(Object.keys(BLUEPRINTS).sort()).toEqual([
      'cross-account-role',
      'installer-user',
      'instance-profile-role',
      'spot-fleet',
    ]);
    for (const partition of ['aws', 'aws-us-gov', 'aws-cn'] as const) {
      for (const name of Object.keys(BLUEPRINTS)) {
        const m = buildBlueprint(name, {
          ...base,
          partition,
          platform: { [partition]: { accountId: '111122223333' } },
        });
        expect(m.partition).toBe(partition);
        expect(m.outputs.length).toBeGreaterThan(0);
      }
    }
  });
  it('trusts the platform role instead of the root when the role is known, and web identity with oidc', () => {
    const role = buildBlueprint('cross-account-role', {
      ...base,
      platform: { aws: { accountId: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/broker' } },
    });
    const trustOf = (m: typeof role) => (m.resources[0]?.kind === 'role' ? m.resources[0].trustPolicy : undefined);
    expect(trustOf(role)?.Statement[0]?.Principal).toEqual({ AWS: 'arn:aws:iam::111122223333:role/broker' });
    const oidc = buildBlueprint('cross-account-role', {
      ...base,
      platform: undefined,
      oidc: { issuer: 'token.example.com', audiences: ['sts.amazonaws.com'], subjects: ['tenant:acme'] },
    });
    expect(trustOf(oidc)?.Statement[0]?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    expect(oidc.parameters.map((p) => p.name)).toEqual(['RoleName']);
    expect(oidc.notes[0]).toMatch(/OIDC identity provider/);
  });
});
