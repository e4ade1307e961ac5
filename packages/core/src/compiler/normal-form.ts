import type { ConditionBlock } from '../policy-document/index.ts';
import type { NormalStatement } from './compile-types.ts';

/** Order strings case-insensitively, then by code unit, independent of the locale (deterministic output). */
export function compareText(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

/**
 * Sorted, deduplicated case-insensitively. Callers pass AWS's canonical spelling; should two spellings meet, the
 * smallest by code unit is kept, so the result never depends on input order.
 */
export function uniqueActions(actions: Iterable<string>): string[] {
  const byLower = new Map<string, string>();
  for (const a of actions) {
    const prior = byLower.get(a.toLowerCase());
    if (prior === undefined || a < prior) byLower.set(a.toLowerCase(), a);
  }
  return [...byLower.values()].sort(compareText);
}

/** Sorted, deduplicated (case-sensitive: ARNs are); `*` absorbs every other resource. */
export function normalResources(resources: Iterable<string>): string[] {
  const set = new Set(resources);
  if (set.has('*')) return ['*'];
  return [...set].sort(compareText);
}

/**
 * Conditions in normal form: operators and keys sorted, values deduplicated and sorted (values of one key are
 * OR-ed, so their order has no meaning), a single value as a scalar. Undefined when empty.
 */
export function normalConditions(conditions: ConditionBlock | undefined): ConditionBlock | undefined {
  if (!conditions) return undefined;
  const out: ConditionBlock = {};
  for (const operator of Object.keys(conditions).sort()) {
    const entries = conditions[operator]!;
    const block: ConditionBlock[string] = {};
    for (const key of Object.keys(entries).sort()) {
      const raw = entries[key]!;
      const values = [
        ...new Map((Array.isArray(raw) ? raw : [raw]).map((v) => [`${typeof v}:${String(v)}`, v])).entries(),
      ]
        .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
        .map(([, v]) => v);
      block[key] = values.length === 1 ? values[0]! : values;
    }
    if (Object.keys(block).length > 0) out[operator] = block;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** A key equal for statements whose conditions are equal. */
export function conditionsKey(conditions: ConditionBlock | undefined): string {
  return conditions ? JSON.stringify(conditions) : '';
}

/** A statement in normal form (see {@link NormalStatement}). */
export function normalStatement(statement: NormalStatement): NormalStatement {
  const conditions = normalConditions(statement.conditions);
  return {
    effect: statement.effect,
    actions: uniqueActions(statement.actions),
    resources: normalResources(statement.resources),
    ...(conditions ? { conditions } : {}),
  };
}

/** Deterministic statement order: Allow before Deny, then by resources, conditions, actions. */
export function compareStatements(a: NormalStatement, b: NormalStatement): number {
  if (a.effect !== b.effect) return a.effect === 'Allow' ? -1 : 1;
  const keys = (s: NormalStatement): string[] => [
    s.resources.join('\n'),
    conditionsKey(s.conditions),
    s.actions.join('\n'),
  ];
  const [x, y] = [keys(a), keys(b)];
  for (let i = 0; i < x.length; i++) {
    const c = compareText(x[i]!, y[i]!);
    if (c !== 0) return c;
  }
  return 0;
}
