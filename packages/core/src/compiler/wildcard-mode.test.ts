import { beforeAll, describe, expect, it } from 'vitest';
import { loadAwsActionList, type ActionList } from '../actions/index.ts';
import { parseCatalog, type Catalog } from '../catalog/index.ts';
import { TrustgateError } from '../errors/index.ts';
import { compilePolicies } from './compile-policies.ts';
import type { CompileOptions } from './compile-types.ts';
import { patternCovers, withoutCovered } from './cover-patterns.ts';

const YAML = [
  'version: 1',
  'products:',
  '  - id: monitor',
  '    name: Monitor',
  '    integrations:',
  '      - id: read',
  '        name: Read',
  '        default: true',
  '        statements:',
  '          - actions: [ec2:Describe*, ec2:DescribeInstances, cloudwatch:List*, s3:getobject, ec2:**GetConsole*]',
  '          - actions: [ec2:DescribeSpot*, ec2:DescribeImages, s3:ListBucket]',
  '            conditions: { StringEquals: { "aws:ResourceAccount": "${AccountId}" } }',
  '          - effect: Deny',
  '            actions: [ec2:Delete*]',
  '            resources: ["arn:${Partition}:ec2:*:${AccountId}:volume/*"]',
].join('\n');

let actionList: ActionList;
let catalog: Catalog;
beforeAll(async () => {
  actionList = await loadAwsActionList();
  catalog = parseCatalog(YAML, { actionList }).catalog!;
});
const compile = (options: Partial<CompileOptions>) =>
  compilePolicies(
    { catalog, selection: { mode: 'default' }, partition: 'aws', accountId: '123456789012', ...options },
    actionList,
  );
const thrown = (fn: () => unknown): TrustgateError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof TrustgateError) return error;
    throw error;
  }
  throw new Error('expected a TrustgateError');
};

describe("wildcards: 'keep'", () => {
  it("writes the catalog's wildcards as written, exact actions exact, and says so", () => {
    const r = compile({ wildcards: 'keep' });
    expect(r.wildcardMode).toBe('keep');
    const statements = r.documents.flatMap((d) => d.document.Statement);
    expect(statements).toEqual([
      // ec2:DescribeInstances is covered by ec2:Describe*; the run ** is written as its equivalent *.
      {
        Effect: 'Allow',
        Action: ['cloudwatch:List*', 'ec2:*GetConsole*', 'ec2:Describe*', 's3:GetObject'],
        Resource: '*',
      },
      // Rule 3: what the unconditional statement grants everywhere (ec2:Describe* covers both) is left out here.
      {
        Effect: 'Allow',
        Action: 's3:ListBucket',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceAccount': '123456789012' } },
      },
      { Effect: 'Deny', Action: 'ec2:Delete*', Resource: 'arn:aws:ec2:*:123456789012:volume/*' },
    ]);
    expect(r.wildcards).toEqual(['cloudwatch:List*', 'ec2:*GetConsole*', 'ec2:Delete*', 'ec2:Describe*']);
    const describe = r.wildcardDetails.find((d) => d.pattern === 'ec2:Describe*')!;
    expect(describe.actions).toBe(actionList.expand('ec2:Describe*').length);
    expect(describe.accessLevels).toEqual(['List']);
    expect(r.warnings.find((w) => w.code === 'KEPT_CATALOG_WILDCARDS')).toMatchObject({
      severity: 'info',
      message: expect.stringMatching(/as written; actions AWS adds later under them are granted too/),
    });
    // What it grants today is listed concretely, as in every mode.
    expect(r.requiredActions[0]!.actions).toEqual(
      expect.arrayContaining(['ec2:DescribeInstances', ...actionList.expand('cloudwatch:List*')]),
    );
    expect(r.figures.actions).toBe(compile({}).figures.actions);
    expect(r.figures.characters).toBeLessThan(compile({}).figures.characters);
  });

  it('keeps extra actions as given, and refuses a wildcard that matches nothing today', () => {
    const r = compile({ wildcards: 'keep', extraActions: ['sts:GetCaller*', 'iam:GetRole'] });
    expect(r.wildcards).toContain('sts:GetCaller*');
    expect(r.extraActions).toEqual(['iam:GetRole', 'sts:GetCallerIdentity']);
    const e = thrown(() => compile({ wildcards: 'keep', extraActions: ['ec2:DescribeNothingAtAll*'] }));
    expect(e.code).toBe('UNKNOWN_ACTION');
    expect(e.findings[0]).toMatchObject({ code: 'WILDCARD_MATCHES_NOTHING', path: 'extraActions[0]' });
  });
});

describe('wildcard mode option', () => {
  it('expand is the default and writes no wildcard; compact: true is compact', () => {
    const r = compile({});
    expect(r.wildcardMode).toBe('expand');
    expect(r.wildcards).toEqual([]);
    expect(r.wildcardDetails).toEqual([]);
    expect(compile({ compact: true }).wildcardMode).toBe('compact');
    expect(compile({ compact: false, wildcards: 'keep' }).wildcardMode).toBe('keep');
  });

  it('refuses an unknown mode and compact: true beside another mode', () => {
    expect(thrown(() => compile({ wildcards: 'some' as 'keep' }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'wildcards',
    });
    expect(thrown(() => compile({ compact: true, wildcards: 'keep' }))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'compact',
    });
  });
});

describe('patternCovers and withoutCovered', () => {
  it.each([
    ['ec2:Describe*', 'ec2:DescribeInstances', true],
    ['ec2:Describe*', 'EC2:describespot*', true],
    ['ec2:*', 'ec2:Describe?nstances', true],
    ['*:Describe*', 'ec2:DescribeSpot*', true],
    ['ec2:Describe?', 'ec2:Describe*', false],
    ['ec2:Describe*', 'ec2:Desc*', false],
    ['ec2:Get*', 'ec2:DescribeInstances', false],
    ['ec2:DescribeInstances', 'ec2:DescribeInstances', true],
    ['ec2:DescribeInstances', 'ec2:Describe*', false],
    ['ec2:Describe?nstances', 'ec2:DescribeInstances', true],
  ])('%s covers %s: %s', (general, specific, expected) => {
    expect(patternCovers(general, specific)).toBe(expected);
  });

  it('drops only entries a kept entry covers, in the given order', () => {
    expect(
      withoutCovered(['ec2:DescribeInstances', 'ec2:DescribeSpot*', 'ec2:Describe*', 'ec2:Get*', 's3:GetObject']),
    ).toEqual(['ec2:Describe*', 'ec2:Get*', 's3:GetObject']);
    expect(withoutCovered(['ec2:Describe*', 'ec2:describe*'])).toEqual(['ec2:Describe*']);
    expect(withoutCovered(['a:B', 'a:C'])).toEqual(['a:B', 'a:C']);
  });
});
