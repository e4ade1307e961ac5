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

/**
 * The policy diff from `from` (what the customer's role was verified with) to `to` (what the connection now
 * asks for): actions added and removed per integration, and AWS managed policies attached or detached.
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
  };
  diff.changed =
    diff.added.length + diff.removed.length + diff.managedPoliciesAdded.length + diff.managedPoliciesRemoved.length > 0;
  return diff;
}
