import { loadConnectionFor } from '../../auth/connection-access.ts';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { LoggedAuditEvent } from '../../store/audit-repository.ts';
import type { ConnectionDeps } from '../deps.ts';

/** What the audit log can be filtered by besides the connection: action, actor, a time range (ISO 8601 times). */
export interface AuditFilters {
  action?: string;
  actorUserId?: string;
  since?: string;
  until?: string;
}

/** The filters given, with times in the store's form (`toISOString`, so they compare as text). */
function auditFilters(query: AuditFilters): AuditFilters {
  const iso = (time: string) => new Date(time).toISOString();
  return {
    ...(query.action === undefined ? {} : { action: query.action }),
    ...(query.actorUserId === undefined ? {} : { actorUserId: query.actorUserId }),
    ...(query.since === undefined ? {} : { since: iso(query.since) }),
    ...(query.until === undefined ? {} : { until: iso(query.until) }),
  };
}

/**
 * The audit log (scope `audit:read`): admins read the whole organization's; members read the events of the
 * connections they can see. With `connectionId`, that connection's events (viewer access needed). Filtered by action, actor and time range when given. With `after`, the
 * events committed after the one of that seq, oldest first (the store's commit order), so a follower never skips.
 */
export async function readAudit(
  deps: ConnectionDeps,
  principal: Principal,
  query: AuditFilters & { connectionId?: string; limit?: number; after?: number },
): Promise<LoggedAuditEvent[]> {
  requireScope(principal, 'audit:read');
  const filters = auditFilters(query);
  if (query.connectionId !== undefined) {
    await loadConnectionFor(deps.store, principal, query.connectionId, 'viewer');
    return deps.store.audit.list({
      organizationId: principal.organizationId,
      connectionId: query.connectionId,
      ...filters,
      ...(query.limit === undefined ? {} : { limit: query.limit }),
      ...(query.after === undefined ? {} : { afterSeq: query.after }),
    });
  }
  const ids =
    principal.user.role === 'admin' ? undefined : await deps.store.connections.connectionIdsOf(principal.user.id);
  return deps.store.audit.list({
    organizationId: principal.organizationId,
    ...(ids === undefined ? {} : { connectionIds: ids }),
    ...filters,
    ...(query.limit === undefined ? {} : { limit: query.limit }),
    ...(query.after === undefined ? {} : { afterSeq: query.after }),
  });
}
