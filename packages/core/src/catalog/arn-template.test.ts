import { describe, expect, it } from 'vitest';
import { checkArnTemplate, checkTemplateVariables, resolveTemplate } from './arn-template.ts';

describe('ARN templates', () => {
  it.each([
    '*',
    'arn:${Partition}:iam::${AccountId}:role/aws-ec2-spot-fleet-tagging-role',
    'arn:${Partition}:s3:::bucket-${AccountId}/*',
    'arn:${Partition}:dynamodb:${Region}:${AccountId}:table/locks',
    'arn:${Partition}:ec2:*:*:spot-fleet-request/sfr-*',
    'arn:${Partition}:iam::aws:policy/ReadOnlyAccess',
    'arn:${Partition}:iam::${AccountId}:user/${aws:username}',
    'arn:${Partition}:s3:::b/${aws:PrincipalTag/team}/*',
    'arn:${Partition}:logs:${Region}:123456789012:log-group:/x:*',
  ])('accepts %s', (template) => {
    expect(checkArnTemplate(template)).toEqual([]);
  });

  it.each([
    ['arn:aws:iam::${AccountId}:role/x', /partition must be/],
    ['arn:aws-cn:iam::${AccountId}:role/x', /partition must be/],
    ['arn:${partition}:iam::${AccountId}:role/x', /did you mean \$\{Partition\}/],
    ['arn:${Partition}:iam::${AccountID}:role/x', /did you mean \$\{AccountId\}/],
    ['arn:${Partition}:iam::12345:role/x', /12-digit/],
    ['arn:${Partition}:iam::${AccountId}:', /resource part/],
    ['arn:${Partition}::us-east-1:${AccountId}:x', /service part/],
    ['arn:${Partition}:s3:::b/${AccountId', /unclosed/],
    ['arn:${Partition}:s3:::b c', /white space/],
    ['bucket/*', /must be "\*" or an ARN/],
  ])('refuses %s', (template, message) => {
    expect(checkArnTemplate(template).join('; ')).toMatch(message);
  });

  it('fills in partition, account and region; * when account or region is not given; keeps IAM variables', () => {
    const t = 'arn:${Partition}:dynamodb:${Region}:${AccountId}:table/${aws:username}';
    expect(resolveTemplate(t, { partition: 'aws-cn', accountId: '123456789012', region: 'cn-north-1' })).toBe(
      'arn:aws-cn:dynamodb:cn-north-1:123456789012:table/${aws:username}',
    );
    expect(resolveTemplate(t, { partition: 'aws-us-gov' })).toBe('arn:aws-us-gov:dynamodb:*:*:table/${aws:username}');
  });

  it('checks variables in condition values too', () => {
    expect(checkTemplateVariables('${AccountId}')).toEqual([]);
    expect(checkTemplateVariables('${Accountid}')[0]).toMatch(/did you mean \$\{AccountId\}/);
  });
});
