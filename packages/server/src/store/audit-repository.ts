import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { AuditEvent } from '../model/records.ts';
import { newId, nowIso } from './new-id.ts';

/** Filters for {@link AuditRepository.list}. */
export interface AuditQuery {
  organizationId: string;
  connectionId?: string;
  /** Only events on these connections (used for members, who see only connections they have access to). */
  connectionIds?: string[];
  limit?: number;
}

/** The append-only audit log. */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends an event; `details` must never carry a secret (callers pass IDs and names only). */
  async append(input: Omit<AuditEvent, 'id' | 'at'>): Promise<AuditEvent> {
    const event: AuditEvent = { id: newId('aud'), at: nowIso(), ...input };
    await this.db
      .insertInto('audit_events')
      .values({
        id: event.id,
        organization_id: event.organizationId,
        at: event.at,
        actor_user_id: event.actorUserId,
        token_id: event.tokenId,
        action: event.action,
        connection_id: event.connectionId,
        details: JSON.stringify(event.details),
      })
      .execute();
    return event;
  }

  /** Events, newest first (default limit 100, at most 1,000). */
  async list(query: AuditQuery): Promise<AuditEvent[]> {
    let q = this.db.selectFrom('audit_events').selectAll().where('organization_id', '=', query.organizationId);
    if (query.connectionId !== undefined) q = q.where('connection_id', '=', query.connectionId);
    if (query.connectionIds !== undefined) {
      if (query.connectionIds.length === 0) return [];
      q = q.where('connection_id', 'in', query.connectionIds);
    }
    const rows = await q
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(Math.min(query.limit ?? 100, 1000))
      .execute();
    return rows.map((r) => ({
      id: r.id,
      organizationId: r.organization_id,
      at: r.at,
      actorUserId: r.actor_user_id,
      tokenId: r.token_id,
      action: r.action,
      connectionId: r.connection_id,
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }
}
