import { loadConnectionFor } from '../../auth/connection-access.ts';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { AuditEvent } from '../../model/records.ts';
import type { ConnectionDeps } from '../deps.ts';

/**
 * The audit log (scope `audit:read`): admins read the whole organization's; members read the events of the
 * connections they can see. With `connectionId`, that connection's events (viewer access needed).
 */
export async function readAudit(
  deps: ConnectionDeps,
  principal: Principal,
  query: { connectionId?: string; limit?: number },
): Promise<AuditEvent[]> {
  requireScope(principal, 'audit:read');
  if (query.connectionId !== undefined) {
    await loadConnectionFor(deps.store, principal, query.connectionId, 'viewer');
    return deps.store.audit.list({
      organizationId: principal.organizationId,
      connectionId: query.connectionId,
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    });
  }
  const ids =
    principal.user.role === 'admin' ? undefined : await deps.store.connections.connectionIdsOf(principal.user.id);
  return deps.store.audit.list({
    organizationId: principal.organizationId,
    ...(ids === undefined ? {} : { connectionIds: ids }),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
  });
}
