import type { Finding } from '@trustgate/core';
import type { Connection, ConnectionScope, IssuedPolicy } from '../../model/records.ts';
import { selfInspectionPolicy } from '../../model/self-inspection-policy.ts';
import { compilePoliciesInWorker } from '../catalogs/parse-in-worker.ts';
import { resolveCatalog } from '../catalogs/resolve-catalog.ts';
import type { ConnectionDeps } from '../deps.ts';

/** The accounts a connection's scope names (none for an organization scope: its accounts are not listed). */
export function accountIdsOf(scope: ConnectionScope): string[] {
  return scope.kind === 'account' ? [scope.accountId] : scope.kind === 'accounts' ? scope.accountIds : [];
}

/** The settings of a connection its permissions are compiled from. */
export type CompiledSettings = Pick<
  Connection,
  | 'organizationId'
  | 'catalogName'
  | 'selection'
  | 'partition'
  | 'scope'
  | 'region'
  | 'extraActions'
  | 'managedPolicies'
  | 'roleName'
  | 'wildcards'
>;

/** Compiles what a connection asks for from its catalog and settings. */
export async function compileConnectionPolicy(deps: ConnectionDeps, c: CompiledSettings): Promise<IssuedPolicy> {
  return (await compileConnectionPolicyReport(deps, c)).issued;
}

/**
 * {@link compileConnectionPolicy} with the compiler's warnings (integrations not offered in the partition and left
 * out, wildcards written): what the console's live preview shows.
 */
export async function compileConnectionPolicyReport(
  deps: ConnectionDeps,
  c: CompiledSettings,
): Promise<{ issued: IssuedPolicy; warnings: Finding[] }> {
  const catalog = await resolveCatalog(deps, c.organizationId, c.catalogName);
  const accounts = accountIdsOf(c.scope);
  // In the catalog worker: the largest selection of the largest catalog is seconds of CPU (issue 16, "Event loop").
  const compiled = await compilePoliciesInWorker({
    catalog: catalog.catalog,
    selection: c.selection,
    partition: c.partition,
    ...(accounts.length === 1 && accounts[0] !== undefined ? { accountId: accounts[0] } : {}),
    ...(c.region === null ? {} : { region: c.region }),
    extraActions: c.extraActions,
    managedPolicies: c.managedPolicies,
    wildcards: c.wildcards,
    // Customer managed policies' names are unique per role, so two connections in one account do not collide.
    namePrefix: `${c.roleName}-permissions`.slice(0, 100),
  });
  // Verification reads the role's own policies (and, for an organization scope, the account's organization):
  // a small policy scoped to this role rides along.
  const inspection = selfInspectionPolicy(c.partition, c.roleName, { organization: c.scope.kind === 'organization' });
  const issued: IssuedPolicy = {
    documents: [...compiled.documents.map((d) => ({ name: d.name, document: d.document })), inspection],
    managedPolicyArns: compiled.managedPolicyArns,
    requiredActions: compiled.requiredActions,
    wildcardMode: compiled.wildcardMode,
    wildcards: compiled.wildcards,
  };
  return { issued, warnings: compiled.warnings };
}
