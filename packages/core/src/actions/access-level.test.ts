import { describe, expect, it } from 'vitest';
import { createActionList, loadAwsActionList, parseAccessLevel } from './index.ts';

describe('parseAccessLevel', () => {
  it('keeps the five levels and the more specific one of the pairs the action data writes', () => {
    for (const level of ['List', 'Read', 'Write', 'Permissions management', 'Tagging'])
      expect(parseAccessLevel(level)).toBe(level);
    expect(parseAccessLevel('Permissions management, Write')).toBe('Permissions management');
    expect(parseAccessLevel('Tagging, Write')).toBe('Tagging');
  });
  it('ATTACK: never reads an unknown or mixed level as List or Read', () => {
    for (const raw of ['read', 'List, Read', 'Read, Write', 'Read, Sideways', '', undefined, 3])
      expect(['List', 'Read']).not.toContain(parseAccessLevel(raw));
    expect(parseAccessLevel('Read, Write')).toBe('Write');
    expect(parseAccessLevel('List, Read')).toBeUndefined();
  });
});

describe('ActionList.accessLevel', () => {
  it('answers case-insensitively from the levels given, and undefined for unknown actions or levels', () => {
    const list = createActionList(['s3:GetObject', 's3:PutObject', 's3:ListBucket'], {
      'S3:getobject': 'Read',
      's3:PutObject': 'Write',
      's3:Unknown': 'Read',
    });
    expect(list.accessLevel('s3:GETOBJECT')).toBe('Read');
    expect(list.accessLevel('s3:PutObject')).toBe('Write');
    expect(list.accessLevel('s3:ListBucket')).toBeUndefined();
    expect(list.accessLevel('s3:Unknown')).toBeUndefined();
    expect(createActionList(['s3:GetObject']).accessLevel('s3:GetObject')).toBeUndefined();
    expect(list.accessLevel(undefined as unknown as string)).toBeUndefined();
  });

  it("knows every AWS action's level, as AWS's Service Authorization Reference gives it", async () => {
    const aws = await loadAwsActionList();
    expect(aws.accessLevel('s3:GetObject')).toBe('Read');
    expect(aws.accessLevel('s3:ListAllMyBuckets')).toBe('List');
    expect(aws.accessLevel('ec2:DescribeInstances')).toBe('List');
    expect(aws.accessLevel('ec2:RunInstances')).toBe('Write');
    expect(aws.accessLevel('iam:PutRolePolicy')).toBe('Permissions management');
    expect(aws.accessLevel('ec2:CreateTags')).toBe('Tagging');
    const services = aws.services();
    let missing = 0;
    for (const s of services) for (const a of aws.actionsOf(s)) if (aws.accessLevel(a) === undefined) missing++;
    expect(missing).toBe(0);
  });
});
