import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createActionList, type AccessLevel } from '../actions/index.ts';
import { propertyParameters } from '../../test/support/property-seed.ts';
import { compactActions, wordBoundaries } from './compact-actions.ts';

const LEVELS: Record<string, AccessLevel> = {
  'ec2:DescribeSpotFleetInstances': 'List',
  'ec2:DescribeSpotFleetRequestHistory': 'List',
  'ec2:DescribeSpotFleetRequests': 'List',
  'ec2:DescribeSpotPriceHistory': 'List',
  'ec2:DescribeInstances': 'List',
  'ec2:RunInstances': 'Write',
  'ec2:RunScheduledInstances': 'Write',
  'ec2:CreateTags': 'Tagging',
  'backup:ListBackupPlans': 'List',
  'backup:ListBackupJobs': 'List',
  'backup:ListTags': 'Read',
  'backup:ListTagsOfThings': 'Read',
  'iam:PassRole': 'Write',
  'iam:GetRole': 'Read',
  'sts:AssumeRole': 'Write',
  'sts:GetCallerIdentity': 'Read',
  'sts:GetSessionToken': 'Read',
};
const list = createActionList([...Object.keys(LEVELS), 'ec2:DescribeUnleveled', 'ec2:DescribeUnleveledToo'], LEVELS);
const ALL = list.expand('*');

describe('wordBoundaries', () => {
  it.each([
    ['DescribeInstances', ['Describe']],
    ['DescribeDBInstances', ['Describe', 'DescribeDB']],
    ['ListTagsForResource', ['List', 'ListTags', 'ListTagsFor']],
    ['GetS3Object', ['Get', 'GetS3']],
    ['Describe', []],
  ])('%s is cut before each word', (name, prefixes) => {
    expect(wordBoundaries(name).map((cut) => name.slice(0, cut))).toEqual(prefixes);
  });
});

describe('compactActions', () => {
  it('writes the widest word-boundary wildcard whose actions today are all selected and of one level', () => {
    const out = compactActions(
      [
        'ec2:DescribeSpotFleetInstances',
        'ec2:DescribeSpotFleetRequestHistory',
        'ec2:DescribeSpotFleetRequests',
        'ec2:CreateTags',
      ],
      list,
    );
    expect(out.actions).toEqual(['ec2:CreateTags', 'ec2:DescribeSpotFleet*']);
    expect(out.wildcards).toEqual(['ec2:DescribeSpotFleet*']);
    const more = compactActions(
      ALL.filter((a) => a.startsWith('ec2:DescribeSpot')),
      list,
    );
    expect(more.wildcards).toEqual(['ec2:DescribeSpot*']);
  });

  it('never cuts inside a word of any action it matches (DescribeSpotFleetRequest* over ...Requests)', () => {
    const out = compactActions(['ec2:DescribeSpotFleetRequestHistory', 'ec2:DescribeSpotFleetRequests'], list);
    expect(out.wildcards).toEqual([]);
  });

  it('never writes a wildcard that reaches an unselected action', () => {
    const out = compactActions(['ec2:DescribeSpotFleetInstances', 'ec2:DescribeSpotFleetRequests'], list);
    expect(out.wildcards).toEqual([]);
    expect(out.actions).toEqual(['ec2:DescribeSpotFleetInstances', 'ec2:DescribeSpotFleetRequests']);
  });

  it('ATTACK: never mixes access levels (backup:List* would join List and Read), nor writes svc:*', () => {
    const backup = ALL.filter((a) => a.startsWith('backup:'));
    const out = compactActions(backup, list);
    expect(out.actions).toEqual(['backup:ListBackup*', 'backup:ListTags*']);
    const sts = compactActions(['sts:AssumeRole', 'sts:GetCallerIdentity', 'sts:GetSessionToken'], list);
    expect(sts.actions).toEqual(['sts:AssumeRole', 'sts:Get*']);
    // All of ec2 but two: Run* (two Write actions) and DescribeSpot*, never ec2:*, ec2:R* nor ec2:Describe* (which
    // would reach the unselected DescribeUnleveled*).
    const ec2 = compactActions(
      ALL.filter((a) => a.startsWith('ec2:') && !a.includes('Unleveled')),
      list,
    );
    expect(ec2.actions).toEqual(['ec2:CreateTags', 'ec2:DescribeInstances', 'ec2:DescribeSpot*', 'ec2:Run*']);
  });

  it('an action without a known level never joins a wildcard', () => {
    const out = compactActions(['ec2:DescribeUnleveled', 'ec2:DescribeUnleveledToo'], list);
    expect(out.wildcards).toEqual([]);
  });

  it('List and Read count as one level when asked (the broker), and with fits compacts only as needed', () => {
    const backup = ALL.filter((a) => a.startsWith('backup:'));
    expect(compactActions(backup, list, { sameLevel: ['List', 'Read'] }).actions).toEqual(['backup:List*']);
    const fitsAll = compactActions(backup, list, { fits: () => true });
    expect(fitsAll.actions).toEqual(backup);
    let calls = 0;
    const one = compactActions(backup, list, { fits: () => calls++ > 0 });
    expect(one.wildcards).toHaveLength(1);
  });

  it('property: the output matches exactly the input today; each wildcard one level, word-cut, inside it', () => {
    fc.assert(
      fc.property(fc.subarray(ALL, { minLength: 1 }), (selected) => {
        const out = compactActions(selected, list);
        const expanded = new Set(out.actions.flatMap((a) => list.expand(a)));
        expect([...expanded].sort()).toEqual([...selected].sort());
        for (const w of out.wildcards) {
          const reach = list.expand(w);
          expect(reach.every((a) => selected.includes(a))).toBe(true);
          expect(new Set(reach.map((a) => list.accessLevel(a))).size).toBe(1);
          const prefix = w.slice(w.indexOf(':') + 1, -1);
          expect(reach.some((a) => /^[A-Z]/.test(a.slice(a.indexOf(':') + 1 + prefix.length)))).toBe(true);
        }
        expect(out.actions.length).toBeLessThanOrEqual(selected.length);
      }),
      propertyParameters({ numRuns: 500 }),
    );
  });
});
