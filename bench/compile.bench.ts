/**
 * Policy compiler benchmark: compiles the whole example catalog and a 2,000-action selection, and prints the time
 * per compile, the characters against the naive listing (one statement per action, measured in the same run) and
 * the documents needed. Prints only; never fails on a time.
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
    `${label.padEnd(42)} ${ms.toFixed(2).padStart(6)} ms/compile (naive listing ${naiveMs.toFixed(2)} ms)  ${f.actions.toString().padStart(4)} actions  ` +
      `${f.characters.toLocaleString('en-US').padStart(6)} chars vs naive ${naiveCharacters.toLocaleString('en-US').padStart(7)} ` +
      `(ratio ${(f.characters / naiveCharacters).toFixed(3)})  ${f.documents} document(s) + ${result.managedPolicyArns.length} AWS managed`,
  );
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
    'example catalog, everything, --compact',
    { catalog: example, selection: everything, partition: 'aws', compact: true },
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
    '2,000 actions, --compact',
    { catalog: large, selection: { mode: 'default' }, partition: 'aws', compact: true },
    actionList,
  );
  try {
    compilePolicies({ catalog: large, selection: { mode: 'default' }, partition: 'aws' }, actionList);
  } catch (error) {
    console.log(`2,000 actions, default quota of 10: ${(error as Error).message}`);
  }
}
