import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, stringify } from 'yaml';
import { loadAwsActionList, type ActionList } from '../actions/index.ts';
import { parseCatalog } from './parse-catalog.ts';

const EXAMPLE_PATH = fileURLToPath(new URL('../../../../catalogs/example.yaml', import.meta.url));
const EXAMPLE = readFileSync(EXAMPLE_PATH, 'utf8');
let actionList: ActionList;
beforeAll(async () => {
  actionList = await loadAwsActionList();
});

/** The example catalog with one change applied at a YAML path (a bad catalog derived from a good one). */
function mutate(path: Array<string | number>, value: unknown): string {
  const doc = parseDocument(EXAMPLE);
  if (value === undefined) doc.deleteIn(path);
  else doc.setIn(path, value);
  return doc.toString();
}

describe('the example catalog', () => {
  it('is valid against the real AWS action list, without warnings', () => {
    const { catalog, findings } = parseCatalog(EXAMPLE, { fileName: 'example.yaml', actionList });
    expect(findings).toEqual([]);
    expect(catalog!.products.length).toBeGreaterThanOrEqual(4);
    expect(catalog!.products.flatMap((p) => p.integrations).length).toBeGreaterThanOrEqual(12);
  });

  it("has the exact actions of AWS's Spot Fleet permissions page, PassRole limited to the tagging role", () => {
    const { catalog } = parseCatalog(EXAMPLE, { actionList });
    const spot = catalog!.products.flatMap((p) => p.integrations).find((i) => i.id === 'spot-fleet')!;
    expect(spot.default).toBe(true);
    expect(spot.statements.flatMap((s) => s.actions).sort()).toEqual([
      'ec2:CancelSpotFleetRequests',
      'ec2:CreateTags',
      'ec2:DescribeSpotFleetInstances',
      'ec2:DescribeSpotFleetRequestHistory',
      'ec2:DescribeSpotFleetRequests',
      'ec2:ModifySpotFleetRequest',
      'ec2:RequestSpotFleet',
      'ec2:RunInstances',
      'iam:CreateServiceLinkedRole',
      'iam:ListInstanceProfiles',
      'iam:ListRoles',
      'iam:PassRole',
    ]);
    const passRole = spot.statements.find((s) => s.actions.includes('iam:PassRole'))!;
    expect(passRole.resources).toEqual(['arn:${Partition}:iam::${AccountId}:role/aws-ec2-spot-fleet-tagging-role']);
    const consoleActions = catalog!.products
      .flatMap((p) => p.integrations)
      .find((i) => i.id === 'spot-fleet-iam-console')!;
    expect(consoleActions.default).toBe(false);
    expect(consoleActions.statements[0]!.actions).toContain('iam:ListPolicies');
  });

  it('offers some integrations only in some partitions, and all three by default', () => {
    const { catalog } = parseCatalog(EXAMPLE, { actionList });
    const integrations = catalog!.products.flatMap((p) => p.integrations);
    expect(integrations.some((i) => !i.partitions.includes('aws-cn'))).toBe(true);
    expect(integrations.some((i) => !i.partitions.includes('aws-us-gov'))).toBe(true);
    expect(integrations.find((i) => i.id === 'spot-fleet')!.partitions).toEqual(['aws', 'aws-us-gov', 'aws-cn']);
  });

  it('is accepted as JSON too, with the same result', () => {
    const json = JSON.stringify(parseDocument(EXAMPLE).toJS());
    expect(parseCatalog(json, { actionList }).catalog).toEqual(parseCatalog(EXAMPLE, { actionList }).catalog);
  });
});

interface BadCase {
  name: string;
  path: Array<string | number>;
  value: unknown;
  code: string;
  at: string;
  says: RegExp;
}

// products[0] = elastic-compute, integrations[0] = spot-fleet, integrations[1] = spot-fleet-iam-console.
const BAD: BadCase[] = [
  {
    name: 'unknown action',
    path: ['products', 0, 'integrations', 0, 'statements', 0, 'actions', 0],
    value: 'ec2:RunInstance',
    code: 'UNKNOWN_ACTION',
    at: 'products[0].integrations[0].statements[0].actions[0]',
    says: /unknown action ec2:RunInstance — did you mean ec2:RunInstances/,
  },
  {
    name: 'unknown service',
    path: ['products', 0, 'integrations', 0, 'statements', 0, 'actions', 1],
    value: 'ecc2:CreateTags',
    code: 'UNKNOWN_SERVICE',
    at: 'products[0].integrations[0].statements[0].actions[1]',
    says: /did you mean ec2:CreateTags/,
  },
  {
    name: 'wildcard matching nothing',
    path: ['products', 0, 'integrations', 1, 'statements', 0, 'actions', 0],
    value: 'iam:Nothing*',
    code: 'WILDCARD_MATCHES_NOTHING',
    at: 'products[0].integrations[1].statements[0].actions[0]',
    says: /iam:Nothing\* matches no AWS action/,
  },
  {
    name: 'malformed action',
    path: ['products', 0, 'integrations', 1, 'statements', 0, 'actions', 0],
    value: '*',
    code: 'MALFORMED_ACTION',
    at: 'products[0].integrations[1].statements[0].actions[0]',
    says: /service:Action/,
  },
  {
    name: 'hard-coded partition',
    path: ['products', 0, 'integrations', 0, 'statements', 1, 'resources', 0],
    value: 'arn:aws:iam::${AccountId}:role/x',
    code: 'INVALID_ARN_TEMPLATE',
    at: 'products[0].integrations[0].statements[1].resources[0]',
    says: /partition must be \$\{Partition\}/,
  },
  {
    name: 'unknown template variable',
    path: ['products', 0, 'integrations', 0, 'statements', 1, 'resources', 0],
    value: 'arn:${Partition}:iam::${Account}:role/x',
    code: 'INVALID_ARN_TEMPLATE',
    at: 'products[0].integrations[0].statements[1].resources[0]',
    says: /unknown template variable \$\{Account\}/,
  },
  {
    name: 'short ARN',
    path: ['products', 0, 'integrations', 0, 'statements', 1, 'resources', 0],
    value: 'arn:${Partition}:iam',
    code: 'INVALID_ARN_TEMPLATE',
    at: 'products[0].integrations[0].statements[1].resources[0]',
    says: /six parts/,
  },
  {
    name: 'resource not an ARN',
    path: ['products', 0, 'integrations', 0, 'statements', 1, 'resources', 0],
    value: 'role/x',
    code: 'INVALID_ARN_TEMPLATE',
    at: 'products[0].integrations[0].statements[1].resources[0]',
    says: /must be "\*" or an ARN/,
  },
  {
    name: 'duplicate integration id',
    path: ['products', 0, 'integrations', 1, 'id'],
    value: 'spot-fleet',
    code: 'DUPLICATE_ID',
    at: 'products[0].integrations[1].id',
    says: /duplicate integration id "spot-fleet"/,
  },
  {
    name: 'duplicate integration id in another product',
    path: ['products', 1, 'integrations', 0, 'id'],
    value: 'spot-fleet',
    code: 'DUPLICATE_ID',
    at: 'products[1].integrations[0].id',
    says: /unique across the catalog/,
  },
  {
    name: 'duplicate product id',
    path: ['products', 1, 'id'],
    value: 'elastic-compute',
    code: 'DUPLICATE_ID',
    at: 'products[1].id',
    says: /duplicate product id/,
  },
  {
    name: 'empty bundle',
    path: ['products', 0, 'integrations', 1, 'statements'],
    value: [],
    code: 'EMPTY_BUNDLE',
    at: 'products[0].integrations[1]',
    says: /grants nothing/,
  },
  {
    name: 'statement without actions',
    path: ['products', 0, 'integrations', 1, 'statements', 0, 'actions'],
    value: [],
    code: 'CATALOG_SCHEMA',
    at: 'products[0].integrations[1].statements[0].actions',
    says: /at least one action/,
  },
  {
    name: 'product without integrations',
    path: ['products', 2, 'integrations'],
    value: [],
    code: 'CATALOG_SCHEMA',
    at: 'products[2].integrations',
    says: /at least one integration/,
  },
  {
    name: 'wrong type for default',
    path: ['products', 0, 'integrations', 0, 'default'],
    value: 'yes',
    code: 'CATALOG_SCHEMA',
    at: 'products[0].integrations[0].default',
    says: /expected boolean/,
  },
  {
    name: 'wrong type for actions',
    path: ['products', 0, 'integrations', 0, 'statements', 0, 'actions'],
    value: 'ec2:RunInstances',
    code: 'CATALOG_SCHEMA',
    at: 'products[0].integrations[0].statements[0].actions',
    says: /expected array/,
  },
  {
    name: 'missing name',
    path: ['products', 0, 'integrations', 0, 'name'],
    value: undefined,
    code: 'CATALOG_SCHEMA',
    at: 'products[0].integrations[0].name',
    says: /missing required key "name"/,
  },
  {
    name: 'unknown key (typo)',
    path: ['products', 0, 'integrations', 0, 'defualt'],
    value: true,
    code: 'CATALOG_SCHEMA',
    at: 'products[0].integrations[0]',
    says: /unknown key "defualt"; allowed: id, name, description, default/,
  },
  {
    name: 'unknown partition',
    path: ['products', 0, 'integrations', 0, 'partitions'],
    value: ['aws', 'aws-iso'],
    code: 'CATALOG_SCHEMA',
    at: 'products[0].integrations[0].partitions[1]',
    says: /aws-cn/,
  },
  {
    name: 'no partitions',
    path: ['products', 0, 'integrations', 0, 'partitions'],
    value: [],
    code: 'CATALOG_SCHEMA',
    at: 'products[0].integrations[0].partitions',
    says: /at least one partition/,
  },
  {
    name: 'bad managed policy name',
    path: ['products', 0, 'integrations', 0, 'managedPolicies'],
    value: ['Read Only'],
    code: 'CATALOG_SCHEMA',
    at: 'products[0].integrations[0].managedPolicies[0]',
    says: /managed policy name/,
  },
  {
    name: 'bad id',
    path: ['products', 0, 'id'],
    value: 'Elastic Compute',
    code: 'CATALOG_SCHEMA',
    at: 'products[0].id',
    says: /lower-case/,
  },
  {
    name: 'unknown condition operator',
    path: ['products', 0, 'integrations', 2, 'statements', 1, 'conditions', 'StringEqual'],
    value: { 'aws:x': 'y' },
    code: 'INVALID_CONDITION',
    at: 'products[0].integrations[2].statements[1].conditions.StringEqual',
    says: /unknown condition operator/,
  },
  {
    name: 'unknown variable in a condition',
    path: ['products', 0, 'integrations', 2, 'statements', 1, 'conditions', 'StringEquals', 'aws:SourceAccount'],
    value: '${Acount}',
    code: 'INVALID_TEMPLATE',
    at: 'products[0].integrations[2].statements[1].conditions.StringEquals.aws:SourceAccount',
    says: /unknown template variable/,
  },
  { name: 'wrong version', path: ['version'], value: 2, code: 'CATALOG_SCHEMA', at: 'version', says: /expected 1/ },
];

describe('bad catalogs give errors that name the place, and nothing half-loaded', () => {
  it.each(BAD)('$name', ({ path, value, code, at, says }) => {
    const { catalog, findings } = parseCatalog(mutate(path, value), { fileName: 'bad.yaml', actionList });
    expect(catalog).toBeUndefined();
    const finding = findings.find((f) => f.code === code && f.path === at);
    expect(finding, JSON.stringify(findings, null, 1)).toBeDefined();
    expect(finding!.severity).toBe('error');
    expect(finding!.message).toMatch(says);
    expect(finding!.message).toMatch(/^bad\.yaml(:\d+:\d+)?/);
    if (at.startsWith('products[0]') && at !== 'products[0].id')
      expect(finding!.message).toContain('product "elastic-compute"');
    if (at.startsWith('products[0].integrations[0]')) expect(finding!.message).toContain('integration "spot-fleet"');
  });

  it('gives the line and column of the offending action', () => {
    const text = mutate(['products', 0, 'integrations', 0, 'statements', 0, 'actions', 0], 'ec2:RunInstance');
    const line = text.split('\n').findIndex((l) => l.includes('ec2:RunInstance') && !l.includes('RunInstances')) + 1;
    const { findings } = parseCatalog(text, { fileName: 'bad.yaml', actionList });
    expect(findings[0]!.message).toMatch(
      new RegExp(`^bad\\.yaml:${line}:\\d+, product "elastic-compute", integration "spot-fleet": unknown action`),
    );
  });

  it('reports every problem in one run: schema errors and action errors together', () => {
    let text = mutate(['products', 1, 'integrations', 0, 'default'], 'sometimes');
    text = stringify(parseDocument(text).toJS()).replaceAll('ec2:CreateTags', 'ec2:CreateTag');
    const { findings } = parseCatalog(text, { actionList });
    expect(findings.map((f) => f.code).sort()).toEqual(['CATALOG_SCHEMA', 'UNKNOWN_ACTION', 'UNKNOWN_ACTION']);
  });

  it('still checks the well-formed integrations of a product that has a schema error', () => {
    const doc = parseDocument(mutate(['products', 0, 'integrations', 1, 'default'], 'sometimes'));
    doc.setIn(['products', 0, 'integrations', 0, 'statements', 0, 'actions', 0], 'ec2:RunInstance');
    doc.setIn(['products', 0, 'id'], 'Elastic Compute');
    const { catalog, findings } = parseCatalog(doc.toString(), { actionList });
    expect(catalog).toBeUndefined();
    expect(findings.map((f) => `${f.code} ${f.path}`).sort()).toEqual([
      'CATALOG_SCHEMA products[0].id',
      'CATALOG_SCHEMA products[0].integrations[1].default',
      'UNKNOWN_ACTION products[0].integrations[0].statements[0].actions[0]',
    ]);
  });

  it('reports YAML syntax errors with the line, and duplicate keys', () => {
    const syntax = parseCatalog('version: 1\nproducts: [\n', { fileName: 'x.yaml', actionList });
    expect(syntax.catalog).toBeUndefined();
    expect(syntax.findings[0]).toMatchObject({ code: 'CATALOG_SYNTAX', severity: 'error' });
    expect(syntax.findings[0]!.message).toMatch(/^x\.yaml:\d+:\d+: /);
    const dup = parseCatalog('version: 1\nversion: 1\nproducts: []\n', { fileName: 'x.yaml', actionList });
    expect(dup.findings[0]!.message).toMatch(/unique|duplicate/i);
  });

  it('refuses a document that is not a mapping', () => {
    expect(parseCatalog('- a\n- b\n', { actionList }).findings[0]!.code).toBe('CATALOG_SCHEMA');
    expect(parseCatalog('', { actionList }).catalog).toBeUndefined();
  });

  it('keeps a catalog with warnings only (a duplicated action)', () => {
    const text = mutate(['products', 0, 'integrations', 1, 'statements', 0, 'actions', 6], 'IAM:getrole');
    const { catalog, findings } = parseCatalog(text, { actionList });
    expect(catalog).toBeDefined();
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      code: 'DUPLICATE_ACTION',
      severity: 'warning',
      path: 'products[0].integrations[1].statements[0].actions[6]',
    });
  });
});
