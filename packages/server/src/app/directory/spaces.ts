import { TrustgateError } from '@trustgate/core';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { Space } from '../../model/records.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DirectoryPort } from './directory-port.ts';

/** Spaces of the caller's organization (scope `connections:read`). */
export async function listSpaces(port: DirectoryPort, principal: Principal): Promise<Space[]> {
  requireScope(principal, 'connections:read');
  return port.directory.listSpaces(principal.organizationId);
}

/** Creates a space (admins only). */
export async function addSpace(port: DirectoryPort, principal: Principal, input: { name: string }): Promise<Space> {
  requireScope(principal, 'admin');
  const space = await port.directory.createSpace({ organizationId: principal.organizationId, name: input.name });
  await recordAudit(port, { principal, action: 'space.create', details: { spaceId: space.id, name: space.name } });
  return space;
}

/** Deletes a space (admins only). */
export async function removeSpace(port: DirectoryPort, principal: Principal, spaceId: string): Promise<void> {
  requireScope(principal, 'admin');
  if (!(await port.directory.deleteSpace(principal.organizationId, spaceId)))
    throw new TrustgateError('NOT_FOUND', 'No such space.', { field: 'spaceId' });
  await recordAudit(port, { principal, action: 'space.delete', details: { spaceId } });
}
