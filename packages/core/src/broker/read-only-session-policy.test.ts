import { describe, expect, it } from 'vitest';
import { createActionList, type AccessLevel } from '../actions/index.ts';
import { readOnlySessionPolicy } from './index.ts';

const LEVELS: Record<string, AccessLevel> = {
  'ec2:DescribeInstances': 'List',
  'ec2:DescribeImages': 'List',
  'ec2:DescribeVolumes': 'List',
  'ec2:RunInstances': 'Write',
  'ec2:CreateTags': 'Tagging',
  's3:GetObject': 'Read',
  's3:GetObjectAcl': 'Read',
  's3:GetObjectTagging': 'Read',
  's3:GetBucketPolicy': 'Read',
  's3:GetBucketPolicyStatus': 'Read',
  's3:PutObject': 'Write',
  's3:ListBucket': 'List',
  's3:ListTagsForResource': 'Read',
  's3:ListTagsOfResource': 'Read',
  'iam:GetRole': 'Read',
  'iam:PutRolePolicy': 'Permissions management',
  'iam:GetRolePolicy': 'Read',
};
const list = createActionList(Object.keys(LEVELS), LEVELS);
const actionsOf = (document: { Statement: Array<{ Action?: string | string[] }> }) =>
  [document.Statement[0]?.Action ?? []].flat();

describe('readOnlySessionPolicy', () => {
  it('allows exactly the List and Read actions, listed one by one while they fit, and reports the rest', () => {
    const r = readOnlySessionPolicy({
      actions: ['ec2:DescribeInstances', 'ec2:RunInstances', 's3:getobject', 'iam:PutRolePolicy', 'nope:Nothing', 'x'],
      actionList: list,
      partition: 'aws',
    });
    expect(r.document).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['ec2:DescribeInstances', 's3:GetObject'], Resource: '*' }],
    });
    expect(r.dropped).toEqual(['ec2:RunInstances', 'iam:PutRolePolicy', 'nope:Nothing', 'x']);
    expect(r.wildcards).toEqual([]);
    expect(r.size).toBe(JSON.stringify(r.document).length);
  });

  it('expands wildcard inputs and keeps only their List/Read members', () => {
    const r = readOnlySessionPolicy({ actions: ['ec2:*'], actionList: list, partition: 'aws' });
    expect(actionsOf(r.document)).toEqual(['ec2:DescribeImages', 'ec2:DescribeInstances', 'ec2:DescribeVolumes']);
    expect(r.dropped).toEqual(['ec2:CreateTags', 'ec2:RunInstances']);
  });

  it('compacts only when it must, into word-boundary wildcards that match only allowed actions today', () => {
    const all = Object.keys(LEVELS);
    const full = readOnlySessionPolicy({ actions: all, actionList: list, partition: 'aws' });
    expect(full.wildcards).toEqual([]);
    const r = readOnlySessionPolicy({ actions: all, actionList: list, partition: 'aws', maxChars: full.size - 1 });
    expect(r.size).toBeLessThanOrEqual(full.size - 1);
    // One step was enough: the wildcard that saves the most (s3:Get* covers five actions).
    expect(r.wildcards).toEqual(['s3:Get*']);
    const smallest = readOnlySessionPolicy({ actions: all, actionList: list, partition: 'aws', maxChars: 150 });
    expect(actionsOf(smallest.document)).toEqual(['ec2:Describe*', 'iam:Get*', 's3:Get*', 's3:List*']);
    // Never a cut inside a word (s3:GetO*), never a whole service.
    for (const w of smallest.wildcards) expect(w).toMatch(/^[a-z0-9-]+:[A-Z][a-z]+(?:[A-Z][a-z]*)*\*$/);
  });

  it('ATTACK: never writes a wildcard that would reach a Write, Permissions management or Tagging action', () => {
    // iam:Get* and ec2:Describe* are safe; iam:* would reach PutRolePolicy and ec2:* RunInstances and CreateTags.
    const r = readOnlySessionPolicy({
      actions: ['iam:*', 'ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeVolumes'],
      actionList: list,
      partition: 'aws',
      maxChars: 110,
    });
    expect(actionsOf(r.document)).toEqual(['ec2:Describe*', 'iam:Get*']);
    for (const pattern of actionsOf(r.document))
      for (const action of list.expand(pattern)) expect(['List', 'Read']).toContain(list.accessLevel(action));
  });

  it('is deterministic: the same actions in any order give the same document', () => {
    const all = Object.keys(LEVELS);
    const a = readOnlySessionPolicy({ actions: all, actionList: list, partition: 'aws', maxChars: 250 });
    const b = readOnlySessionPolicy({ actions: [...all].reverse(), actionList: list, partition: 'aws', maxChars: 250 });
    expect(b).toEqual(a);
  });

  it('denies everything when no action is List or Read', () => {
    const r = readOnlySessionPolicy({ actions: ['s3:PutObject'], actionList: list, partition: 'aws' });
    expect(r.document.Statement).toEqual([{ Effect: 'Deny', Action: '*', Resource: '*' }]);
    expect(r.dropped).toEqual(['s3:PutObject']);
  });

  it('throws POLICY_TOO_LARGE saying what to do when even the compact form does not fit', () => {
    expect(() =>
      readOnlySessionPolicy({ actions: Object.keys(LEVELS), actionList: list, partition: 'aws', maxChars: 60 }),
    ).toThrow(
      expect.objectContaining({
        code: 'POLICY_TOO_LARGE',
        message: expect.stringMatching(/select fewer integrations.*without readOnlySessionPolicy/),
      }),
    );
  });

  it('refuses bad options naming the field', () => {
    for (const [input, field] of [
      [{ maxChars: 0 }, 'maxChars'],
      [{ maxChars: 4096 }, 'maxChars'],
      [{ actions: 's3:GetObject' }, 'actions'],
    ] as const) {
      expect(() =>
        readOnlySessionPolicy({ actions: [], actionList: list, partition: 'aws', ...(input as object) }),
      ).toThrow(expect.objectContaining({ field }));
    }
    expect(() => readOnlySessionPolicy({ actions: [], actionList: list, partition: 'nope' as 'aws' })).toThrow(
      expect.objectContaining({ code: 'INVALID_PARTITION' }),
    );
  });
});
