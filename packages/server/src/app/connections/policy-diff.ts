import type { WildcardMode } from '@trustgate/core';
import type { IssuedPolicy } from '../../model/records.ts';

/** What changes between the permissions a role has (applied) and what the connection now asks for (issued). */
export interface PolicyDiff {
  changed: boolean;
  /** Actions to add, per integration. */
  added: { productId: string; integrationId: string; actions: string[] }[];
  /** Actions no longer asked for, per integration. */
  removed: { productId: string; integrationId: string; actions: string[] }[];
  managedPoliciesAdded: string[];
  managedPoliciesRemoved: string[];
  /**
   * Wildcards the new documents write that the applied ones did not (a prefix grants the actions AWS adds later
   * under it, so a reviewer sees them apart from the actions), and those no longer written.
   */
  wildcardsAdded: string[];
  wildcardsRemoved: string[];
  /** Set when the compiler's wildcard mode changed (records from before it read as `expand`). */
  wildcardMode?: { from: WildcardMode; to: WildcardMode };
}

function byIntegration(
  policy: IssuedPolicy | null,
): Map<string, { productId: string; integrationId: string; actions: Set<string> }> {
  const map = new Map<string, { productId: string; integrationId: string; actions: Set<string> }>();
  for (const r of policy?.requiredActions ?? []) {
    const key = `${r.productId}/${r.integrationId}`;
    const entry = map.get(key) ?? {
      productId: r.productId,
      integrationId: r.integrationId,
      actions: new Set<string>(),
    };
    for (const a of r.actions) entry.actions.add(a);
    map.set(key, entry);
  }
  return map;
}

function minus(
  a: Map<string, { productId: string; integrationId: string; actions: Set<string> }>,
  b: ReturnType<typeof byIntegration>,
): PolicyDiff['added'] {
  const out: PolicyDiff['added'] = [];
  for (const [key, entry] of a) {
    const other = b.get(key)?.actions ?? new Set<string>();
    const actions = [...entry.actions].filter((x) => !other.has(x)).sort();
    if (actions.length > 0) out.push({ productId: entry.productId, integrationId: entry.integrationId, actions });
  }
  return out.sort((x, y) => `${x.productId}/${x.integrationId}`.localeCompare(`${y.productId}/${y.integrationId}`));
}

/** The wildcards of `a` not in `b`, compared case-insensitively, sorted. */
function wildcardsMinus(a: string[] | undefined, b: string[] | undefined): string[] {
  const other = new Set((b ?? []).map((w) => w.toLowerCase()));
  return (a ?? []).filter((w) => !other.has(w.toLowerCase())).sort();
}

/**
 * The policy diff from `from` (what the customer's role was verified with) to `to` (what the connection now
 * asks for): actions added and removed per integration (what is granted today), AWS managed policies attached or
 * detached, and the wildcards written or no longer written with the wildcard mode when it changed (what is
 * granted as AWS adds actions; compared case-insensitively, as IAM matches).
 */
export function diffIssuedPolicies(from: IssuedPolicy | null, to: IssuedPolicy): PolicyDiff {
  const a = byIntegration(from);
  const b = byIntegration(to);
  const fromManaged = new Set(from?.managedPolicyArns ?? []);
  const toManaged = new Set(to.managedPolicyArns);
  const diff: PolicyDiff = {
    changed: false,
    added: minus(b, a),
    removed: minus(a, b),
    managedPoliciesAdded: [...toManaged].filter((m) => !fromManaged.has(m)).sort(),
    managedPoliciesRemoved: [...fromManaged].filter((m) => !toManaged.has(m)).sort(),
    wildcardsAdded: wildcardsMinus(to.wildcards, from?.wildcards),
    wildcardsRemoved: wildcardsMinus(from?.wildcards, to.wildcards),
  };
  const [fromMode, toMode] = [from?.wildcardMode ?? 'expand', to.wildcardMode ?? 'expand'];
  if (from !== null && fromMode !== toMode) diff.wildcardMode = { from: fromMode, to: toMode };
  diff.changed =
    diff.added.length +
      diff.removed.length +
      diff.managedPoliciesAdded.length +
      diff.managedPoliciesRemoved.length +
      diff.wildcardsAdded.length +
      diff.wildcardsRemoved.length >
      0 || diff.wildcardMode !== undefined;
  return diff;
}
