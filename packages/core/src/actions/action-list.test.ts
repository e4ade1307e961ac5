import { describe, expect, it } from 'vitest';
import { createActionList, editDistance, splitAction } from './action-list.ts';
import { loadAwsActionList } from './load-aws-action-list.ts';

describe('createActionList (synthetic list)', () => {
  const list = createActionList([
    'ec2:RunInstances',
    'ec2:DescribeSpotFleetRequests',
    'ec2:DescribeSpotPriceHistory',
    'iam:PassRole',
    'iam:PassRole',
  ]);

  it('deduplicates and gives the canonical spelling case-insensitively', () => {
    expect(list.size).toBe(4);
    expect(list.canonical('EC2:runinstances')).toBe('ec2:RunInstances');
    expect(list.canonical('ec2:RunInstance')).toBeUndefined();
  });

  it('expands wildcards with * and ? case-insensitively and only within matching services', () => {
    expect(list.expand('ec2:describespot*')).toEqual(['ec2:DescribeSpotFleetRequests', 'ec2:DescribeSpotPriceHistory']);
    expect(list.expand('iam:PassRol?')).toEqual(['iam:PassRole']);
    expect(list.expand('*')).toHaveLength(4);
    expect(list.expand('e*:Run*')).toEqual(['ec2:RunInstances']);
    expect(list.expand('ec2:Nothing*')).toEqual([]);
    expect(list.expand('no-colon')).toEqual([]);
  });

  it('does not treat regex metacharacters in patterns as regex', () => {
    expect(list.expand('ec2:Run.nstances')).toEqual([]);
  });

  it('suggests the nearest real names', () => {
    expect(list.suggest('ec2:RunInstance', 1)).toEqual(['ec2:RunInstances']);
  });

  it('splits service and action names', () => {
    expect(splitAction('ec2:RunInstances')).toEqual({ service: 'ec2', name: 'RunInstances' });
    expect(splitAction('ec2:')).toBeUndefined();
    expect(splitAction('a:b:c')).toBeUndefined();
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('loadAwsActionList (iam-data)', () => {
  it('holds the real AWS action list', async () => {
    const list = await loadAwsActionList();
    expect(list.size).toBeGreaterThan(15_000);
    expect(list.canonical('ec2:requestspotfleet')).toBe('ec2:RequestSpotFleet');
    expect(list.suggest('ec2:RunInstance')[0]).toBe('ec2:RunInstances');
    expect(list.expand('ec2:DescribeSpotFleet*')).toEqual([
      'ec2:DescribeSpotFleetInstances',
      'ec2:DescribeSpotFleetRequestHistory',
      'ec2:DescribeSpotFleetRequests',
    ]);
  });
});
