import { describe, expect, it } from 'vitest';
import { createIamReference } from './iam-reference.ts';
import { resourceFitsAction } from './policy-advice.ts';

const reference = createIamReference({
  services: ['s3', 'sts', 'ec2'],
  actions: [
    {
      name: 's3:GetObject',
      resourceTypes: [{ name: 'object', arn: 'arn:${Partition}:s3:::${BucketName}/${ObjectName}', conditionKeys: [] }],
      conditionKeys: ['s3:ExistingObjectTag/<key>'],
    },
    { name: 's3:ListAllMyBuckets', resourceTypes: [], conditionKeys: [] },
    {
      name: 'sts:AssumeRole',
      resourceTypes: [
        { name: 'role', arn: 'arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}', conditionKeys: [] },
      ],
      conditionKeys: ['sts:ExternalId', 'aws:RequestTag/${TagKey}'],
    },
  ],
  conditionKeys: [
    { key: 'aws:RequestTag/${TagKey}', type: 'String' },
    { key: 'aws:TagKeys', type: 'ArrayOfString' },
    { key: 'sts:ExternalId', type: 'String' },
    { key: 's3:ExistingObjectTag/<key>', type: 'String' },
  ],
});

describe('createIamReference', () => {
  it('answers for services, loaded services and actions case-insensitively', () => {
    expect(reference.hasService('EC2')).toBe(true);
    expect(reference.isLoaded('ec2')).toBe(false);
    expect(reference.isLoaded('s3')).toBe(true);
    expect(reference.action('STS:assumerole')?.name).toBe('sts:AssumeRole');
    expect(reference.actionsOf('s3')).toEqual(['s3:GetObject', 's3:ListAllMyBuckets']);
  });

  it('matches condition keys with ${...} and <...> placeholders', () => {
    expect(reference.conditionKey('aws:requesttag/Team')).toMatchObject({
      key: 'aws:RequestTag/${TagKey}',
      global: true,
    });
    expect(reference.conditionKey('s3:ExistingObjectTag/classification')).toMatchObject({
      type: 'String',
      global: false,
    });
    expect(reference.conditionKey('aws:RequestTag/')).toBeUndefined();
    expect(reference.conditionKey('sts:ExternalID')?.key).toBe('sts:ExternalId');
  });
});

describe('resourceFitsAction', () => {
  it("compares policy ARNs with the action's resource ARN formats", () => {
    expect(resourceFitsAction('arn:aws:s3:::bucket/*', 's3:GetObject', reference)).toBe(true);
    expect(resourceFitsAction('arn:aws:s3:::bucket/key.txt', 's3:GetObject', reference)).toBe(true);
    expect(resourceFitsAction('arn:aws:s3:::bucket', 's3:GetObject', reference)).toBe(false);
    expect(resourceFitsAction('arn:aws:sqs:us-east-1:111122223333:q', 's3:GetObject', reference)).toBe(false);
    expect(resourceFitsAction('arn:aws:iam::111122223333:role/app-*', 'sts:AssumeRole', reference)).toBe(true);
    expect(resourceFitsAction('arn:aws:iam::111122223333:user/app', 'sts:AssumeRole', reference)).toBe(false);
    expect(resourceFitsAction('arn:aws:s3:::bucket', 's3:ListAllMyBuckets', reference)).toBe(false);
    expect(resourceFitsAction('arn:aws:s3:::bucket', 's3:Unknown', reference)).toBe(true);
  });
});
