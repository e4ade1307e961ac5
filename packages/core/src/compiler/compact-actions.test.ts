import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActionList } from '../actions/index.ts';
import { propertyParameters } from '../../test/support/property-seed.ts';
import { compactActions } from './compact-actions.ts';

const list = createActionList([
  'ec2:DescribeSpotFleetInstances',
  'ec2:DescribeSpotFleetRequestHistory',
  'ec2:DescribeSpotFleetRequests',
  'ec2:DescribeSpotPriceHistory',
  'ec2:DescribeInstances',
  'ec2:RunInstances',
  'ec2:RunScheduledInstances',
  'ec2:CreateTags',
  'iam:PassRole',
  'iam:GetRole',
  'sts:AssumeRole',
  'sts:GetCallerIdentity',
  'sts:GetSessionToken',
]);
const ALL = list.expand('*');

describe('compactActions', () => {
  it('writes the shortest prefix whose expansion today is entirely selected', () => {
    const out = compactActions(
      [
        'ec2:DescribeSpotFleetInstances',
        'ec2:DescribeSpotFleetRequestHistory',
        'ec2:DescribeSpotFleetRequests',
        'ec2:CreateTags',
      ],
      list,
    );
    expect(out.actions).toEqual(['ec2:CreateTags', 'ec2:DescribeSpotF*']);
    expect(out.wildcards).toEqual(['ec2:DescribeSpotF*']);
  });

  it('never writes a wildcard that reaches an unselected action', () => {
    const out = compactActions(['ec2:DescribeSpotFleetInstances', 'ec2:DescribeSpotFleetRequests'], list);
    expect(out.wildcards).toEqual([]);
    expect(out.actions).toEqual(['ec2:DescribeSpotFleetInstances', 'ec2:DescribeSpotFleetRequests']);
  });

  it('handles an action name that is a prefix of another (RunInstances / RunScheduledInstances)', () => {
    expect(compactActions(['ec2:RunInstances'], list).actions).toEqual(['ec2:RunInstances']);
    expect(compactActions(['ec2:RunInstances', 'ec2:RunScheduledInstances'], list).actions).toEqual(['ec2:R*']);
  });

  it('writes service:* for a whole service, and nothing for a single action', () => {
    expect(
      compactActions(['sts:AssumeRole', 'sts:GetCallerIdentity', 'sts:GetSessionToken', 'iam:GetRole'], list).actions,
    ).toEqual(['iam:GetRole', 'sts:*']);
  });

  it('property: the expansion of the output is exactly the input, and every wildcard stays inside it', () => {
    fc.assert(
      fc.property(fc.subarray(ALL, { minLength: 1 }), (selected) => {
        const out = compactActions(selected, list);
        const expanded = new Set(out.actions.flatMap((a) => list.expand(a)));
        expect([...expanded].sort()).toEqual([...selected].sort());
        for (const w of out.wildcards) expect(list.expand(w).every((a) => selected.includes(a))).toBe(true);
        expect(out.actions.length).toBeLessThanOrEqual(selected.length);
      }),
      propertyParameters({ numRuns: 500 }),
    );
  });
});
