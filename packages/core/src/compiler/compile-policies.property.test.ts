/**
 * Property tests of the compiler against an independent oracle: `@cloud-copilot/iam-expand` (AGPL, test-only)
 * expands what the documents allow; the expected grants are computed from the catalog without the compiler
 * (test/support/compile-oracle.ts). Every wildcard mode must grant exactly the same today.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAwsActionList, type ActionList } from '../actions/index.ts';
import { parseCatalog, type Catalog, type CatalogIntegration, type CatalogProduct } from '../catalog/index.ts';
import { TrustgateError } from '../errors/index.ts';
import type { Partition } from '../partition/index.ts';
import { checkCompile as checkWith, expectedIntegrations } from '../../test/support/compile-oracle.ts';
import { propertyParameters } from '../../test/support/property-seed.ts';
import { compilePolicies } from './compile-policies.ts';
import { WILDCARD_MODES, type CompileOptions, type Selection } from './compile-types.ts';

const EXAMPLE = readFileSync(fileURLToPath(new URL('../../../../catalogs/example.yaml', import.meta.url)), 'utf8');
let actionList: ActionList;
let example: Catalog;
let allActions: string[];
beforeAll(async () => {
  actionList = await loadAwsActionList();
  example = parseCatalog(EXAMPLE, { actionList }).catalog!;
  allActions = actionList.expand('*');
});
const checkCompile = (options: CompileOptions) => checkWith(options, actionList);
const MODE = fc.constantFrom(...WILDCARD_MODES);

const PARTITION = fc.constantFrom<Partition>('aws', 'aws-us-gov', 'aws-cn');
const EXTRA_POOL = [
  's3:GetObject',
  'ec2:DescribeRegions',
  'EC2:describeinstances',
  'ssm:GetParameter',
  'ec2:DescribeSpotFleet*',
  'sts:GetCallerIdentity',
  'cloudformation:Describe*',
];

describe('compiler properties on the example catalog (oracle: iam-expand)', () => {
  it('random selections always fit the limits and allow exactly the selected actions', async () => {
    const productIds = example.products.map((p) => p.id);
    const integrationIds = example.products.flatMap((p) => p.integrations.map((i) => i.id));
    const selection: fc.Arbitrary<Selection> = fc.oneof(
      fc.constant<Selection>({ mode: 'default' }),
      fc
        .record({ products: fc.subarray(productIds), integrations: fc.subarray(integrationIds) })
        .map((s): Selection => ({ mode: 'custom', ...s })),
    );
    await fc.assert(
      fc.asyncProperty(
        selection,
        PARTITION,
        MODE,
        fc.boolean(),
        fc.subarray(EXTRA_POOL),
        fc.option(fc.constant('123456789012'), { nil: undefined }),
        async (sel, partition, wildcards, inline, extraActions, accountId) => {
          const outcome = await checkCompile({
            catalog: example,
            selection: sel,
            partition,
            wildcards,
            inline,
            extraActions,
            ...(accountId ? { accountId } : {}),
          });
          if (outcome instanceof TrustgateError) {
            // Only an inline policy of everything may be too large, or a selection with nothing offered.
            if (outcome.code === 'POLICY_TOO_LARGE') expect(inline).toBe(true);
            else expect(expectedIntegrations(example, sel, partition).length + extraActions.length).toBe(0);
          }
        },
      ),
      propertyParameters({ numRuns: 120 }),
    );
  });
});

/**
 * `size` distinct actions from `all` (sorted), chosen by a small seeded generator (mulberry32): scattered, or a
 * contiguous run (whole prefixes and services, where compaction has most to do).
 */
function pickActions(all: string[], size: number, seed: number, contiguous: boolean): string[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  if (contiguous) {
    const start = Math.floor(next() * Math.max(1, all.length - size));
    return all.slice(start, start + size);
  }
  const chosen = new Set<string>();
  while (chosen.size < Math.min(size, all.length)) chosen.add(all[Math.floor(next() * all.length)]!);
  return [...chosen];
}

/** A synthetic catalog over `actions` (real AWS names), cut into products and integrations by `cuts`. */
function syntheticCatalog(
  actions: string[],
  cuts: number[],
  resourcesFor: (n: number) => string[] | undefined,
): Catalog {
  const integrations: CatalogIntegration[] = [];
  let start = 0;
  const bounds = [...new Set(cuts.map((c) => c % Math.max(1, actions.length)))]
    .sort((a, b) => a - b)
    .filter((c) => c > 0);
  for (const end of [...bounds, actions.length]) {
    if (end <= start) continue;
    const n = integrations.length;
    const resources = resourcesFor(n);
    integrations.push({
      id: `i${n}`,
      name: `Integration ${n}`,
      default: n % 2 === 0,
      partitions: n % 5 === 4 ? ['aws'] : ['aws', 'aws-us-gov', 'aws-cn'],
      statements: [{ effect: 'Allow', actions: actions.slice(start, end), ...(resources ? { resources } : {}) }],
      managedPolicies: [],
    });
    start = end;
  }
  const products: CatalogProduct[] = [];
  for (let i = 0; i < integrations.length; i += 3)
    products.push({ id: `p${i / 3}`, name: `Product ${i / 3}`, integrations: integrations.slice(i, i + 3) });
  return { version: 1, products };
}

describe('compiler properties on synthetic catalogs of up to 3,000 real actions (oracle: iam-expand)', () => {
  const sizes: number[] = [];
  let largeCompiled = 0;
  it('fit the limits and allow exactly the selection, or say POLICY_TOO_LARGE only when the actions cannot fit', async () => {
    const RESOURCES = [
      undefined,
      ['arn:${Partition}:s3:::bucket-${AccountId}/*'],
      ['arn:${Partition}:iam::${AccountId}:role/x', 'arn:${Partition}:iam::${AccountId}:role/y'],
    ];
    await fc.assert(
      fc.asyncProperty(
        // A size (biased to large selections) and a seed rather than an array of 3,000 indices: cheap to shrink.
        fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1500, max: 3000 })),
        fc.integer(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        PARTITION,
        MODE,
        fc.constantFrom(10, 20),
        fc.boolean(),
        async (size, seed, contiguous, cuts, resourceChoice, partition, wildcards, maxManagedPolicies, useDefault) => {
          const actions = pickActions(allActions, size, seed, contiguous);
          sizes.push(actions.length);
          const catalog = syntheticCatalog(
            actions,
            cuts,
            (n) => RESOURCES[(resourceChoice[n] ?? 0) % RESOURCES.length],
          );
          const all = catalog.products.flatMap((p) => p.integrations.map((i) => i.id));
          const selection: Selection = useDefault
            ? { mode: 'default' }
            : { mode: 'custom', integrations: all.filter((_, i) => (cuts[i] ?? 1) % 3 !== 0) };
          const options: CompileOptions = {
            catalog,
            selection,
            partition,
            wildcards,
            maxManagedPolicies,
            accountId: '123456789012',
          };
          const outcome = await checkCompile(options);
          if (!(outcome instanceof TrustgateError)) {
            if (actions.length > 1000 && outcome.documents.length > 1) largeCompiled++;
            return;
          }
          if (outcome.code === 'INVALID_SELECTION') {
            expect(expectedIntegrations(catalog, selection, partition)).toEqual([]);
            return;
          }
          // Justified only if even the bare action names exceed the room, with at most 10% lost to packing.
          if (wildcards !== 'expand') {
            expect(() => compilePolicies({ ...options, wildcards: 'expand' }, actionList)).toThrow(TrustgateError);
          } else {
            const names = new Set(
              expectedIntegrations(catalog, selection, partition).flatMap((i) =>
                i.statements.flatMap((s) => s.actions),
              ),
            );
            const bare = [...names].reduce((n, a) => n + a.length + 3, 0);
            expect(bare).toBeGreaterThan(maxManagedPolicies * 6144 * 0.9);
          }
        },
      ),
      propertyParameters({ numRuns: 40 }),
    );
    expect(Math.max(...sizes)).toBeGreaterThan(1000); // the large catalogs were really tried
    expect(largeCompiled).toBeGreaterThan(0); // and some compiled into several documents
  }, 240_000);
});
