import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAwsActionList, type ActionList } from '../actions/index.ts';
import { parseCatalog, type Catalog } from '../catalog/index.ts';
import { TrustgateError } from '../errors/index.ts';
import { policySize } from '../policy-document/index.ts';
import { compilePolicies } from './compile-policies.ts';
import type { CompileOptions } from './compile-types.ts';

const EXAMPLE = readFileSync(fileURLToPath(new URL('../../../../catalogs/example.yaml', import.meta.url)), 'utf8');
let actionList: ActionList;
let catalog: Catalog;
beforeAll(async () => {
  actionList = await loadAwsActionList();
  catalog = parseCatalog(EXAMPLE, { actionList }).catalog!;
});

const compile = (options: Partial<CompileOptions>) =>
  compilePolicies({ catalog, selection: { mode: 'default' }, partition: 'aws', ...options }, actionList);

/** The error a call throws (fails the test when it does not throw a TrustgateError). */
function thrown(fn: () => unknown): TrustgateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof TrustgateError) return error;
    throw error;
  }
  throw new Error('expected a TrustgateError');
}

const statementsOf = (r: ReturnType<typeof compile>) => r.documents.flatMap((d) => d.document.Statement);
const actionsOf = (r: ReturnType<typeof compile>) => statementsOf(r).flatMap((s) => [s.Action ?? []].flat());

describe('compilePolicies on the example catalog', () => {
  it('default selection: default integrations only, Spot Fleet policy with PassRole on the tagging role', () => {
    const r = compile({ accountId: '123456789012' });
    const ids = r.requiredActions.map((x) => x.integrationId);
    expect(ids).toContain('spot-fleet');
    expect(ids).not.toContain('spot-fleet-iam-console');
    expect(ids).not.toContain('apply');
    const passRole = statementsOf(r).filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole.flatMap((s) => [s.Resource].flat())).toContain(
      'arn:aws:iam::123456789012:role/aws-ec2-spot-fleet-tagging-role',
    );
    expect(actionsOf(r)).not.toContain('iam:ListPolicies');
    expect(r.managedPolicyArns).toEqual(['arn:aws:iam::aws:policy/ReadOnlyAccess']);
    for (const d of r.documents) {
      expect(d.size).toBe(policySize(d.document));
      expect(d.size).toBeLessThanOrEqual(6144);
    }
    expect(r.figures.documents).toBe(r.documents.length);
    expect(r.figures.characters).toBeLessThan(r.figures.naiveCharacters);
  });

  it('lists exact, canonical actions by default (no wildcard), once each per statement', () => {
    const r = compile({ selection: { mode: 'custom', products: catalog.products.map((p) => p.id) } });
    for (const s of statementsOf(r)) {
      const actions = [s.Action].flat() as string[];
      expect(actions.every((a) => !/[*?]/.test(a))).toBe(true);
      expect(actions.every((a) => actionList.canonical(a) === a)).toBe(true);
      expect(new Set(actions.map((a) => a.toLowerCase())).size).toBe(actions.length);
    }
    expect(r.wildcards).toEqual([]);
  });

  it('ticking a product selects all its integrations; integrations by id or product/id', () => {
    const product = compile({ selection: { mode: 'custom', products: ['elastic-compute'] } });
    expect(product.requiredActions.map((x) => x.integrationId)).toEqual(
      catalog.products[0]!.integrations.map((i) => i.id),
    );
    const some = compile({
      selection: { mode: 'custom', integrations: ['cost-inventory/inventory', 'spot-fleet-iam-console'] },
    });
    expect(some.requiredActions.map((x) => x.integrationId)).toEqual(['spot-fleet-iam-console', 'inventory']);
    expect(actionsOf(some)).toContain('iam:ListPolicies');
    expect(actionsOf(some)).not.toContain('ec2:RequestSpotFleet');
  });

  it('an unticked integration contributes nothing', () => {
    const without = compile({ selection: { mode: 'custom', integrations: ['inventory'] } });
    const withConsole = compile({
      selection: { mode: 'custom', integrations: ['inventory', 'spot-fleet-iam-console'] },
    });
    const added = actionsOf(withConsole)
      .filter((a) => !actionsOf(without).includes(a))
      .sort();
    expect(added).toEqual([...withConsole.requiredActions[0]!.actions].sort());
  });

  it('is byte-identical for the same input in any order', () => {
    const a = compile({
      selection: { mode: 'custom', integrations: ['plan', 'spot-fleet', 'inventory'] },
      extraActions: ['s3:GetObject', 'EC2:describeregions'],
    });
    const b = compile({
      selection: { mode: 'custom', integrations: ['inventory', 'spot-fleet', 'plan', 'plan'] },
      extraActions: ['ec2:DescribeRegions', 's3:getobject'],
    });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it.each(['aws-cn', 'aws-us-gov'] as const)(
    'partition %s: every ARN in that partition, unoffered integrations left out with a warning',
    (partition) => {
      const r = compile({
        partition,
        selection: { mode: 'custom', products: catalog.products.map((p) => p.id) },
        accountId: '123456789012',
      });
      const arns = [...statementsOf(r).flatMap((s) => [s.Resource].flat()), ...r.managedPolicyArns].filter(
        (x) => x !== '*',
      );
      expect(arns.length).toBeGreaterThan(0);
      for (const arn of arns) expect(arn).toMatch(new RegExp(`^arn:${partition}:`));
      const notOffered = catalog.products
        .flatMap((p) => p.integrations)
        .filter((i) => !i.partitions.includes(partition));
      expect(notOffered.length).toBeGreaterThan(0);
      for (const i of notOffered) {
        expect(r.requiredActions.map((x) => x.integrationId)).not.toContain(i.id);
        expect(r.warnings.some((w) => w.code === 'INTEGRATION_NOT_OFFERED' && w.message.includes(`"${i.id}"`))).toBe(
          true,
        );
      }
    },
  );

  it('fills ${AccountId} and ${Region}, or * without them', () => {
    const filled = compile({
      selection: { mode: 'custom', integrations: ['state-backend'] },
      accountId: '123456789012',
      region: 'eu-west-1',
    });
    expect(JSON.stringify(filled.documents)).toContain(
      'arn:aws:dynamodb:eu-west-1:123456789012:table/example-platform-locks',
    );
    const open = compile({ selection: { mode: 'custom', integrations: ['state-backend'] } });
    expect(JSON.stringify(open.documents)).toContain('arn:aws:dynamodb:*:*:table/example-platform-locks');
    expect(JSON.stringify(open.documents)).not.toContain('${');
  });

  it('extra actions: canonical spelling, deduplicated, validated with suggestions', () => {
    const r = compile({
      selection: { mode: 'custom', integrations: ['inventory'] },
      extraActions: ['S3:getobject', 's3:GetObject', 'ec2:DescribeSpotFleet*'],
    });
    expect(r.extraActions).toEqual([
      'ec2:DescribeSpotFleetInstances',
      'ec2:DescribeSpotFleetRequestHistory',
      'ec2:DescribeSpotFleetRequests',
      's3:GetObject',
    ]);
    expect(actionsOf(r)).toContain('s3:GetObject');
    const e = thrown(() => compile({ extraActions: ['ec2:RunInstance'] }));
    expect(e.code).toBe('UNKNOWN_ACTION');
    expect(e.message).toContain('did you mean ec2:RunInstances');
    expect(e.findings[0]!.path).toBe('extraActions[0]');
  });

  it('AWS managed policies: partition-correct ARNs, paths kept, ARNs rewritten, customer ARNs refused', () => {
    const r = compile({
      partition: 'aws-cn',
      selection: { mode: 'custom', integrations: ['view-only-console'] },
      managedPolicies: ['service-role/AmazonEC2SpotFleetTaggingRole', 'arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
    expect(r.managedPolicyArns).toEqual([
      'arn:aws-cn:iam::aws:policy/job-function/ViewOnlyAccess',
      'arn:aws-cn:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole',
      'arn:aws-cn:iam::aws:policy/ReadOnlyAccess',
    ]);
    expect(r.documents).toEqual([]);
    expect(thrown(() => compile({ managedPolicies: ['arn:aws:iam::123456789012:policy/Mine'] })).code).toBe(
      'INVALID_INPUT',
    );
  });

  it('AWS managed policies named twice in different case count once against the quota', () => {
    const r = compile({
      selection: { mode: 'custom', integrations: ['plan'] },
      managedPolicies: ['readonlyaccess', 'arn:aws:iam::aws:policy/READONLYACCESS', 'job-function/ViewOnlyAccess'],
    });
    expect(r.managedPolicyArns).toEqual([
      'arn:aws:iam::aws:policy/ReadOnlyAccess',
      'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess',
    ]);
  });

  it('POLICY_TOO_LARGE names the numbers when AWS managed policies leave no room', () => {
    const names = [
      'ReadOnlyAccess',
      'PowerUserAccess',
      'AmazonS3ReadOnlyAccess',
      'AmazonEC2ReadOnlyAccess',
      'IAMReadOnlyAccess',
      'AWSLambda_ReadOnlyAccess',
      'AmazonRDSReadOnlyAccess',
      'CloudWatchReadOnlyAccess',
      'AmazonVPCReadOnlyAccess',
      'AWSBillingReadOnlyAccess',
    ];
    const e = thrown(() => compile({ managedPolicies: names }));
    expect(e.code).toBe('POLICY_TOO_LARGE');
    expect(e.message).toMatch(
      /needs 1 customer managed policies .* plus 10 AWS managed = 11 managed policies, but a role may have at most 10/,
    );
    expect(e.details).toMatchObject({ documentsNeeded: 1, awsManagedPolicies: 10, maxManagedPolicies: 10 });
    expect(thrown(() => compile({ managedPolicies: [...names, 'AmazonSQSReadOnlyAccess'] })).message).toMatch(
      /11 AWS managed policies .* at most 10/,
    );
  });

  it('splits a large selection across documents within 6,144 characters, up to the quota', () => {
    const big = ['ec2:*', 'iam:*', 's3:*', 'rds:*', 'lambda:*', 'sagemaker:*'];
    const e = thrown(() => compile({ extraActions: big }));
    expect(e.code).toBe('POLICY_TOO_LARGE');
    const needed = e.details.documentsNeeded as number;
    expect(needed + 1).toBeGreaterThan(10);
    const r = compile({ extraActions: big, maxManagedPolicies: 20 });
    expect(r.documents.length).toBe(needed);
    for (const d of r.documents) expect(d.size).toBeLessThanOrEqual(6144);
    expect(new Set(actionsOf(r).map((a) => a.toLowerCase())).size).toBe(r.figures.actions);
    const compacted = compile({ extraActions: big, wildcards: 'compact' });
    expect(compacted.documents.length + 1).toBeLessThanOrEqual(10);
    expect(compacted.wildcardMode).toBe('compact');
    // Never a whole service, never a cut inside a word, one access level each.
    expect(compacted.wildcards).toEqual(expect.arrayContaining(['ec2:Describe*', 'iam:List*', 's3:Get*']));
    for (const w of compacted.wildcards) expect(w).toMatch(/^[a-z0-9-]+:[A-Z][A-Za-z0-9]*\*$/);
    for (const d of compacted.wildcardDetails) expect(d.accessLevels).toHaveLength(1);
    // keep writes the six service wildcards as given.
    const kept = compile({ extraActions: big, wildcards: 'keep' });
    expect(kept.wildcards).toEqual(['ec2:*', 'iam:*', 'lambda:*', 'rds:*', 's3:*', 'sagemaker:*']);
    expect(kept.documents).toHaveLength(1);
  });

  it('inline mode: one document within 10,240 characters, or POLICY_TOO_LARGE with the numbers', () => {
    const r = compile({ inline: true });
    expect(r.mode).toBe('inline');
    expect(r.documents).toHaveLength(1);
    expect(r.documents[0]!.size).toBeLessThanOrEqual(10240);
    const e = thrown(() => compile({ inline: true, extraActions: ['ec2:*'] }));
    expect(e.code).toBe('POLICY_TOO_LARGE');
    expect(e.message).toMatch(/needs [\d,]+ characters as an inline policy.*at most 10,240/);
  });

  it('compact (alias compact: true) warns and lists the wildcards it wrote', () => {
    const r = compile({ compact: true, selection: { mode: 'custom', integrations: ['spot-fleet'] } });
    expect(r.wildcardMode).toBe('compact');
    expect(r.wildcards).toContain('ec2:DescribeSpotFleet*');
    expect(r.wildcardDetails.find((d) => d.pattern === 'ec2:DescribeSpotFleet*')).toEqual({
      pattern: 'ec2:DescribeSpotFleet*',
      actions: 3,
      accessLevels: ['List'],
    });
    expect(r.warnings.find((w) => w.code === 'COMPACTED_TO_WILDCARDS')!.message).toMatch(
      /actions AWS adds later under these prefixes would be granted too/,
    );
    expect(r.figures.characters).toBeLessThan(
      compile({ selection: { mode: 'custom', integrations: ['spot-fleet'] } }).figures.characters,
    );
  });

  it('refuses unknown selections with suggestions, empty selections, bad account and region', () => {
    const e = thrown(() =>
      compile({ selection: { mode: 'custom', products: ['elastic-compte'], integrations: ['spotfleet'] } }),
    );
    expect(e.code).toBe('INVALID_SELECTION');
    expect(e.findings.map((f) => f.path)).toEqual(['selection.products[0]', 'selection.integrations[0]']);
    expect(e.message).toMatch(/did you mean elastic-compute/);
    expect(e.message).toMatch(/did you mean spot-fleet/);
    expect(thrown(() => compile({ selection: { mode: 'custom' } })).code).toBe('INVALID_SELECTION');
    const gone = thrown(() =>
      compile({ partition: 'aws-cn', selection: { mode: 'custom', integrations: ['savings-plans'] } }),
    );
    expect(gone.code).toBe('INVALID_SELECTION');
    expect(gone.findings[0]!.code).toBe('INTEGRATION_NOT_OFFERED');
    expect(thrown(() => compile({ accountId: '1234' })).code).toBe('INVALID_ACCOUNT_ID');
    expect(thrown(() => compile({ region: 'cn-north-1' })).code).toBe('INVALID_PARTITION');
    expect(thrown(() => compile({ region: 'us-east-1a' })).code).toBe('INVALID_INPUT');
    expect(compile({ partition: 'aws-cn', region: 'cn-north-1' }).partition).toBe('aws-cn');
    // The compiler's own pattern ended in -\d: it refused a two-digit region number every SDK's regionRegex admits.
    expect(compile({ region: 'ap-southeast-12' }).partition).toBe('aws');
    expect(thrown(() => compile({ namePrefix: 'my policy' })).code).toBe('INVALID_INPUT');
    expect(thrown(() => compile({ maxManagedPolicies: 21 })).code).toBe('INVALID_INPUT');
    const names = compile({ namePrefix: 'acme-connect', extraActions: ['ec2:*', 'iam:*', 's3:*'] }).documents.map(
      (d) => d.name,
    );
    expect(names.length).toBeGreaterThan(1);
    expect(names).toEqual(names.map((_, i) => `acme-connect-${i + 1}`));
  });

  it('keeps Deny statements (never compacted) and fills templates in condition values', () => {
    const yaml = [
      'version: 1',
      'products:',
      '  - id: guard',
      '    name: Guard',
      '    integrations:',
      '      - id: guarded-read',
      '        name: Guarded read',
      '        default: true',
      '        statements:',
      '          - actions: [ec2:DescribeSpotFleetInstances, ec2:DescribeSpotFleetRequestHistory, ec2:DescribeSpotFleetRequests]',
      '            conditions: { StringEquals: { "aws:ResourceAccount": "${AccountId}" } }',
      '          - effect: Deny',
      '            actions: [ec2:DescribeSpotFleetInstances, ec2:DescribeSpotFleetRequestHistory, ec2:DescribeSpotFleetRequests]',
      '            resources: ["arn:${Partition}:ec2:${Region}:${AccountId}:spot-fleet-request/*"]',
    ].join('\n');
    const guard = parseCatalog(yaml, { actionList }).catalog!;
    const r = compilePolicies(
      {
        catalog: guard,
        selection: { mode: 'default' },
        partition: 'aws-us-gov',
        accountId: '123456789012',
        region: 'us-gov-west-1',
        compact: true,
      },
      actionList,
    );
    const statements = r.documents[0]!.document.Statement;
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'ec2:DescribeSpotFleet*',
        Resource: '*',
        Condition: { StringEquals: { 'aws:ResourceAccount': '123456789012' } },
      },
      {
        Effect: 'Deny',
        Action: [
          'ec2:DescribeSpotFleetInstances',
          'ec2:DescribeSpotFleetRequestHistory',
          'ec2:DescribeSpotFleetRequests',
        ],
        Resource: 'arn:aws-us-gov:ec2:us-gov-west-1:123456789012:spot-fleet-request/*',
      },
    ]);
    expect(r.requiredActions[0]!.actions).toHaveLength(3);
  });
});
