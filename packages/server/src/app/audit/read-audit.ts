import { loadConnectionFor } from '../../auth/connection-access.ts';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { LoggedAuditEvent } from '../../store/audit-repository.ts';
import type { ConnectionDeps } from '../deps.ts';

/**
 * The audit log (scope `audit:read`): admins read the whole organization's; members read the events of the
 * connections they can see. With `connectionId`, that connection's events (viewer access needed). With `after`, the
 * events committed after the one of that seq, oldest first (the store's commit order), so a follower never skips.
 */
export async function readAudit(
  deps: ConnectionDeps,
  principal: Principal,
  query: { connectionId?: string; limit?: number; after?: number },
): Promise<LoggedAuditEvent[]> {
  requireScope(principal, 'audit:read');
  if (query.connectionId !== undefined) {
    await loadConnectionFor(deps.store, principal, query.connectionId, 'viewer');
    return deps.store.audit.list({
      organizationId: principal.organizationId,
      connectionId: query.connectionId,
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(query.after === undefined ? {} : { afterSeq: query.after }),
    });
  }
  const ids =
    principal.user.role === 'admin' ? undefined : await deps.store.connections.connectionIdsOf(principal.user.id);
  return deps.store.audit.list({
    organizationId: principal.organizationId,
    ...(ids === undefined ? {} : { connectionIds: ids }),
    ...(query.limit === undefined ? {} : { limit: query.limit }),
    ...(query.after === undefined ? {} : { afterSeq: query.after }),
  });
}
