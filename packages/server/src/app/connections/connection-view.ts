import type { AccessLevel, Connection, ConnectionRole } from '../../model/records.ts';
import { diffIssuedPolicies, type PolicyDiff } from './policy-diff.ts';

/** What the API shows of a connection: no callback nonce, no internal bookkeeping. */
export interface ConnectionView {
  id: string;
  name: string;
  spaceId: string | null;
  partition: string;
  mode: string;
  scope: Connection['scope'];
  roleName: string;
  region: string | null;
  labels: Record<string, string>;
  selection: Connection['selection'];
  managedPolicies: string[];
  extraActions: string[];
  /** What the compiler does with wildcards (expand, keep or compact). */
  wildcards: Connection['wildcards'];
  /** The wildcards the connection's documents write (none with expand). */
  wildcardsWritten: string[];
  catalogName: string | null;
  externalId: string;
  previousExternalId: string | null;
  /** How the role trusts the platform: `external-id`, or `oidc` (trustgate's issuer, audience, stacks and phases). */
  trust: Connection['trust'];
  /** Which external ID form the role trusts (exact, or scoped to stacks and phases). */
  externalIdTrust: Connection['externalIdTrust'];
  /** The trust policy also allows sts:TagSession and sts:SetSourceIdentity: runs' sessions carry tags and a source identity. */
  sessionTagging: boolean;
  /** The broker serves no session issued before this time (null: none revoked). */
  sessionsRevokedBefore: string | null;
  status: Connection['status'];
  statusReason: string;
  requiredActions: Connection['issuedPolicy']['requiredActions'];
  /** What the customer's role must change to match the connection (when it was verified before). */
  pendingChanges: PolicyDiff | null;
  roles: {
    accountId: string;
    roleArn: string;
    status: string;
    statusReason: string;
    verifiedAt: string | null;
    missing: { productId: string; integrationId: string; actions: string[] }[];
    missingManagedPolicies: string[];
    fixHint?: string;
  }[];
  accessLevel?: AccessLevel;
  lastVerifiedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Builds the public view of a connection (with its roles, and the caller's access level when known). */
export function toConnectionView(c: Connection, roles: ConnectionRole[], accessLevel?: AccessLevel): ConnectionView {
  const diff = c.appliedPolicy === null ? null : diffIssuedPolicies(c.appliedPolicy, c.issuedPolicy);
  return {
    id: c.id,
    name: c.name,
    spaceId: c.spaceId,
    partition: c.partition,
    mode: c.mode,
    scope: c.scope,
    roleName: c.roleName,
    region: c.region,
    labels: c.labels,
    selection: c.selection,
    managedPolicies: c.managedPolicies,
    extraActions: c.extraActions,
    wildcards: c.wildcards,
    wildcardsWritten: c.issuedPolicy.wildcards ?? [],
    catalogName: c.catalogName,
    externalId: c.externalId,
    previousExternalId: c.previousExternalId,
    trust: c.trust,
    externalIdTrust: c.externalIdTrust,
    sessionTagging: c.sessionTagging,
    sessionsRevokedBefore: c.sessionsRevokedBefore,
    status: c.status,
    statusReason: c.statusReason,
    requiredActions: c.issuedPolicy.requiredActions,
    pendingChanges: diff !== null && diff.changed ? diff : null,
    roles: roles.map((r) => ({
      accountId: r.accountId,
      roleArn: r.roleArn,
      status: r.status,
      statusReason: r.statusReason,
      verifiedAt: r.verifiedAt,
      missing: r.details?.missing ?? [],
      missingManagedPolicies: r.details?.missingManagedPolicies ?? [],
      ...(r.details?.fixHint === undefined ? {} : { fixHint: r.details.fixHint }),
    })),
    ...(accessLevel === undefined ? {} : { accessLevel }),
    lastVerifiedAt: c.lastVerifiedAt,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}
