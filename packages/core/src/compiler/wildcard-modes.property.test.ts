/**
 * Acceptance properties of the wildcard modes (issue 18) over AWS's real action list, on catalogs written as
 * vendors write them: mostly `svc:Describe*` / `svc:List*` / `svc:Get*` patterns across many services, some other
 * prefixes and `?` patterns, exact actions, statements on resources, under conditions, and denies.
 *
 * Oracle: `@cloud-copilot/iam-expand` (AGPL, test-only) for what any entry matches today and iam-data's own access
 * levels (test/support/compile-oracle.ts). In every mode the documents fit AWS's limits (or the compiler says
 * POLICY_TOO_LARGE) and grant exactly the selection's actions today. `keep` grants exactly the catalog's patterns
 * (checked on actions that do not exist yet: a made-up name under each wildcard); `compact` writes only wildcards
 * whose every match today has one access level and is cut at a word boundary.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAwsActionList, splitAction, type ActionList } from '../actions/index.ts';
import type { Catalog, CatalogIntegration, CatalogStatement } from '../catalog/index.ts';
import { TrustgateError } from '../errors/index.ts';
import type { PolicyStatement } from '../policy-document/index.ts';
import {
  checkCompile,
  expectedIntegrations,
  expectedStatements,
  oracle,
  rawAccessLevel,
} from '../../test/support/compile-oracle.ts';
import { propertyParameters } from '../../test/support/property-seed.ts';
import { compilePolicies } from './compile-policies.ts';
import { WILDCARD_MODES, type CompiledPolicies, type CompileOptions, type NormalStatement } from './compile-types.ts';

/** Word starts of a CamelCase name, written here apart from the compiler's (`DescribeDBInstances`: 8, 10). */
const wordStarts = (name: string): number[] =>
  [...name.matchAll(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/g)].map((m) => m.index!);

let actionList: ActionList;
let all: string[];
/** `svc:Describe*`, `svc:List*`, `svc:Get*` of every service that has them. */
let readPatterns: string[];
/** Other word-boundary prefixes of one or two words (`ec2:Create*`, `rds:DescribeDB*`). */
let wordPatterns: string[];
beforeAll(async () => {
  actionList = await loadAwsActionList();
  all = actionList.expand('*');
  const read = new Set<string>();
  const words = new Set<string>();
  for (const action of all) {
    const { service, name } = splitAction(action)!;
    const cuts = wordStarts(name);
    if (cuts[0] !== undefined) {
      const first = name.slice(0, cuts[0]);
      if (['Describe', 'List', 'Get'].includes(first)) read.add(`${service}:${first}*`);
      else words.add(`${service}:${first}*`);
    }
    if (cuts[1] !== undefined) words.add(`${service}:${name.slice(0, cuts[1])}*`);
  }
  readPatterns = [...read].sort();
  wordPatterns = [...words].sort();
}, 60_000);

/** An IAM action pattern as a RegExp, written here apart from core's. */
const globRe = (pattern: string): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\/-]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    'i',
  );
/** A name no AWS action has, that `pattern` matches: what AWS might add later. */
const future = (pattern: string): string => pattern.replace(/\*/g, 'Zqfuture').replace(/\?/g, 'Q');

type Scope = Pick<CatalogStatement, 'effect' | 'resources' | 'conditions'>;
const SCOPES: Scope[] = [
  {},
  {},
  { resources: ['arn:${Partition}:s3:::vendor-${AccountId}/*'] },
  { conditions: { StringEquals: { 'aws:ResourceAccount': '${AccountId}' } } },
  { effect: 'Deny', resources: ['arn:${Partition}:ec2:*:${AccountId}:volume/*'] },
];

type Pick_ = { kind: 'read' | 'word' | 'prefix' | 'qmark' | 'exact'; n: number };
const ENTRY: fc.Arbitrary<Pick_> = fc.record({
  kind: fc.constantFrom<Pick_['kind']>('read', 'read', 'read', 'word', 'prefix', 'qmark', 'exact', 'exact'),
  n: fc.nat(),
});

function entryOf({ kind, n }: Pick_): string {
  if (kind === 'read') return readPatterns[n % readPatterns.length]!;
  if (kind === 'word') return wordPatterns[n % wordPatterns.length]!;
  const action = all[n % all.length]!;
  if (kind === 'exact') return action;
  const colon = action.indexOf(':');
  const name = action.slice(colon + 1);
  if (kind === 'prefix') return `${action.slice(0, colon + 1 + 1 + ((n >> 8) % name.length))}*`; // any cut
  const at = colon + 1 + ((n >> 8) % name.length);
  return `${action.slice(0, at)}?${action.slice(at + 1)}`;
}

function catalogOf(entries: string[], cuts: number[], scopes: number[]): Catalog {
  const bounds = [...new Set(cuts.map((c) => c % entries.length))].filter((c) => c > 0).sort((a, b) => a - b);
  const statements: CatalogStatement[] = [];
  let start = 0;
  for (const end of [...bounds, entries.length]) {
    const scope = SCOPES[(scopes[statements.length] ?? 0) % SCOPES.length]!;
    statements.push({ ...scope, actions: entries.slice(start, end) });
    start = end;
  }
  const integrations: CatalogIntegration[] = statements.map((s, i) => ({
    id: `i${i}`,
    name: `Integration ${i}`,
    default: true,
    partitions: ['aws', 'aws-us-gov', 'aws-cn'],
    statements: [s],
    managedPolicies: [],
  }));
  return { version: 1, products: [{ id: 'vendor', name: 'Vendor', integrations }] };
}

/** True when `statements` grant `action` with `effect` on `resource` under `conditions` (or everywhere, always). */
function grants(statements: NormalStatement[], effect: string, action: string, resource: string, conditions: string) {
  return statements.some(
    (s) =>
      s.effect === effect &&
      s.actions.some((e) => globRe(e).test(action)) &&
      ((s.resources.includes('*') && !s.conditions) ||
        ((s.resources.includes(resource) || s.resources.includes('*')) &&
          JSON.stringify(s.conditions ?? null) === conditions)),
  );
}
const normalOf = (s: PolicyStatement): NormalStatement => ({
  effect: s.Effect,
  actions: [s.Action ?? []].flat(),
  resources: [s.Resource ?? []].flat(),
  ...(s.Condition ? { conditions: s.Condition } : {}),
});

/** keep: every pattern of one side grants, on actions AWS may add later, what the other side grants. */
function checkKeep(result: CompiledPolicies, expected: NormalStatement[]): void {
  const docs = result.documents.flatMap((d) => d.document.Statement.map(normalOf));
  const written = new Set(expected.flatMap((s) => s.actions).map((e) => e.toLowerCase()));
  for (const s of docs) for (const e of s.actions) expect(written.has(e.toLowerCase()), e).toBe(true);
  const wildcards = (ss: NormalStatement[]) => ss.flatMap((s) => s.actions.filter((e) => /[*?]/.test(e)));
  expect(result.wildcards).toEqual(
    [...new Set(wildcards(docs))].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)),
  );
  for (const [from, to] of [
    [expected, docs],
    [docs, expected],
  ] as const) {
    for (const s of from)
      for (const w of s.actions.filter((e) => /[*?]/.test(e)))
        for (const r of s.resources)
          expect(grants(to, s.effect, future(w), r, JSON.stringify(s.conditions ?? null)), `${w} on ${r}`).toBe(true);
  }
}

/** compact: every wildcard is `svc:Prefix*` in an Allow, cut at a word of each match, all of one access level. */
async function checkCompact(result: CompiledPolicies): Promise<void> {
  for (const s of result.documents.flatMap((d) => d.document.Statement)) {
    for (const w of [s.Action ?? []].flat().filter((e) => /[*?]/.test(e))) {
      expect(s.Effect).toBe('Allow');
      expect(w).toMatch(/^[a-z0-9-]+:[A-Za-z0-9]+\*$/);
      const prefix = w.slice(w.indexOf(':') + 1, -1);
      const matched = oracle(w);
      expect(matched.length, w).toBeGreaterThanOrEqual(2);
      for (const a of matched) {
        const name = a.slice(a.indexOf(':') + 1);
        expect(name.length === prefix.length || wordStarts(name).includes(prefix.length), `${w} cuts ${a}`).toBe(true);
      }
      const levels = new Set(await Promise.all(matched.map(rawAccessLevel)));
      expect([...levels], w).toHaveLength(1);
    }
  }
}

describe('wildcard modes on vendor-like catalogs of AWS patterns (oracle: iam-expand, iam-data levels)', () => {
  it('keep grants exactly the patterns, compact only one-level word wildcards; all fit or say POLICY_TOO_LARGE', async () => {
    const seen = { keep: 0, compact: 0, expand: 0, wildcardsCompacted: 0, tooLarge: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(ENTRY, { minLength: 1, maxLength: 250, size: 'max' }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 13 }),
        fc.constantFrom(...WILDCARD_MODES),
        fc.constantFrom(10, 20),
        async (picks, cuts, scopes, wildcards, maxManagedPolicies) => {
          const entries = [...new Set(picks.map(entryOf))];
          const catalog = catalogOf(entries, cuts, scopes);
          const options: CompileOptions = {
            catalog,
            selection: { mode: 'default' },
            partition: 'aws',
            accountId: '123456789012',
            wildcards,
            maxManagedPolicies,
          };
          const outcome = await checkCompile(options, actionList);
          const expected = expectedStatements(expectedIntegrations(catalog, options.selection, 'aws'), options);
          if (outcome instanceof TrustgateError) {
            expect(outcome.code).toBe('POLICY_TOO_LARGE');
            seen.tooLarge++;
            if (wildcards === 'compact')
              expect(() => compilePolicies({ ...options, wildcards: 'expand' }, actionList)).toThrow(TrustgateError);
            else {
              const names = new Set(
                expected.flatMap((s) => (wildcards === 'keep' ? s.actions : s.actions.flatMap(oracle))),
              );
              const bare = [...names].reduce((n, a) => n + a.length + 3, 0);
              expect(bare).toBeGreaterThan(maxManagedPolicies * 6144 * 0.9);
            }
            return;
          }
          seen[wildcards]++;
          expect(outcome.wildcardMode).toBe(wildcards);
          if (wildcards === 'keep') checkKeep(outcome, expected);
          else if (wildcards === 'compact') {
            await checkCompact(outcome);
            seen.wildcardsCompacted += outcome.wildcards.length;
          } else expect(outcome.wildcards).toEqual([]);
        },
      ),
      propertyParameters({ numRuns: 45 }),
    );
    // Each mode was really exercised, and compaction had wildcards to write.
    expect(seen.keep).toBeGreaterThan(0);
    expect(seen.compact).toBeGreaterThan(0);
    expect(seen.expand).toBeGreaterThan(0);
    expect(seen.wildcardsCompacted).toBeGreaterThan(0);
  }, 300_000);
});
