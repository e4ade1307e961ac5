/**
 * Policy compiler benchmark: compiles the whole example catalog and a 2,000-action selection, and prints the time
 * per compile, the characters against the naive listing (one statement per action, measured in the same run) and
 * the documents needed; then a vendor-like read-only set of a few hundred Describe* / List* / Get* patterns across
 * 100+ services (built from AWS's action list, as issue 18's monitoring vendor writes theirs) in each wildcard
 * mode, against the same entries hand-split. Prints only; never fails on a time.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  compilePolicies,
  loadAwsActionList,
  parseCatalog,
  policySize,
  type ActionList,
  type Catalog,
  type CompileOptions,
  type WildcardMode,
  WILDCARD_MODES,
  TrustgateError,
} from '@trustgate/core';
import { opsPerSecond } from './ops-per-second.ts';

/** Milliseconds per call of `fn`, measured for about `ms` after a warm-up, reading the clock after every call. */
const msPerCall = (fn: () => unknown, ms = 1000): number => 1000 / opsPerSecond(fn, ms, 1);

/** The naive listing as a document: one statement per (action, resources) pair, as hand-written policies often are. */
function naiveDocument(catalog: Catalog, integrationIds: Set<string>, actionList: ActionList) {
  const Statement = catalog.products.flatMap((p) =>
    p.integrations
      .filter((i) => integrationIds.has(i.id))
      .flatMap((i) =>
        i.statements.flatMap((s) =>
          s.actions
            .flatMap((a) => (actionList.expand(a).length ? actionList.expand(a) : [a]))
            .map((a) => ({ Effect: 'Allow', Action: a, Resource: s.resources ?? '*' })),
        ),
      ),
  );
  return { Version: '2012-10-17', Statement };
}

/** A catalog with one integration per service over `actions` (2,000 real read-only actions). */
function largeCatalog(actions: string[]): Catalog {
  const byService = new Map<string, string[]>();
  for (const a of actions) byService.set(a.split(':')[0]!, [...(byService.get(a.split(':')[0]!) ?? []), a]);
  return {
    version: 1,
    products: [
      {
        id: 'inventory',
        name: 'Inventory',
        integrations: [...byService].map(([service, list]) => ({
          id: service,
          name: service,
          default: true,
          partitions: ['aws', 'aws-us-gov', 'aws-cn'],
          managedPolicies: [],
          statements: [{ effect: 'Allow', actions: list }],
        })),
      },
    ],
  };
}

/**
 * One row: time per compile; characters against the naive listing of the same integrations, built here (baseline);
 * the time just to build and serialize that naive listing; documents needed.
 */
function report(label: string, options: CompileOptions, actionList: ActionList): void {
  const result = compilePolicies(options, actionList);
  const ms = msPerCall(() => compilePolicies(options, actionList), 800);
  const ids = new Set(result.requiredActions.map((r) => r.integrationId));
  const naiveCharacters = policySize(naiveDocument(options.catalog, ids, actionList));
  const naiveMs = msPerCall(() => policySize(naiveDocument(options.catalog, ids, actionList)), 300);
  const f = result.figures;
  console.log(
    `${label.padEnd(48)} ${ms.toFixed(2).padStart(6)} ms/compile (naive listing ${naiveMs.toFixed(2)} ms)  ${f.actions.toString().padStart(4)} actions  ` +
      `${f.characters.toLocaleString('en-US').padStart(6)} chars vs naive ${naiveCharacters.toLocaleString('en-US').padStart(7)} ` +
      `(ratio ${(f.characters / naiveCharacters).toFixed(3)})  ${f.documents} document(s) + ${result.managedPolicyArns.length} AWS managed`,
  );
}

/**
 * A read-only integration as a monitoring vendor writes it: every third service (in AWS's order) that has
 * Describe/List/Get actions, with `svc:Describe*`, `svc:List*` and `svc:Get*` where they match something, plus one
 * exact List/Read action of the service outside those prefixes (BatchGet..., Search..., Head...), as such policies
 * add by hand. One statement on Resource `*`.
 */
function vendorLikeCatalog(actionList: ActionList): { catalog: Catalog; entries: string[]; services: number } {
  const services = actionList
    .services()
    .filter((s) => ['Describe', 'List', 'Get'].some((w) => actionList.expand(`${s}:${w}*`).length > 0))
    .filter((_, i) => i % 3 === 0);
  const entries = services.flatMap((s) => {
    const patterns = ['Describe', 'List', 'Get'].map((w) => `${s}:${w}*`).filter((p) => actionList.expand(p).length);
    const extra = actionList
      .actionsOf(s)
      .find(
        (a) =>
          !/:(Describe|List|Get)/.test(a) && ['List', 'Read'].includes(actionList.accessLevel(a) ?? ('' as string)),
      );
    return extra ? [...patterns, extra] : patterns;
  });
  const integration = {
    id: 'read-only',
    name: 'Read-only monitoring',
    default: true,
    partitions: ['aws' as const],
    managedPolicies: [],
    statements: [{ effect: 'Allow' as const, actions: entries }],
  };
  const catalog = {
    version: 1 as const,
    products: [{ id: 'monitoring', name: 'Monitoring', integrations: [integration] }],
  };
  return { catalog, entries, services: services.length };
}

/** The entries as a person splits them by hand: one Allow-on-`*` statement per document, filled in order. */
function handSplit(entries: string[]): { documents: number; characters: number } {
  const empty = policySize({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [], Resource: '*' }] });
  const sizes: number[] = [];
  let size = empty;
  let count = 0;
  for (const e of entries) {
    const cost = JSON.stringify(e).length + (count > 0 ? 1 : 0);
    if (size + cost > 6144) {
      sizes.push(size);
      size = empty + JSON.stringify(e).length;
      count = 1;
    } else {
      size += cost;
      count++;
    }
  }
  sizes.push(size);
  return { documents: sizes.length, characters: sizes.reduce((n, x) => n + x, 0) };
}

/** One row per wildcard mode (and quota): documents, characters, wildcards written, time; or POLICY_TOO_LARGE's figures. */
function reportModes(catalog: Catalog, actionList: ActionList, handCharacters: number): void {
  for (const wildcards of WILDCARD_MODES as readonly WildcardMode[]) {
    for (const maxManagedPolicies of [10, 20]) {
      const options: CompileOptions = {
        catalog,
        selection: { mode: 'default' },
        partition: 'aws',
        wildcards,
        maxManagedPolicies,
      };
      const label = `  --wildcards ${wildcards.padEnd(7)} quota ${maxManagedPolicies}`;
      try {
        const r = compilePolicies(options, actionList);
        const ms = msPerCall(() => compilePolicies(options, actionList), 500);
        const f = r.figures;
        const mixed = r.wildcardDetails.filter((d) => d.accessLevels.length > 1).length;
        console.log(
          `${label}: ${f.documents} document(s), ${f.characters.toLocaleString('en-US').padStart(7)} characters ` +
            `(${((f.characters / handCharacters) * 100).toFixed(1)}% of hand-split), ${r.wildcards.length} wildcards written ` +
            `(${mixed} matching more than one access level today), ${f.actions} actions today, ${ms.toFixed(1)} ms/compile`,
        );
      } catch (error) {
        if (!(error instanceof TrustgateError) || error.code !== 'POLICY_TOO_LARGE') throw error;
        const d = error.details as { documentsNeeded?: number; characters?: number };
        console.log(
          `${label}: POLICY_TOO_LARGE — needs ${d.documentsNeeded} documents, ${d.characters?.toLocaleString('en-US')} characters`,
        );
      }
      if (wildcards !== 'expand') break; // keep and compact fit the default quota; the larger one adds nothing
    }
  }
}

export default async function run(): Promise<void> {
  const actionList = await loadAwsActionList();
  const text = readFileSync(fileURLToPath(new URL('../catalogs/example.yaml', import.meta.url)), 'utf8');
  const example = parseCatalog(text, { fileName: 'example.yaml', actionList }).catalog!;
  const everything = { mode: 'custom' as const, products: example.products.map((p) => p.id) };

  // 2,000 real read-only actions, as a large inventory product would ask: Describe/List/Get of the services in order.
  const readOnly = actionList
    .services()
    .flatMap((s) => actionList.actionsOf(s).filter((a) => /:(Describe|List|Get)/.test(a)));
  const large = largeCatalog(readOnly.slice(0, 2000));

  console.log(`action list: ${actionList.size} actions`);
  report('example catalog, everything, aws', { catalog: example, selection: everything, partition: 'aws' }, actionList);
  report(
    'example catalog, everything, aws-cn',
    { catalog: example, selection: everything, partition: 'aws-cn' },
    actionList,
  );
  report(
    'example catalog, everything, --wildcards compact',
    { catalog: example, selection: everything, partition: 'aws', wildcards: 'compact' },
    actionList,
  );
  report(
    'example catalog, default, --inline',
    { catalog: example, selection: { mode: 'default' }, partition: 'aws', inline: true },
    actionList,
  );
  report(
    '2,000 actions (quota 20 managed policies)',
    { catalog: large, selection: { mode: 'default' }, partition: 'aws', maxManagedPolicies: 20 },
    actionList,
  );
  report(
    '2,000 actions, --wildcards compact',
    { catalog: large, selection: { mode: 'default' }, partition: 'aws', wildcards: 'compact' },
    actionList,
  );
  try {
    compilePolicies({ catalog: large, selection: { mode: 'default' }, partition: 'aws' }, actionList);
  } catch (error) {
    console.log(`2,000 actions, default quota of 10: ${(error as Error).message}`);
  }

  const vendor = vendorLikeCatalog(actionList);
  const patterns = vendor.entries.filter((e) => e.includes('*')).length;
  const hand = handSplit(vendor.entries);
  console.log(
    `vendor-like read-only set: ${vendor.entries.length} entries (${patterns} Describe*/List*/Get* patterns, ` +
      `${vendor.entries.length - patterns} exact) across ${vendor.services} services; hand-split as written: ` +
      `${hand.documents} document(s), ${hand.characters.toLocaleString('en-US')} characters`,
  );
  reportModes(vendor.catalog, actionList, hand.characters);
}
