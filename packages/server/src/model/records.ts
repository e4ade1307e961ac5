import type { Partition, PolicyDocument, WildcardMode } from '@trustgate/core';
import type { ConnectionTrust, ExternalIdTrust, IssueRestriction } from './broker-records.ts';

/** An organization (a tenant of the service). */
export interface Organization {
  id: string;
  name: string;
  createdAt: string;
}

/** Organization-wide role of a user: admins manage the organization and see every connection in it. */
export type UserRole = 'admin' | 'member';

/** A person in an organization. */
export interface User {
  id: string;
  organizationId: string;
  email: string;
  name: string;
  role: UserRole;
  createdAt: string;
}

/**
 * What a token may do, intersected with what its user may do:
 * `admin` (organization management: users, tokens of others, spaces, catalogs, access levels),
 * `connections:read`, `connections:write`, `audit:read`, `credentials:issue` (the credential broker hands out AWS
 * credentials of stacks; no other scope implies it, `admin` neither).
 */
export type TokenScope = 'admin' | 'connections:read' | 'connections:write' | 'audit:read' | 'credentials:issue';

/** Every token scope. */
export const TOKEN_SCOPES: readonly TokenScope[] = [
  'admin',
  'connections:read',
  'connections:write',
  'audit:read',
  'credentials:issue',
];

/** An API token's metadata; the secret itself is never stored, only its SHA-256 hash. */
export interface ApiToken {
  id: string;
  organizationId: string;
  userId: string;
  name: string;
  scopes: TokenScope[];
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
  /** Where the token may issue credentials (on top of `credentials:issue`); null = any stack its user may use. */
  issueRestriction: IssueRestriction | null;
}

/** A grouping of connections inside an organization. */
export interface Space {
  id: string;
  organizationId: string;
  name: string;
  createdAt: string;
}

/** An uploaded catalog version. */
export interface CatalogRecord {
  id: string;
  organizationId: string;
  name: string;
  version: number;
  source: string;
  fileName: string;
  createdAt: string;
}

/** Access levels on a connection, weakest first: viewer < user (may use it in runs) < editor < owner. */
export type AccessLevel = 'viewer' | 'user' | 'editor' | 'owner';

/** Every access level, weakest first. */
export const ACCESS_LEVELS: readonly AccessLevel[] = ['viewer', 'user', 'editor', 'owner'];

/** True when `held` is at least `needed`. */
export function accessAtLeast(held: AccessLevel, needed: AccessLevel): boolean {
  return ACCESS_LEVELS.indexOf(held) >= ACCESS_LEVELS.indexOf(needed);
}

/** Which accounts a connection covers: one account, a list, or every account of an AWS Organization. */
export type ConnectionScope =
  | { kind: 'account'; accountId: string }
  | { kind: 'accounts'; accountIds: string[] }
  | { kind: 'organization'; organizationId: string; organizationalUnitIds?: string[] };

/** What the customer granted: the catalog's defaults, or chosen products and integrations. */
export type ConnectionSelection =
  { mode: 'default' } | { mode: 'custom'; products?: string[]; integrations?: string[] };

/** Connection status; `reason` says why in words. */
export type ConnectionStatus = 'pending' | 'connected' | 'needs-update' | 'insecure' | 'broken';

/** Manual: the customer pastes the role ARN. Automatic: the template's custom resource calls back. */
export type ConnectionMode = 'manual' | 'automatic';

/** A named policy document trustgate writes. */
export interface PolicyDocumentEntry {
  name: string;
  document: PolicyDocument;
}

/** The permissions a connection asks for (compiled from its catalog and selection) — stored to diff later. */
export interface IssuedPolicy {
  documents: PolicyDocumentEntry[];
  managedPolicyArns: string[];
  requiredActions: { productId: string; integrationId: string; actions: string[] }[];
  /** The compiler's wildcard mode for these documents; absent in records from before it (= `expand`). */
  wildcardMode?: WildcardMode;
  /** The wildcards the documents contain (absent = none). */
  wildcards?: string[];
}

/** A connection to one or more customer AWS accounts. */
export interface Connection {
  id: string;
  organizationId: string;
  spaceId: string | null;
  name: string;
  partition: Partition;
  mode: ConnectionMode;
  scope: ConnectionScope;
  roleName: string;
  region: string | null;
  labels: Record<string, string>;
  selection: ConnectionSelection;
  managedPolicies: string[];
  extraActions: string[];
  /** What the compiler does with wildcards (core's WildcardMode); connections made before it: `expand`. */
  wildcards: WildcardMode;
  catalogName: string | null;
  externalId: string;
  previousExternalId: string | null;
  status: ConnectionStatus;
  statusReason: string;
  issuedPolicy: IssuedPolicy;
  appliedPolicy: IssuedPolicy | null;
  callbackNonce: string | null;
  lastVerifiedAt: string | null;
  /** How the role trusts the platform (external ID or trustgate's OIDC issuer); rows from before it: external-id. */
  trust: ConnectionTrust;
  /** Which external ID form the role trusts (with `trust` external-id); connections made before the broker: `{ kind: 'exact' }`. */
  externalIdTrust: ExternalIdTrust;
  /** The trust policy also allows `sts:TagSession` and `sts:SetSourceIdentity` (false before the broker). */
  sessionTagging: boolean;
  /** ISO time; the broker serves no session issued before it (null = none revoked). */
  sessionsRevokedBefore: string | null;
  createdAt: string;
  updatedAt: string;
  recordVersion: number;
}

/** The result of verifying one role of a connection. */
export interface RoleVerification {
  status: ConnectionStatus;
  reason: string;
  /** The identity AWS returned for the assumed session, when assumption worked. */
  callerArn?: string;
  /** Set when assuming without / with a wrong external ID worked: how to fix the trust policy. */
  fixHint?: string;
  /** Required actions the role lacks, per integration. */
  missing: { productId: string; integrationId: string; actions: string[] }[];
  /** AWS managed policies the connection attaches that the role lacks. */
  missingManagedPolicies?: string[];
  /** The CloudFormation stack that created the role, when it reported itself (automatic mode). */
  stackId?: string;
  /** Which external ID worked: the current one or the previous one during a rotation. */
  externalIdUsed?: 'current' | 'previous';
  attempts: number;
  /** The role's policies as AWS held them at this verification (absent when they could not be read): for the drift view. */
  observed?: ObservedRolePolicies;
}

/**
 * A role's identity policies as read at verification: inline (`inline:<name>`) and customer managed ones with their
 * documents, and every attached managed policy's ARN (AWS managed documents are not kept: AWS owns them).
 */
export interface ObservedRolePolicies {
  /** `name`: the inline policy's name, or the last part of the managed policy's ARN (what the template names it). */
  policies: { source: string; name: string; document: PolicyDocument }[];
  managedPolicyArns: string[];
}

/** One role (per AWS account) of a connection and its last verification. */
export interface ConnectionRole {
  connectionId: string;
  accountId: string;
  roleArn: string;
  status: ConnectionStatus;
  statusReason: string;
  details: RoleVerification | null;
  verifiedAt: string | null;
}

/** A user's access level on a connection. */
export interface AccessGrant {
  connectionId: string;
  userId: string;
  level: AccessLevel;
}

/** One audited action. */
export interface AuditEvent {
  id: string;
  organizationId: string;
  at: string;
  actorUserId: string | null;
  tokenId: string | null;
  action: string;
  connectionId: string | null;
  details: Record<string, unknown>;
}
