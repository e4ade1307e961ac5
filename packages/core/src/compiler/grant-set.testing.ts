/**
 * Test support (not exported from core): what a set of statements grants, as (effect, action, resource,
 * conditions) tuples over concrete actions, and a comparison "allows exactly the same" that treats an
 * unconditional grant on Resource `*` as covering the same action on any resource and under any condition.
 */
import type { PolicyDocument, PolicyStatement } from '../policy-document/index.ts';
import type { NormalStatement } from './compile-types.ts';
import { normalConditions } from './normal-form.ts';

/** Expands an action entry (exact or wildcard) to concrete action names (any case). */
export type Expander = (entry: string) => string[];

const key = (effect: string, action: string, resource: string, conditions: string): string =>
  `${effect}|${action.toLowerCase()}|${resource}|${conditions}`;

/** The tuples a list of normal statements grants. */
export function grantsOfNormal(statements: readonly NormalStatement[], expand: Expander): Set<string> {
  const out = new Set<string>();
  for (const s of statements) {
    const c = JSON.stringify(normalConditions(s.conditions) ?? null);
    for (const entry of s.actions)
      for (const a of expand(entry)) for (const r of s.resources) out.add(key(s.effect, a, r, c));
  }
  return out;
}

/** The tuples policy documents grant (Action/Resource as string or array). */
export function grantsOfDocuments(documents: readonly PolicyDocument[], expand: Expander): Set<string> {
  const statements: NormalStatement[] = documents.flatMap((d) =>
    d.Statement.map((s: PolicyStatement) => ({
      effect: s.Effect,
      actions: [s.Action ?? []].flat(),
      resources: [s.Resource ?? []].flat(),
      ...(s.Condition ? { conditions: s.Condition } : {}),
    })),
  );
  return grantsOfNormal(statements, expand);
}

/**
 * Tuples of `a` not covered by `b`: covered means the same tuple, or the same effect, action and conditions on
 * Resource `*`, or the same effect and action on `*` without conditions.
 */
export function uncovered(a: Set<string>, b: Set<string>): string[] {
  const missing: string[] = [];
  for (const t of a) {
    if (b.has(t)) continue;
    const [effect, action, , ...rest] = t.split('|');
    if (b.has(key(effect!, action!, '*', rest.join('|'))) || b.has(key(effect!, action!, '*', 'null'))) continue;
    missing.push(t);
  }
  return missing;
}

/** True when both grant exactly the same requests. */
export function sameGrants(a: Set<string>, b: Set<string>): { missing: string[]; extra: string[] } {
  return { missing: uncovered(a, b), extra: uncovered(b, a) };
}
