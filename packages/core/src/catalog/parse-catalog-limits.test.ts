import { beforeAll, describe, expect, it } from 'vitest';
import { loadAwsActionList, type ActionList } from '../actions/index.ts';
import { bigCatalog } from '../../test/support/big-catalog.ts';
import { CATALOG_LIMITS } from './catalog-limits.ts';
import { parseCatalog } from './parse-catalog.ts';

// Regressions of issue 11 (items 1 and 4): the work one catalog can cause is bounded, and no YAML input makes
// parseCatalog throw. Each case ran for tens of seconds, ran out of memory or threw before the fix.
let actionList: ActionList;
beforeAll(async () => {
  actionList = await loadAwsActionList();
});

const parse = (text: string) => parseCatalog(text, { fileName: 'x.yaml', actionList });
const errors = (text: string) => parse(text).findings.filter((f) => f.severity === 'error');

/** The nested-anchor alias bomb of issue 11: 9^6 x's from 60 aliases. */
const ALIAS_BOMB = [
  'a: &a [x, x, x, x, x, x, x, x, x]',
  ...['b', 'c', 'd', 'e', 'f'].map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcde'[i]}`).join(', ')}]`),
  `g: [${Array(9).fill('*f').join(', ')}]`,
].join('\n');

/** A minimal valid catalog with `extra` spliced into its one integration. */
const withIntegration = (extra: string) =>
  `version: 1\nproducts:\n  - id: p\n    name: P\n    integrations:\n      - id: i\n        name: I\n        default: true\n${extra}`;

describe('aliases (issue 11, item 4)', () => {
  it('the nested-anchor alias bomb is a finding, not an exception', () => {
    const { catalog, findings } = parse(ALIAS_BOMB);
    expect(catalog).toBeUndefined();
    expect(findings[0]).toMatchObject({ code: 'CATALOG_ALIAS', severity: 'error' });
    expect(findings[0]!.message).toMatch(/^x\.yaml:2:\d+: .*alias/);
  });

  it('an alias to an anchor that does not exist is a finding, not an exception', () => {
    expect(errors('version: 1\nproducts: *nope\n').map((f) => f.code)).toContain('CATALOG_ALIAS');
  });

  it('refuses even a single alias, saying to write the value out', () => {
    const text = withIntegration(
      "        statements:\n          - actions: &read ['s3:GetObject']\n          - actions: *read\n",
    );
    const found = errors(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      code: 'CATALOG_ALIAS',
      path: 'products[0].integrations[0].statements[1].actions',
    });
    expect(found[0]!.message).toMatch(/^x\.yaml:11:\d+: .*write/);
  });
});

describe('duplicate keys are found in one pass (issue 11, item 1)', () => {
  it('reports a duplicate key with its line, column and path, as the yaml library did', () => {
    const top = errors('version: 1\nversion: 1\nproducts: []\n');
    expect(top).toHaveLength(1);
    expect(top[0]).toMatchObject({ code: 'CATALOG_SYNTAX', path: 'version' });
    expect(top[0]!.message).toMatch(/^x\.yaml:2:1: Map keys must be unique/);
    const nested = errors(withIntegration('        default: false\n        managedPolicies: [ReadOnlyAccess]\n'));
    expect(nested).toHaveLength(1);
    expect(nested[0]).toMatchObject({ code: 'CATALOG_SYNTAX', path: 'products[0].integrations[0].default' });
    expect(nested[0]!.message).toMatch(/^x\.yaml:9:9: Map keys must be unique/);
  });

  it('counts keys that become the same property as duplicates (1 and "1")', () => {
    expect(errors('version: 1\n1: a\n"1": b\nproducts: []\n')[0]).toMatchObject({ code: 'CATALOG_SYNTAX', path: '1' });
  });

  it('refuses a key that is a collection', () => {
    expect(errors('? [a, b]\n: 1\nversion: 1\nproducts: []\n')[0]!.message).toMatch(/^x\.yaml:1:3: .*key/);
  });

  it('refuses 40,000 top-level keys quickly, naming the limit', () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `k${i}: v`).join('\n');
    const found = errors(text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ code: 'CATALOG_LIMIT', path: '' });
    expect(found[0]!.message).toMatch(
      /^x\.yaml:1:1: 40,000 keys in one mapping; at most 1,000 \(CATALOG_LIMITS\.mappingKeys\)/,
    );
  }, 5_000);
});

describe('the size of a catalog is bounded (issue 11, item 1)', () => {
  it('accepts a catalog at every limit at once', () => {
    const text = bigCatalog(actionList);
    expect(text.length).toBeLessThan(CATALOG_LIMITS.sourceLength);
    const { catalog, findings } = parse(text);
    expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(catalog!.products).toHaveLength(CATALOG_LIMITS.products);
    expect(catalog!.products.flatMap((p) => p.integrations)).toHaveLength(CATALOG_LIMITS.integrations);
  }, 20_000);

  it.each([
    [
      'products',
      { products: CATALOG_LIMITS.products + 1, integrations: CATALOG_LIMITS.products + 1 },
      /251 products; at most 250 \(CATALOG_LIMITS\.products\)/,
    ],
    [
      'integrations',
      { integrations: CATALOG_LIMITS.integrations + 1 },
      /1,001 integrations; at most 1,000 \(CATALOG_LIMITS\.integrations\)/,
    ],
    [
      'actions',
      { actions: CATALOG_LIMITS.actions + 1 },
      /10,001 action entries; at most 10,000 \(CATALOG_LIMITS\.actions\)/,
    ],
    [
      'wildcardActions',
      { wildcardActions: CATALOG_LIMITS.wildcardActions + 1 },
      /1,001 action entries with a wildcard; at most 1,000/,
    ],
    [
      'serviceWildcards',
      { serviceWildcards: CATALOG_LIMITS.serviceWildcards + 1 },
      /21 action entries with a wildcard service prefix; at most 20/,
    ],
  ] as const)(
    'refuses one over the %s limit with a finding naming it',
    (_name, size, says) => {
      const found = errors(bigCatalog(actionList, size));
      expect(found).toHaveLength(1);
      expect(found[0]!.code).toBe('CATALOG_LIMIT');
      expect(found[0]!.message).toMatch(says);
    },
    20_000,
  );

  it('refuses a source over the length limit before parsing it', () => {
    const found = errors(`version: 1\ndescription: ${'x'.repeat(CATALOG_LIMITS.sourceLength)}\n`);
    expect(found).toEqual([expect.objectContaining({ code: 'CATALOG_LIMIT', path: '' })]);
    expect(found[0]!.message).toMatch(
      /^x\.yaml: 1,000,025 characters; at most 1,000,000 \(CATALOG_LIMITS\.sourceLength\)/,
    );
  });

  it.each([
    ['block sequences', (d: number) => `${'- '.repeat(d)}x\n`],
    ['flow sequences', (d: number) => `${'['.repeat(d)}x${']'.repeat(d)}`],
    ['block mappings', (d: number) => `${Array.from({ length: d }, (_, i) => `${' '.repeat(i)}a:`).join('\n')} x\n`],
    ['flow mappings', (d: number) => `${'{a: '.repeat(d)}x${'}'.repeat(d)}`],
  ])('accepts %s nested 32 deep and refuses them 33 deep', (_name, nested) => {
    expect(errors(nested(CATALOG_LIMITS.depth)).map((f) => f.code)).not.toContain('CATALOG_LIMIT');
    expect(errors(nested(CATALOG_LIMITS.depth + 1)).map((f) => f.code)).toEqual(['CATALOG_LIMIT']);
  });

  it.each([
    ['block sequences', `${'- '.repeat(200_000)}x\n`],
    ['flow sequences', '['.repeat(400_000)],
    ['flow mappings', '{a: '.repeat(200_000)],
  ])(
    'refuses %s nested too deep quickly',
    (_name, text) => {
      const found = errors(text);
      expect(found).toHaveLength(1);
      expect(found[0]!.code).toBe('CATALOG_LIMIT');
      expect(found[0]!.message).toMatch(/^x\.yaml:1:\d+: .*at most 32 \(CATALOG_LIMITS\.depth\)/);
    },
    5_000,
  );
});

describe('one entry cannot make the checks slow (issue 11, item 1)', () => {
  it('matches a wildcard of many stars without backtracking', () => {
    const found = errors(withIntegration("        statements:\n          - actions: ['ec2:******Q']\n"));
    expect(found.map((f) => f.code)).toEqual(['WILDCARD_MATCHES_NOTHING']);
  }, 2_000);

  it('refuses an action with more wildcards than the limit', () => {
    const found = errors(withIntegration(`        statements:\n          - actions: ['ec2:${'*?'.repeat(20)}Q']\n`));
    expect(found[0]).toMatchObject({ code: 'MALFORMED_ACTION' });
    expect(found[0]!.message).toMatch(/40 wildcards; at most 8 \(CATALOG_LIMITS\.actionWildcards\)/);
  }, 2_000);

  it('refuses an action longer than the limit without looking for suggestions', () => {
    const found = errors(withIntegration(`        statements:\n          - actions: ['ec2:${'R'.repeat(300)}']\n`));
    expect(found[0]!.message).toMatch(/304 characters; at most 256 \(CATALOG_LIMITS\.actionLength\)/);
  });

  it('refuses a resource template with more variables than the limit', () => {
    const found = errors(
      withIntegration(
        `        statements:\n          - actions: [s3:GetObject]\n            resources: ['arn:\${Partition}:s3:::${'${a'.repeat(600)}']\n`,
      ),
    );
    expect(found[0]!.code).toBe('INVALID_ARN_TEMPLATE');
    expect(found[0]!.message).toMatch(/601 template variables; at most 16 \(CATALOG_LIMITS\.templateVariables\)/);
  });

  it('stops after the error limit, saying so', () => {
    const text = withIntegration(
      `        statements:\n          - actions:\n${Array.from({ length: 2_000 }, (_, i) => `              - ec2:RunInstancez${i}\n`).join('')}`,
    );
    const found = errors(text);
    expect(found).toHaveLength(CATALOG_LIMITS.errors + 1);
    expect(found.slice(0, -1).every((f) => f.code === 'UNKNOWN_ACTION')).toBe(true);
    expect(found.at(-1)).toMatchObject({ code: 'CATALOG_LIMIT', path: '' });
    expect(found.at(-1)!.message).toMatch(/CATALOG_LIMITS\.errors/);
  }, 5_000);
});
