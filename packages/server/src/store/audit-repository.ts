import type { Insertable, Kysely } from 'kysely';
import { TrustgateError } from '@trustgate/core';
import type { AuditEventsTable, Database } from './schema.ts';
import type { AuditEvent } from '../model/records.ts';
import { newId, nowIso } from './new-id.ts';

/** Filters for {@link AuditRepository.list}. */
export interface AuditQuery {
  organizationId: string;
  connectionId?: string;
  /** Only events on these connections (used for members, who see only connections they have access to). */
  connectionIds?: string[];
  limit?: number;
  /**
   * Only events committed after the one with this `seq`, oldest first (the log's commit order): a reader that
   * passes the last seq it saw gets every later event once. Without it, the newest events first (by time).
   */
  afterSeq?: number;
  /** Only events of this action (`connection.verify`). */
  action?: string;
  /** Only events by this user. */
  actorUserId?: string;
  /** Only events at or after this ISO time. */
  since?: string;
  /** Only events before this ISO time. */
  until?: string;
}

/** An event as the log holds it: with its position in the commit order. */
export type LoggedAuditEvent = AuditEvent & { seq: number };

/** An event to append: `at` is optional (default: when it is written). */
export type AuditEventInput = Omit<AuditEvent, 'id' | 'at'> & { at?: string };

/** The most events {@link AuditRepository.appendMany} writes in one statement (8 parameters each, under SQLite's limit). */
export const MAX_APPEND_MANY = 1000;

function toRow(event: AuditEvent): Insertable<AuditEventsTable> {
  return {
    id: event.id,
    organization_id: event.organizationId,
    at: event.at,
    actor_user_id: event.actorUserId,
    token_id: event.tokenId,
    action: event.action,
    connection_id: event.connectionId,
    details: JSON.stringify(event.details),
  };
}

/** The append-only audit log. */
export class AuditRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Appends an event; `details` must never carry a secret (callers pass IDs and names only). */
  async append(input: Omit<AuditEvent, 'id' | 'at'>): Promise<AuditEvent> {
    const event: AuditEvent = { id: newId('aud'), at: nowIso(), ...input };
    await this.db.insertInto('audit_events').values(toRow(event)).execute();
    return event;
  }

  /**
   * Appends events in one multi-row INSERT (all or none) and returns them as stored, in order. Each gets a new ID;
   * `at` is kept when given (when the audited thing happened), else now. At most {@link MAX_APPEND_MANY} events.
   */
  async appendMany(inputs: readonly AuditEventInput[]): Promise<AuditEvent[]> {
    if (inputs.length > MAX_APPEND_MANY)
      throw new TrustgateError('INTERNAL', `At most ${MAX_APPEND_MANY} audit events are appended at once.`);
    if (inputs.length === 0) return [];
    const now = nowIso();
    const events: AuditEvent[] = inputs.map((input) => ({ ...input, id: newId('aud'), at: input.at ?? now }));
    await this.db.insertInto('audit_events').values(events.map(toRow)).execute();
    return events;
  }

  /** Events, newest first or after a seq (default limit 100, at most 1,000). */
  async list(query: AuditQuery): Promise<LoggedAuditEvent[]> {
    let q = this.db.selectFrom('audit_events').selectAll().where('organization_id', '=', query.organizationId);
    if (query.connectionId !== undefined) q = q.where('connection_id', '=', query.connectionId);
    if (query.connectionIds !== undefined) {
      if (query.connectionIds.length === 0) return [];
      q = q.where('connection_id', 'in', query.connectionIds);
    }
    if (query.action !== undefined) q = q.where('action', '=', query.action);
    if (query.actorUserId !== undefined) q = q.where('actor_user_id', '=', query.actorUserId);
    if (query.since !== undefined) q = q.where('at', '>=', query.since);
    if (query.until !== undefined) q = q.where('at', '<', query.until);
    const ordered =
      query.afterSeq === undefined
        ? q.orderBy('at', 'desc').orderBy('id', 'desc')
        : q.where('seq', '>', query.afterSeq).orderBy('seq');
    const rows = await ordered.limit(Math.min(query.limit ?? 100, 1000)).execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
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
