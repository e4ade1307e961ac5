import {
  compilePolicySet,
  evaluateRequest,
  isAccountId,
  wildcardToRegExp,
  type PolicyDocument,
  type PolicyStatement,
} from '@trustgate/core';
import type { IssuedPolicy } from '../../model/records.ts';

/** Input of {@link findMissingActions}. */
export interface FindMissingActionsInput {
  /** What the connection asks for: its compiled documents and required actions per integration. */
  issued: IssuedPolicy;
  /** The role's policies as read from IAM. */
  identityPolicies: PolicyDocument[];
  permissionsBoundary?: PolicyDocument;
  /** The assumed-role session ARN (the principal of the simulated requests). */
  principalArn: string;
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The resources the issued documents grant `action` on (default `*`). */
function resourcesFor(action: string, documents: PolicyDocument[]): string[] {
  const resources = new Set<string>();
  for (const doc of documents) {
    for (const st of asArray<PolicyStatement>(doc.Statement)) {
      if (st.Effect !== 'Allow' || st.Action === undefined) continue;
      if (!asArray(st.Action).some((pattern) => wildcardToRegExp(pattern).test(action))) continue;
      for (const r of asArray(st.Resource ?? '*')) resources.add(r);
    }
  }
  return resources.size === 0 ? ['*'] : [...resources];
}

/**
 * Which required actions the role lacks, per integration — decided locally with core's policy engine, the
 * way AWS would decide (IAM User Guide, "Policy evaluation logic"): each action is evaluated on every resource
 * the connection's own compiled policy grants it on, against the role's identity policies and boundary. An
 * action counts as present when allowed, or when an Allow statement matches action and resource and only its
 * conditions (which need a real request's context) are undecided; an explicit deny always counts as missing.
 */
export function findMissingActions(
  input: FindMissingActionsInput,
): { productId: string; integrationId: string; actions: string[] }[] {
  const docs = input.issued.documents.map((d) => d.document);
  // Compiled once: every action below is evaluated against the same policies.
  const policies = compilePolicySet({
    identityPolicies: input.identityPolicies,
    ...(input.permissionsBoundary === undefined ? {} : { permissionsBoundary: input.permissionsBoundary }),
  });
  const principalAccount = input.principalArn.split(':')[4] ?? '';
  const cache = new Map<string, boolean>();
  const present = (action: string): boolean => {
    const known = cache.get(action);
    if (known !== undefined) return known;
    const ok = resourcesFor(action, docs).every((resource) => {
      // A granted resource may name its account as a pattern (`arn:aws:iam::*:role/x`, `${AccountId}` left
      // open): it means the role's own account, not a foreign one.
      const account = resource.split(':')[4] ?? '';
      const own = isAccountId(account) ? {} : { resourceAccountId: principalAccount };
      const result = evaluateRequest({ principal: { arn: input.principalArn }, action, resource, ...own }, policies);
      if (result.decision === 'Allowed') return true;
      if (result.decision === 'ExplicitlyDenied') return false;
      const identity = result.explanation.policies.find((p) => p.policy === 'identity');
      return (
        identity?.statements.some(
          (s) =>
            s.effect === 'Allow' && s.conditions.length > 0 && s.conditions.some((c) => c.requestValues === undefined),
        ) ?? false
      );
    });
    cache.set(action, ok);
    return ok;
  };
  return input.issued.requiredActions
    .map((r) => ({
      productId: r.productId,
      integrationId: r.integrationId,
      actions: r.actions.filter((a) => !present(a)),
    }))
    .filter((r) => r.actions.length > 0);
}
