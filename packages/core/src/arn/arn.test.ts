import { describe, expect, it } from 'vitest';
import { TrustgateError } from '../errors/index.ts';
import {
  assertNoErrors,
  isAccountId,
  parseArn,
  parseRoleArn,
  splitArn,
  validateAccountId,
  validateIamPath,
  validateRoleName,
} from './index.ts';

describe('parseArn', () => {
  it('takes an ARN apart in each partition', () => {
    for (const [partition, region] of [
      ['aws', 'us-east-1'],
      ['aws-us-gov', 'us-gov-west-1'],
      ['aws-cn', 'cn-northwest-1'],
    ] as const) {
      const r = parseArn(`arn:${partition}:ec2:${region}:123456789012:spot-fleet-request/sfr-1:x`);
      expect(r).toEqual({
        ok: true,
        arn: { partition, service: 'ec2', region, accountId: '123456789012', resource: 'spot-fleet-request/sfr-1:x' },
      });
    }
    expect(parseArn('arn:aws:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole').ok).toBe(true);
  });

  it.each([
    ['', 'INVALID_ARN'],
    ['arn:aws:iam::123456789012', 'INVALID_ARN'],
    ['aws:iam::123456789012:role/x', 'INVALID_ARN'],
    ['arn:aws-iso:iam::123456789012:role/x', 'INVALID_PARTITION'],
    ['arn:aws:IAM::123456789012:role/x', 'INVALID_ARN'],
    ['arn:aws:iam::12345678901:role/x', 'INVALID_ARN'],
    ['arn:aws:iam::123456789012:', 'INVALID_ARN'],
    ['arn:aws:iam::123456789012:role/a b', 'INVALID_ARN'],
    ['arn:aws:ec2:us-east-1a:123456789012:instance/i-1', 'INVALID_ARN'],
    ['arn:aws:ec2:US-EAST-1:123456789012:instance/i-1', 'INVALID_ARN'],
    ['arn:aws-cn:ec2:us-east-1:123456789012:instance/i-1', 'INVALID_PARTITION'],
    ['arn:aws:ec2:us-gov-west-1:123456789012:instance/i-1', 'INVALID_PARTITION'],
    ['arn:aws:ec2:us-iso-east-1:123456789012:instance/i-1', 'INVALID_PARTITION'],
  ])('refuses %j with %s naming the field', (text, code) => {
    const r = parseArn(text, 'roleArn');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.findings[0]?.code).toBe(code);
      expect(r.findings[0]?.path).toBe('roleArn');
      expect(r.findings[0]?.message).toMatch(/^roleArn: /);
    }
  });
});

describe('parseArn region and account parts', () => {
  it("accepts an empty region (global services), a wildcard, or a region of the ARN's partition", () => {
    for (const arn of [
      'arn:aws:s3:::bucket/key',
      'arn:aws:ec2:*:123456789012:spot-fleet-request/sfr-*',
      'arn:aws:ec2:ap-southeast-12:123456789012:instance/i-1',
      'arn:aws-us-gov:sns:us-gov-east-1:123456789012:topic',
      'arn:aws-cn:kms:cn-north-1:123456789012:key/k',
      'arn:aws:sns:us-east-1:*:topic',
    ])
      expect(parseArn(arn).ok, arn).toBe(true);
  });
});

describe('splitArn', () => {
  it('splits six parts without judging them, the resource keeping its colons', () => {
    expect(splitArn('arn:aws*:s?:*::a:b:c')).toEqual({
      partition: 'aws*',
      service: 's?',
      region: '*',
      account: '',
      resource: 'a:b:c',
    });
    expect(splitArn('arn:aws:iam::123456789012:')).toEqual({
      partition: 'aws',
      service: 'iam',
      region: '',
      account: '123456789012',
      resource: '',
    });
  });
  it.each([['aws:iam::1:x'], ['arn:aws:iam::1'], ['ARN:aws:iam::1:x'], ['']])('gives undefined for %j', (text) => {
    expect(splitArn(text)).toBeUndefined();
  });
});

describe('isAccountId', () => {
  it.each([
    ['123456789012', true],
    ['012345678901', true],
    ['12345678901', false],
    ['1234567890123', false],
    ['12345678901a', false],
    ['１２３４５６７８９０１２', false],
    ['123456789012\n', false],
    [123456789012, false],
    [undefined, false],
  ])('%j -> %s', (value, expected) => expect(isAccountId(value)).toBe(expected));
});

describe('validateAccountId', () => {
  it('accepts exactly 12 digits, leading zeros included', () => {
    expect(validateAccountId('012345678901')).toEqual([]);
  });
  it.each([['12345678901'], ['1234567890123'], ['12345678901a'], [123456789012], [' 123456789012'], [undefined]])(
    'refuses %j',
    (value) => {
      const f = validateAccountId(value, 'platform.accountId');
      expect(f).toHaveLength(1);
      expect(f[0]).toMatchObject({ code: 'INVALID_ACCOUNT_ID', path: 'platform.accountId' });
    },
  );
});

describe('validateRoleName', () => {
  it('accepts 1 to 64 characters of [\\w+=,.@-]', () => {
    expect(validateRoleName('a')).toEqual([]);
    expect(validateRoleName('x'.repeat(64))).toEqual([]);
    expect(validateRoleName('Role_+=,.@-9')).toEqual([]);
  });
  it('refuses what CreateRole refuses, naming the field and the bad characters', () => {
    expect(validateRoleName('x'.repeat(65))[0]?.message).toMatch(/at most 64 characters/);
    expect(validateRoleName('')[0]?.code).toBe('INVALID_ROLE_NAME');
    const bad = validateRoleName('my role/x', 'roleName');
    expect(bad[0]).toMatchObject({ code: 'INVALID_ROLE_NAME', path: 'roleName' });
    expect(bad[0]?.message).toContain('" "');
    expect(bad[0]?.message).toContain('"/"');
    expect(validateRoleName('rôle')).toHaveLength(1);
  });
  it('checks IAM paths', () => {
    expect(validateIamPath('/')).toEqual([]);
    expect(validateIamPath('/team/app/')).toEqual([]);
    expect(validateIamPath('team/')).toHaveLength(1);
    expect(validateIamPath('/team')).toHaveLength(1);
  });
});

describe('parseRoleArn', () => {
  it('takes a role ARN with a path apart', () => {
    const r = parseRoleArn('arn:aws-us-gov:iam::123456789012:role/platform/team/Trustgate', {
      partition: 'aws-us-gov',
    });
    expect(r).toEqual({
      ok: true,
      role: {
        arn: 'arn:aws-us-gov:iam::123456789012:role/platform/team/Trustgate',
        partition: 'aws-us-gov',
        accountId: '123456789012',
        rolePath: '/platform/team/',
        roleName: 'Trustgate',
      },
    });
  });
  it('refuses an ARN of another partition: a role cannot be assumed across partitions', () => {
    const r = parseRoleArn('arn:aws:iam::123456789012:role/x', { partition: 'aws-cn' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.findings[0]).toMatchObject({ code: 'INVALID_PARTITION', path: 'roleArn' });
  });
  it('refuses non-role ARNs, other accounts and bad names', () => {
    const cases: Array<[string, string]> = [
      ['arn:aws:iam::123456789012:user/x', 'INVALID_ARN'],
      ['arn:aws:sts::123456789012:assumed-role/x/s', 'INVALID_ARN'],
      ['arn:aws:iam:us-east-1:123456789012:role/x', 'INVALID_ARN'],
      ['arn:aws:iam::999999999999:role/x', 'INVALID_ACCOUNT_ID'],
      [`arn:aws:iam::123456789012:role/${'x'.repeat(65)}`, 'INVALID_ROLE_NAME'],
      ['arn:aws:iam::aws:role/x', 'INVALID_ACCOUNT_ID'],
    ];
    for (const [arn, code] of cases) {
      const r = parseRoleArn(arn, { accountId: '123456789012' });
      expect(r.ok, arn).toBe(false);
      if (!r.ok) expect(r.findings[0]?.code, arn).toBe(code);
    }
  });
  it('assertNoErrors throws a TrustgateError carrying the code and the field', () => {
    const r = parseRoleArn('arn:aws:iam::123:role/x', { path: 'roleArn' });
    expect(r.ok).toBe(false);
    try {
      if (!r.ok) assertNoErrors(r.findings);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TrustgateError);
      expect((e as TrustgateError).code).toBe('INVALID_ARN');
      expect((e as TrustgateError).field).toBe('roleArn');
    }
  });
});
