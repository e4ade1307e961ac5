import {
  assertNoErrors,
  generateExternalId,
  TrustgateError,
  validateAccountId,
  validateRegion,
  validateRoleName,
  type Partition,
  type WildcardMode,
} from '@trustgate/core';
import { loadConnectionFor, accessLevelOf } from '../../auth/connection-access.ts';
import { requireScope, type Principal } from '../../auth/principal.ts';
import { newId, nowIso } from '../../store/new-id.ts';
import { newCallbackNonce } from '../../auth/callback-token.ts';
import { platformFor, type ConnectionDeps } from '../deps.ts';
import type { ConnectionDeliverables } from './render-deliverables.ts';
import { publishDeliverables, renderConnectionDeliverables, renderUnpublished } from './connection-deliverables.ts';
import { compileConnectionPolicy } from './compile-connection-policy.ts';
import { toConnectionView, type ConnectionView } from './connection-view.ts';
import { diffIssuedPolicies, type PolicyDiff } from './policy-diff.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type {
  Connection,
  ConnectionMode,
  ConnectionScope,
  ConnectionSelection,
  ConnectionStatus,
} from '../../model/records.ts';
import type { ConnectionTrust, ExternalIdTrust } from '../../model/broker-records.ts';
import { validateConnectionTrust } from './connection-trust.ts';

/** A new unguessable external ID for a connection (core's generator, prefixed `tg-`). */
function newConnectionExternalId(): string {
  return generateExternalId({ prefix: 'tg-' });
}

/** Default role name customers' templates create. */
export const DEFAULT_ROLE_NAME = 'TrustgateAccess';

/** Input of {@link createConnection}. */
export interface CreateConnectionInput {
  name: string;
  partition?: Partition;
  mode?: ConnectionMode;
  scope: ConnectionScope;
  roleName?: string;
  region?: string | null;
  labels?: Record<string, string>;
  selection?: ConnectionSelection;
  managedPolicies?: string[];
  extraActions?: string[];
  /** What the compiler does with the catalog's wildcards (core's WildcardMode; default expand). */
  wildcards?: WildcardMode;
  catalogName?: string | null;
  spaceId?: string | null;
  /** How the role trusts the platform: an external ID (default) or trustgate's OIDC issuer. */
  trust?: ConnectionTrust;
  /** Which external ID form the role's trust policy admits (default exact). */
  externalIdTrust?: ExternalIdTrust;
  /** The trust policy also allows sts:TagSession and sts:SetSourceIdentity (default false). */
  sessionTagging?: boolean;
}

/** Settings {@link updateConnection} may change. */
export type UpdateConnectionInput = Partial<
  Pick<
    CreateConnectionInput,
    | 'name'
    | 'labels'
    | 'selection'
    | 'managedPolicies'
    | 'extraActions'
    | 'wildcards'
    | 'catalogName'
    | 'spaceId'
    | 'region'
    | 'trust'
    | 'externalIdTrust'
    | 'sessionTagging'
  >
>;

/** Refuses a scope with a malformed account or AWS Organization ID (INVALID_ACCOUNT_ID / INVALID_INPUT naming the field). */
export function validateScope(scope: ConnectionScope): void {
  if (scope.kind === 'account')
    assertNoErrors(validateAccountId(scope.accountId, 'scope.accountId'), 'INVALID_ACCOUNT_ID');
  if (scope.kind === 'accounts')
    scope.accountIds.forEach((a, i) =>
      assertNoErrors(validateAccountId(a, `scope.accountIds[${i}]`), 'INVALID_ACCOUNT_ID'),
    );
  if (scope.kind === 'organization' && !/^o-[a-z0-9]{10,32}$/.test(scope.organizationId)) {
    throw new TrustgateError('INVALID_INPUT', 'An AWS Organization ID looks like o-abcd123456.', {
      field: 'scope.organizationId',
    });
  }
}

/**
 * Creates a connection: validates the settings (role name, account IDs, region in the partition, space,
 * catalog, selection), compiles its permissions, issues an unguessable external ID (and a callback nonce in
 * automatic mode), makes the creator its owner, audits it, and returns it with every deliverable.
 */
export async function createConnection(
  deps: ConnectionDeps,
  principal: Principal,
  input: CreateConnectionInput,
): Promise<{ connection: ConnectionView; deliverables: ConnectionDeliverables }> {
  requireScope(principal, 'connections:write');
  const partition = input.partition ?? 'aws';
  const mode = input.mode ?? 'manual';
  // An OIDC connection's role trusts trustgate's issuer, not the platform's AWS identity (which it may not have).
  if (input.trust?.kind !== 'oidc') platformFor(deps, partition);
  const roleName = input.roleName ?? DEFAULT_ROLE_NAME;
  assertNoErrors(validateRoleName(roleName, 'roleName'), 'INVALID_ROLE_NAME');
  validateScope(input.scope);
  if (input.region != null) assertNoErrors(validateRegion(input.region, { path: 'region', partition }));
  if (mode === 'automatic' && deps.platforms[partition]?.callbackTopicArn === undefined) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `Automatic mode needs the service's callback topic in partition ${partition}.`,
      { field: 'mode' },
    );
  }
  if (
    input.spaceId != null &&
    (await deps.store.directory.getSpace(principal.organizationId, input.spaceId)) === undefined
  ) {
    throw new TrustgateError('NOT_FOUND', 'No such space.', { field: 'spaceId' });
  }
  const now = nowIso();
  const draft: Connection = {
    id: newId('con'),
    organizationId: principal.organizationId,
    spaceId: input.spaceId ?? null,
    name: input.name,
    partition,
    mode,
    scope: input.scope,
    roleName,
    region: input.region ?? null,
    labels: input.labels ?? {},
    selection: input.selection ?? { mode: 'default' },
    managedPolicies: input.managedPolicies ?? [],
    extraActions: input.extraActions ?? [],
    wildcards: input.wildcards ?? 'expand',
    catalogName: input.catalogName ?? null,
    externalId: newConnectionExternalId(),
    previousExternalId: null,
    status: 'pending',
    statusReason:
      mode === 'automatic'
        ? 'Waiting for the customer to create the stack; it reports back by itself.'
        : 'Waiting for the customer to apply the template and paste the role ARN.',
    issuedPolicy: { documents: [], managedPolicyArns: [], requiredActions: [] },
    appliedPolicy: null,
    callbackNonce: mode === 'automatic' ? newCallbackNonce() : null,
    lastVerifiedAt: null,
    trust: input.trust ?? { kind: 'external-id' },
    externalIdTrust: input.externalIdTrust ?? { kind: 'exact' },
    sessionTagging: input.sessionTagging ?? false,
    sessionsRevokedBefore: null,
    createdAt: now,
    updatedAt: now,
    recordVersion: 1,
  };
  await validateConnectionTrust(deps, draft);
  draft.issuedPolicy = await compileConnectionPolicy(deps, draft);
  // Rendering may still refuse the connection, so it comes before the insert; publishing to S3 only after the
  // insert committed, so a create that fails (a duplicate name) leaves no template — with this connection's
  // external ID and callback token — in the bucket.
  const unpublished = await renderUnpublished(deps, draft);
  await deps.store.transaction(async (repos) => {
    await repos.connections.insert(draft);
    await repos.connections.putAccess({ connectionId: draft.id, userId: principal.user.id, level: 'owner' });
    await recordAudit(repos, {
      principal,
      action: 'connection.create',
      connectionId: draft.id,
      details: { name: draft.name, partition, mode },
    });
  });
  return {
    connection: toConnectionView(draft, [], 'owner'),
    deliverables: await publishDeliverables(deps, draft, unpublished),
  };
}

/** Connections the caller may see (admins: all of the organization), filtered by status, space and labels. */
export async function listConnections(
  deps: ConnectionDeps,
  principal: Principal,
  filter: { status?: ConnectionStatus; spaceId?: string; labels?: Record<string, string> },
): Promise<ConnectionView[]> {
  requireScope(principal, 'connections:read');
  const ids =
    principal.user.role === 'admin' ? undefined : await deps.store.connections.connectionIdsOf(principal.user.id);
  const list = await deps.store.connections.list({
    organizationId: principal.organizationId,
    ...filter,
    ...(ids === undefined ? {} : { ids }),
  });
  return Promise.all(
    list.map(async (c) =>
      toConnectionView(c, await deps.store.connections.listRoles(c.id), await accessLevelOf(deps.store, principal, c)),
    ),
  );
}

/** One connection with its roles (viewer access). */
export async function getConnection(deps: ConnectionDeps, principal: Principal, id: string): Promise<ConnectionView> {
  const { connection, level } = await loadConnectionFor(deps.store, principal, id, 'viewer');
  return toConnectionView(connection, await deps.store.connections.listRoles(connection.id), level);
}

/** The status a connection moves to when what it asks for changed from what its role was verified with. */
function statusAfterChange(c: Connection, diff: PolicyDiff, why: string): Pick<Connection, 'status' | 'statusReason'> {
  // Only a working connection turns needs-update: pending, insecure and broken say more and stay (the diff is
  // still shown as pendingChanges).
  if ((c.status !== 'connected' && c.status !== 'needs-update') || !diff.changed)
    return { status: c.status, statusReason: c.statusReason };
  const added = diff.added.reduce((n, r) => n + r.actions.length, 0);
  const removed = diff.removed.reduce((n, r) => n + r.actions.length, 0);
  const wildcards =
    diff.wildcardsAdded.length + diff.wildcardsRemoved.length > 0 || diff.wildcardMode !== undefined
      ? `, ${diff.wildcardsAdded.length} wildcard(s) written and ${diff.wildcardsRemoved.length} no longer${diff.wildcardMode ? ` (wildcards: ${diff.wildcardMode.from} -> ${diff.wildcardMode.to})` : ''}`
      : '';
  return {
    status: 'needs-update',
    statusReason: `${why}: ${added} action(s) to add, ${removed} to remove, ${diff.managedPoliciesAdded.length + diff.managedPoliciesRemoved.length} managed policy change(s)${wildcards}. Apply the updated template (update the stack), then verify.`,
  };
}

/**
 * The status after the trust form (externalIdTrust, sessionTagging) changed: the role's trust policy must be updated
 * before runs use the new form, so a verified connection becomes `needs-update`.
 */
function statusAfterTrustChange(c: Connection): Pick<Connection, 'status' | 'statusReason'> {
  if (c.status !== 'connected' && c.status !== 'needs-update')
    return { status: c.status, statusReason: c.statusReason };
  return {
    status: 'needs-update',
    statusReason:
      "The trust form changed (external ID form or session tagging): apply the updated template (update the stack) so the role's trust policy follows, then verify.",
  };
}

/**
 * Changes a connection's settings (editor access). A change of what it asks for (selection, catalog,
 * managed policies, extra actions, wildcard mode, region) recompiles it; a verified connection becomes `needs-update` with the
 * policy diff against what its role was verified with. A change of the trust form (`externalIdTrust`,
 * `sessionTagging`) is rendered first (a trust policy that cannot be built is refused) and makes a verified
 * connection `needs-update` too.
 */
export async function updateConnection(
  deps: ConnectionDeps,
  principal: Principal,
  id: string,
  patch: UpdateConnectionInput,
): Promise<{ connection: ConnectionView; diff: PolicyDiff }> {
  const { connection, level } = await loadConnectionFor(deps.store, principal, id, 'editor');
  if (patch.region != null)
    assertNoErrors(validateRegion(patch.region, { path: 'region', partition: connection.partition }));
  if (
    patch.spaceId != null &&
    (await deps.store.directory.getSpace(principal.organizationId, patch.spaceId)) === undefined
  ) {
    throw new TrustgateError('NOT_FOUND', 'No such space.', { field: 'spaceId' });
  }
  const next: Connection = {
    ...connection,
    ...(patch.name === undefined ? {} : { name: patch.name }),
    ...(patch.labels === undefined ? {} : { labels: patch.labels }),
    ...(patch.selection === undefined ? {} : { selection: patch.selection }),
    ...(patch.managedPolicies === undefined ? {} : { managedPolicies: patch.managedPolicies }),
    ...(patch.extraActions === undefined ? {} : { extraActions: patch.extraActions }),
    ...(patch.wildcards === undefined ? {} : { wildcards: patch.wildcards }),
    ...(patch.catalogName === undefined ? {} : { catalogName: patch.catalogName }),
    ...(patch.spaceId === undefined ? {} : { spaceId: patch.spaceId }),
    ...(patch.region === undefined ? {} : { region: patch.region }),
    ...(patch.trust === undefined ? {} : { trust: patch.trust }),
    ...(patch.externalIdTrust === undefined ? {} : { externalIdTrust: patch.externalIdTrust }),
    ...(patch.sessionTagging === undefined ? {} : { sessionTagging: patch.sessionTagging }),
  };
  next.issuedPolicy = await compileConnectionPolicy(deps, next);
  const diff = diffIssuedPolicies(connection.appliedPolicy ?? connection.issuedPolicy, next.issuedPolicy);
  Object.assign(next, statusAfterChange(next, diff, "The connection's permissions changed"));
  const trustChanged =
    JSON.stringify(next.trust) !== JSON.stringify(connection.trust) ||
    JSON.stringify(next.externalIdTrust) !== JSON.stringify(connection.externalIdTrust) ||
    next.sessionTagging !== connection.sessionTagging;
  if (trustChanged) {
    // Refuses a trust form whose policy cannot be built (too large, a bad slug) before anything is stored.
    await validateConnectionTrust(deps, next);
    await renderUnpublished(deps, next);
    Object.assign(next, statusAfterTrustChange(next));
  }
  const saved = await deps.store.transaction(async (repos) => {
    const s = await repos.connections.update(next);
    await recordAudit(repos, {
      principal,
      action: 'connection.update',
      connectionId: id,
      details: { fields: Object.keys(patch), permissionsChanged: diff.changed, trustChanged },
    });
    return s;
  });
  return { connection: toConnectionView(saved, await deps.store.connections.listRoles(id), level), diff };
}

/**
 * Recompiles every connection of an organization that uses a catalog, after a new version was uploaded:
 * connections whose permissions changed become `needs-update`. Returns how many changed.
 */
export async function refreshConnectionsForCatalog(
  deps: ConnectionDeps,
  principal: Principal,
  catalogName: string,
): Promise<number> {
  let changed = 0;
  for (const c of await deps.store.connections.listByCatalog(principal.organizationId, catalogName)) {
    const issuedPolicy = await compileConnectionPolicy(deps, c);
    const diff = diffIssuedPolicies(c.appliedPolicy ?? c.issuedPolicy, issuedPolicy);
    if (!diffIssuedPolicies(c.issuedPolicy, issuedPolicy).changed) continue;
    changed++;
    await deps.store.connections.update({
      ...c,
      issuedPolicy,
      ...statusAfterChange(c, diff, `Catalog "${catalogName}" changed`),
    });
    await recordAudit(deps.store, {
      principal,
      action: 'connection.catalog-update',
      connectionId: c.id,
      details: { catalogName },
    });
  }
  return changed;
}

/**
 * Rotates the external ID without an outage (editor access): a new ID is issued and the old one stays
 * accepted — templates carry both — until verification succeeds with the new one.
 */
export async function rotateExternalId(
  deps: ConnectionDeps,
  principal: Principal,
  id: string,
): Promise<ConnectionView> {
  const { connection, level } = await loadConnectionFor(deps.store, principal, id, 'editor');
  if (connection.previousExternalId !== null) {
    throw new TrustgateError(
      'CONFLICT',
      'A rotation is already in progress: update the stack with the current template and verify first.',
    );
  }
  const next: Connection = {
    ...connection,
    previousExternalId: connection.externalId,
    externalId: newConnectionExternalId(),
  };
  if (connection.status === 'connected' || connection.status === 'needs-update') {
    next.status = 'needs-update';
    next.statusReason =
      'External ID rotated: update the stack with the new template (it accepts the old and the new ID), then verify.';
  }
  const saved = await deps.store.transaction(async (repos) => {
    const s = await repos.connections.update(next);
    await recordAudit(repos, { principal, action: 'connection.rotate-external-id', connectionId: id });
    return s;
  });
  return toConnectionView(saved, await deps.store.connections.listRoles(id), level);
}

/** Every deliverable of a connection (viewer access). */
export async function getDeliverables(
  deps: ConnectionDeps,
  principal: Principal,
  id: string,
): Promise<ConnectionDeliverables> {
  const { connection } = await loadConnectionFor(deps.store, principal, id, 'viewer');
  return renderConnectionDeliverables(deps, connection);
}

/** Deletes a connection (owner access). */
export async function deleteConnection(deps: ConnectionDeps, principal: Principal, id: string): Promise<void> {
  const { connection } = await loadConnectionFor(deps.store, principal, id, 'owner');
  await deps.store.transaction(async (repos) => {
    await repos.connections.delete(principal.organizationId, id);
    await recordAudit(repos, {
      principal,
      action: 'connection.delete',
      connectionId: id,
      details: { name: connection.name },
    });
  });
}
