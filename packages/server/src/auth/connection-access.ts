import { TrustgateError } from '@trustgate/core';
import { accessAtLeast, type AccessLevel, type Connection } from '../model/records.ts';
import { requireScope, type Principal } from './principal.ts';

/** The narrow store port {@link loadConnectionFor} needs. */
export interface ConnectionAccessPort {
  connections: {
    get(organizationId: string, id: string): Promise<Connection | undefined>;
    accessOf(connectionId: string, userId: string): Promise<AccessLevel | undefined>;
  };
}

/**
 * The access level a principal holds on a connection of its own organization: organization admins hold
 * `owner` on every connection; members hold what was granted to them, or nothing.
 */
export async function accessLevelOf(
  port: ConnectionAccessPort,
  principal: Principal,
  connection: Connection,
): Promise<AccessLevel | undefined> {
  if (connection.organizationId !== principal.organizationId) return undefined;
  if (principal.user.role === 'admin') return 'owner';
  return port.connections.accessOf(connection.id, principal.user.id);
}

/**
 * Loads a connection for an operation needing `needed` access. The token must carry `connections:read`
 * (viewer) or `connections:write` (anything above). A connection of another organization, a missing one and
 * one the caller holds no access on are all the same NOT_FOUND — the caller learns nothing about it; a caller
 * who can see the connection but holds too low a level gets FORBIDDEN.
 */
export async function loadConnectionFor(
  port: ConnectionAccessPort,
  principal: Principal,
  id: string,
  needed: AccessLevel,
): Promise<{ connection: Connection; level: AccessLevel }> {
  requireScope(principal, needed === 'viewer' ? 'connections:read' : 'connections:write');
  const notFound = new TrustgateError('NOT_FOUND', 'No such connection.', { field: 'connectionId' });
  const connection = await port.connections.get(principal.organizationId, id);
  if (connection === undefined) throw notFound;
  const level = await accessLevelOf(port, principal, connection);
  if (level === undefined) throw notFound;
  if (!accessAtLeast(level, needed)) {
    throw new TrustgateError('FORBIDDEN', `This needs "${needed}" access on the connection; you hold "${level}".`);
  }
  return { connection, level };
}
