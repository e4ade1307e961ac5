import {
  assertNoErrors,
  DEFAULT_MAX_MANAGED_POLICIES,
  MANAGED_POLICY_MAX_CHARACTERS,
  policySize,
  validateRegion,
  validateRoleName,
  type Finding,
  type Partition,
  type PolicyDocument,
  type WildcardMode,
} from '@trustgate/core';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { ConnectionScope, ConnectionSelection } from '../../model/records.ts';
import type { ConnectionDeps } from '../deps.ts';
import { compileConnectionPolicyReport } from './compile-connection-policy.ts';
import { DEFAULT_ROLE_NAME, validateScope } from './connections.ts';

/** Input of {@link previewPolicy}: the settings of a connection its permissions are compiled from. */
export interface PolicyPreviewInput {
  partition?: Partition;
  /** The accounts; one account fills `${AccountId}` in ARN templates (default: no account, `*`). */
  scope?: ConnectionScope;
  roleName?: string;
  region?: string | null;
  selection?: ConnectionSelection;
  managedPolicies?: string[];
  extraActions?: string[];
  wildcards?: WildcardMode;
  catalogName?: string | null;
}

/** The live preview of a connection's permissions, with the numbers AWS's limits are counted in. */
export interface PolicyPreview {
  partition: Partition;
  /** The customer managed policies the role gets (the verification policy last), with their characters. */
  documents: { name: string; document: PolicyDocument; characters: number }[];
  managedPolicyArns: string[];
  requiredActions: { productId: string; integrationId: string; actions: string[] }[];
  wildcardMode: WildcardMode;
  wildcards: string[];
  /** The compiler's warnings: integrations not offered in the partition (left out), wildcards written. */
  warnings: Finding[];
  limits: {
    /** Characters of every document together (IAM counts them without white space, as JSON.stringify writes). */
    characters: number;
    /** Characters each customer managed policy may hold (IAM quota). */
    maxCharactersPerPolicy: number;
    /** Characters the role's managed policies can hold in all: the quota's policies left after the AWS managed ones. */
    maxCharacters: number;
    /** Managed policies the role gets attached: the documents above plus the AWS managed policies. */
    managedPolicies: number;
    /** Managed policies a role may have attached by default (AWS raises it up to 20 on request). */
    maxManagedPolicies: number;
  };
}

/**
 * Compiles a would-be connection's permissions exactly as {@link createConnection} would (the same compile path,
 * the verification policy included), storing nothing: the console's live preview. Errors name the field as a
 * create would (`extraActions[0]` with did-you-mean suggestions, `selection`, `region`, `scope.accountId`).
 */
export async function previewPolicy(
  deps: ConnectionDeps,
  principal: Principal,
  input: PolicyPreviewInput,
): Promise<PolicyPreview> {
  requireScope(principal, 'connections:read');
  const partition = input.partition ?? 'aws';
  const roleName = input.roleName ?? DEFAULT_ROLE_NAME;
  assertNoErrors(validateRoleName(roleName, 'roleName'), 'INVALID_ROLE_NAME');
  const scope: ConnectionScope = input.scope ?? { kind: 'accounts', accountIds: [] };
  if (input.scope !== undefined) validateScope(scope);
  if (input.region != null) assertNoErrors(validateRegion(input.region, { path: 'region', partition }));
  const { issued, warnings } = await compileConnectionPolicyReport(deps, {
    organizationId: principal.organizationId,
    catalogName: input.catalogName ?? null,
    selection: input.selection ?? { mode: 'default' },
    partition,
    scope,
    region: input.region ?? null,
    extraActions: input.extraActions ?? [],
    managedPolicies: input.managedPolicies ?? [],
    roleName,
    wildcards: input.wildcards ?? 'expand',
  });
  const documents = issued.documents.map((d) => ({ ...d, characters: policySize(d.document) }));
  const awsManaged = issued.managedPolicyArns.length;
  return {
    partition,
    documents,
    managedPolicyArns: issued.managedPolicyArns,
    requiredActions: issued.requiredActions,
    wildcardMode: issued.wildcardMode ?? 'expand',
    wildcards: issued.wildcards ?? [],
    warnings,
    limits: {
      characters: documents.reduce((n, d) => n + d.characters, 0),
      maxCharactersPerPolicy: MANAGED_POLICY_MAX_CHARACTERS,
      maxCharacters: Math.max(0, DEFAULT_MAX_MANAGED_POLICIES - awsManaged) * MANAGED_POLICY_MAX_CHARACTERS,
      managedPolicies: documents.length + awsManaged,
      maxManagedPolicies: DEFAULT_MAX_MANAGED_POLICIES,
    },
  };
}
