import { TrustgateError } from '@trustgate/core';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { User, UserRole } from '../../model/records.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DirectoryPort } from './directory-port.ts';

/** Users of the caller's organization (scope `connections:read`). */
export async function listUsers(port: DirectoryPort, principal: Principal): Promise<User[]> {
  requireScope(principal, 'connections:read');
  return port.directory.listUsers(principal.organizationId);
}

/** One user of the caller's organization (scope `connections:read`); NOT_FOUND for another organization's. */
export async function getUser(port: DirectoryPort, principal: Principal, userId: string): Promise<User> {
  requireScope(principal, 'connections:read');
  const user = await port.directory.getUser(principal.organizationId, userId);
  if (user === undefined) throw new TrustgateError('NOT_FOUND', 'No such user.', { field: 'userId' });
  return user;
}

/** Adds a user (admins only). */
export async function addUser(
  port: DirectoryPort,
  principal: Principal,
  input: { email: string; name: string; role: UserRole },
): Promise<User> {
  requireScope(principal, 'admin');
  const user = await port.directory.createUser({ organizationId: principal.organizationId, ...input });
  await recordAudit(port, { principal, action: 'user.create', details: { userId: user.id, role: user.role } });
  return user;
}

/** Deletes a user (admins only; not oneself). NOT_FOUND for a user of another organization. */
export async function removeUser(port: DirectoryPort, principal: Principal, userId: string): Promise<void> {
  requireScope(principal, 'admin');
  if (userId === principal.user.id)
    throw new TrustgateError('CONFLICT', 'You cannot delete yourself.', { field: 'userId' });
  if (!(await port.directory.deleteUser(principal.organizationId, userId)))
    throw new TrustgateError('NOT_FOUND', 'No such user.', { field: 'userId' });
  await recordAudit(port, { principal, action: 'user.delete', details: { userId } });
}
