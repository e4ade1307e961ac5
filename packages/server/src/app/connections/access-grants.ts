import { TrustgateError } from '@trustgate/core';
import { loadConnectionFor } from '../../auth/connection-access.ts';
import type { Principal } from '../../auth/principal.ts';
import type { ConnectionDeps } from '../deps.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { AccessGrant, AccessLevel } from '../../model/records.ts';

/** Access grants on a connection (owner access). */
export async function listAccess(
  deps: ConnectionDeps,
  principal: Principal,
  connectionId: string,
): Promise<AccessGrant[]> {
  await loadConnectionFor(deps.store, principal, connectionId, 'owner');
  return deps.store.connections.listAccess(connectionId);
}

/** Grants a user of the same organization an access level on a connection (owner access). */
export async function grantAccess(
  deps: ConnectionDeps,
  principal: Principal,
  connectionId: string,
  userId: string,
  level: AccessLevel,
): Promise<AccessGrant> {
  await loadConnectionFor(deps.store, principal, connectionId, 'owner');
  if ((await deps.store.directory.getUser(principal.organizationId, userId)) === undefined)
    throw new TrustgateError('NOT_FOUND', 'No such user.', { field: 'userId' });
  const grant = { connectionId, userId, level };
  await deps.store.connections.putAccess(grant);
  await recordAudit(deps.store, { principal, action: 'access.grant', connectionId, details: { userId, level } });
  return grant;
}

/** Removes a user's access to a connection (owner access); an owner cannot remove their own. */
export async function revokeAccess(
  deps: ConnectionDeps,
  principal: Principal,
  connectionId: string,
  userId: string,
): Promise<void> {
  await loadConnectionFor(deps.store, principal, connectionId, 'owner');
  if (userId === principal.user.id)
    throw new TrustgateError('CONFLICT', 'You cannot remove your own access.', { field: 'userId' });
  if (!(await deps.store.connections.deleteAccess(connectionId, userId)))
    throw new TrustgateError('NOT_FOUND', 'No such grant.', { field: 'userId' });
  await recordAudit(deps.store, { principal, action: 'access.revoke', connectionId, details: { userId } });
}
