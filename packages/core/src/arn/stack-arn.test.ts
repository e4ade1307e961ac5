import { describe, expect, it } from 'vitest';
import { isStackName, parseStackArn } from './index.ts';

const UUID = '0f1e2d3c-aaaa-bbbb-cccc-123456789012';

describe('parseStackArn', () => {
  it.each([
    ['aws', 'eu-west-1'],
    ['aws', 'ap-southeast-7'],
    ['aws-us-gov', 'us-gov-west-1'],
    ['aws-cn', 'cn-northwest-1'],
  ] as const)('takes a stack ARN of %s in %s apart', (partition, region) => {
    const stackId = `arn:${partition}:cloudformation:${region}:012345678901:stack/trustgate-Acme-1/${UUID}`;
    expect(parseStackArn(stackId)).toEqual({
      stackId,
      partition,
      region,
      accountId: '012345678901',
      stackName: 'trustgate-Acme-1',
      uniqueId: UUID,
    });
  });

  it('keeps a short unique id as CloudFormation test doubles write it', () => {
    expect(parseStackArn('arn:aws:cloudformation:us-east-1:123456789012:stack/s/1')?.uniqueId).toBe('1');
  });

  it.each([
    ['', 'empty'],
    ['trustgate-Acme', 'a stack name, not an ARN'],
    [`arn:aws:cloudformation:us-east-1:123456789012:stack/x`, 'no unique id'],
    [`arn:aws:cloudformation:us-east-1:123456789012:stack/x/`, 'an empty unique id'],
    [`arn:aws:cloudformation:us-east-1:123456789012:stack/x/${UUID}/extra`, 'a third path segment'],
    [`arn:aws:cloudformation:us-east-1:123456789012:stackset/x:${UUID}`, 'a StackSet ARN'],
    [`arn:aws:cloudformation:us-east-1:123456789012:changeSet/x/${UUID}`, 'a change set ARN'],
    [`arn:aws:sns:us-east-1:123456789012:stack/x/${UUID}`, 'another service'],
    [`arn:aws:cloudformation::123456789012:stack/x/${UUID}`, 'an empty region'],
    [`arn:aws:cloudformation:*:123456789012:stack/x/${UUID}`, 'a wildcard region'],
    [`arn:aws:cloudformation:us-east-1a:123456789012:stack/x/${UUID}`, 'an availability zone for a region'],
    [`arn:aws-cn:cloudformation:us-east-1:123456789012:stack/x/${UUID}`, 'a region of another partition'],
    [`arn:aws-iso:cloudformation:us-iso-east-1:123456789012:stack/x/${UUID}`, 'a partition trustgate does not serve'],
    [`arn:aws:cloudformation:us-east-1:12345678901:stack/x/${UUID}`, 'an 11-digit account'],
    [`arn:aws:cloudformation:us-east-1:aws:stack/x/${UUID}`, 'the aws pseudo account'],
    [`arn:aws:cloudformation:us-east-1:123456789012:stack/1x/${UUID}`, 'a stack name starting with a digit'],
    [`arn:aws:cloudformation:us-east-1:123456789012:stack/my_stack/${UUID}`, 'an underscore in the name'],
    [`arn:aws:cloudformation:us-east-1:123456789012:stack/${'x'.repeat(129)}/${UUID}`, 'a 129-character name'],
    [`arn:aws:cloudformation:us-east-1:123456789012:stack/x/${'y'.repeat(65)}`, 'a unique id longer than 64'],
    [`arn:aws:cloudformation:us-east-1:123456789012:stack/x/${UUID} `, 'white space'],
  ])('refuses %j (%s)', (text) => {
    expect(parseStackArn(text)).toBeUndefined();
  });
});

describe('isStackName', () => {
  it('accepts 1-128 characters of letters, digits and hyphens, a letter first', () => {
    for (const name of ['a', 'Trustgate', 'trustgate-acme-2', `a${'-'.repeat(127)}`])
      expect(isStackName(name), name).toBe(true);
  });
  it('refuses what CreateStack refuses', () => {
    for (const name of ['', '1a', '-a', 'a_b', 'a b', 'a.b', `a${'b'.repeat(128)}`, 'é'])
      expect(isStackName(name), name).toBe(false);
    expect(isStackName(undefined)).toBe(false);
  });
});
