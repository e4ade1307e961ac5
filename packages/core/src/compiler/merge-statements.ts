import type { NormalStatement } from './compile-types.ts';
import { PatternIndex, withoutCovered } from './cover-patterns.ts';
import { compareStatements, conditionsKey, normalResources, normalStatement, uniqueActions } from './normal-form.ts';

/**
 * Merge statements so they take fewer characters and allow (or deny) exactly what the input did.
 * Pure; the input is not changed. In the manner of aws-cdk's `lib/private/merge-statements.ts`, these rules are
 * applied repeatedly until nothing changes:
 *
 * 1. **Same resources.** Two statements with the same effect, the same resources and the same conditions become
 *    one statement with the union of their actions. (`A on R` + `B on R` grants `(A ∪ B) on R`.)
 * 2. **Same actions.** Two statements with the same effect, the same actions and the same conditions become one
 *    statement with the union of their resources. (`A on R1` + `A on R2` grants `A on (R1 ∪ R2)`.)
 * 3. **Subsumed actions.** When a statement with no conditions has Resource `*`, every other statement of the
 *    same effect drops the actions its entries cover (they are already granted, or denied, everywhere,
 *    unconditionally); a statement left without actions disappears.
 * 4. **Covered entries.** Where a statement lists wildcards (the catalog's own, kept with `wildcards: 'keep'`), an
 *    entry another entry of it covers is dropped (`ec2:DescribeInstances` or `ec2:DescribeSpot*` beside
 *    `ec2:Describe*`; see {@link withoutCovered}).
 *
 * Actions deduplicate case-insensitively (callers pass AWS's canonical spelling); "covers" is
 * {@link patternCovers}, true for every action the entry can match now and later, so rules 3 and 4 hold for the
 * actions AWS adds later too; resources are compared as strings, and `*` absorbs the others. No rule ever widens a grant: the set of (effect, action, resource,
 * conditions) a request can match is unchanged — tests check this against the unmerged input. The output is in
 * normal form and in a deterministic order.
 */
export function mergeStatements(statements: readonly NormalStatement[]): NormalStatement[] {
  let current = statements.map(normalStatement);
  for (;;) {
    const before = signature(current);
    current = mergeBy(
      current,
      (s) => `${s.effect}|${s.resources.join('\n')}|${conditionsKey(s.conditions)}`,
      (a, b) => ({
        ...a,
        actions: uniqueActions([...a.actions, ...b.actions]),
      }),
    );
    current = mergeBy(
      current,
      (s) => `${s.effect}|${s.actions.join('\n').toLowerCase()}|${conditionsKey(s.conditions)}`,
      (a, b) => ({
        ...a,
        actions: uniqueActions([...a.actions, ...b.actions]),
        resources: normalResources([...a.resources, ...b.resources]),
      }),
    );
    current = dropSubsumed(current).map((st) => ({ ...st, actions: withoutCovered(st.actions) }));
    if (signature(current) === before) break;
  }
  return current.sort(compareStatements);
}

function mergeBy(
  statements: NormalStatement[],
  key: (s: NormalStatement) => string,
  merge: (a: NormalStatement, b: NormalStatement) => NormalStatement,
): NormalStatement[] {
  const groups = new Map<string, NormalStatement>();
  for (const s of statements) {
    const k = key(s);
    const prior = groups.get(k);
    groups.set(k, prior ? merge(prior, s) : s);
  }
  return [...groups.values()];
}

/** Rule 3: entries granted (or denied) unconditionally on `*` are removed from the other statements of that effect. */
function dropSubsumed(statements: NormalStatement[]): NormalStatement[] {
  const everywhere = { Allow: new PatternIndex(), Deny: new PatternIndex() };
  const isUniversal = (s: NormalStatement): boolean =>
    !s.conditions && s.resources.length === 1 && s.resources[0] === '*';
  for (const s of statements) if (isUniversal(s)) for (const a of s.actions) everywhere[s.effect].add(a);
  const out: NormalStatement[] = [];
  for (const s of statements) {
    if (isUniversal(s)) {
      out.push(s);
      continue;
    }
    const actions = s.actions.filter((a) => !everywhere[s.effect].covers(a));
    if (actions.length > 0) out.push({ ...s, actions });
  }
  return out;
}

function signature(statements: NormalStatement[]): string {
  return JSON.stringify([...statements].sort(compareStatements));
}
