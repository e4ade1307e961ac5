import type { Insertable, Kysely, Selectable } from 'kysely';
import type { RunPhase } from '@trustgate/core';
import { TrustgateError } from '@trustgate/core';
import type { AttachmentsTable, Database } from './schema.ts';
import type { Attachment, AttachmentVerification, SessionMode } from '../model/broker-records.ts';
import { nowIso } from './new-id.ts';
import { conflictOnDuplicate, notFoundOnMissingReference } from './unique-violation.ts';

function toAttachment(r: Selectable<AttachmentsTable>): Attachment {
  return {
    id: r.id,
    organizationId: r.organization_id,
    stackId: r.stack_id,
    connectionId: r.connection_id,
    accountIds: r.account_ids === null ? null : (JSON.parse(r.account_ids) as string[]),
    phases: JSON.parse(r.phases) as RunPhase[],
    durationSeconds: Number(r.duration_seconds),
    region: r.region,
    readOnlySessionPolicy: Number(r.read_only_session_policy) === 1,
    sessionMode: r.session_mode as SessionMode,
    assumeOnWorker: Number(r.assume_on_worker) === 1,
    customExternalId: r.custom_external_id,
    verification: r.verification === null ? null : (JSON.parse(r.verification) as AttachmentVerification),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The columns an update may change (not the organization, stack, connection or creation time). */
function settingsOf(a: Attachment) {
  return {
    account_ids: a.accountIds === null ? null : JSON.stringify(a.accountIds),
    phases: JSON.stringify(a.phases),
    duration_seconds: a.durationSeconds,
    region: a.region,
    read_only_session_policy: a.readOnlySessionPolicy ? 1 : 0,
    session_mode: a.sessionMode,
    assume_on_worker: a.assumeOnWorker ? 1 : 0,
    custom_external_id: a.customExternalId,
    verification: a.verification === null ? null : JSON.stringify(a.verification),
    updated_at: a.updatedAt,
  };
}

function toRow(a: Attachment): Insertable<AttachmentsTable> {
  return {
    id: a.id,
    organization_id: a.organizationId,
    stack_id: a.stackId,
    connection_id: a.connectionId,
    ...settingsOf(a),
    created_at: a.createdAt,
  };
}

/**
 * Attachments of connections to stacks: one per (stack, connection); the stack and the connection must both be
 * of the attachment's organization (the schema's foreign keys include the organization). Deleting the stack or the
 * connection deletes its attachments.
 */
export class AttachmentsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Inserts a new attachment. CONFLICT (field `connectionId`) when the connection is attached to the stack already;
   * NOT_FOUND when the organization has no such stack or connection.
   */
  async insert(attachment: Attachment): Promise<void> {
    await notFoundOnMissingReference(
      () =>
        conflictOnDuplicate(
          () => this.db.insertInto('attachments').values(toRow(attachment)).execute(),
          `The connection "${attachment.connectionId}" is attached to the stack "${attachment.stackId}" already.`,
          'connectionId',
        ),
      'No such stack or connection in the organization.',
    );
  }

  /** The attachment with this ID in this organization, or undefined. */
  async get(organizationId: string, id: string): Promise<Attachment | undefined> {
    const r = await this.db
      .selectFrom('attachments')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toAttachment(r);
  }

  /** The attachments of a stack of this organization, oldest first. */
  async listByStack(organizationId: string, stackId: string): Promise<Attachment[]> {
    const rows = await this.db
      .selectFrom('attachments')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('stack_id', '=', stackId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toAttachment);
  }

  /** The attachments of a connection of this organization, oldest first. */
  async listByConnection(organizationId: string, connectionId: string): Promise<Attachment[]> {
    const rows = await this.db
      .selectFrom('attachments')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('connection_id', '=', connectionId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toAttachment);
  }

  /** The attachment of this connection to this stack in this organization, or undefined. */
  async find(organizationId: string, stackId: string, connectionId: string): Promise<Attachment | undefined> {
    const r = await this.db
      .selectFrom('attachments')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('stack_id', '=', stackId)
      .where('connection_id', '=', connectionId)
      .executeTakeFirst();
    return r && toAttachment(r);
  }

  /**
   * Writes a changed attachment's settings (accounts, phases, duration, region, session policy and mode, assume on
   * worker, custom external ID, verification; `updatedAt` set to now) and returns it as stored; its organization,
   * stack, connection and creation time stay. NOT_FOUND when the organization has no attachment with its ID. With
   * `ifUpdatedAt`, written only while the stored `updatedAt` is still that one (else CONFLICT), with the attachment's
   * own `updatedAt`.
   */
  async update(attachment: Attachment, options: { ifUpdatedAt?: string } = {}): Promise<Attachment> {
    const expected = options.ifUpdatedAt;
    let q = this.db
      .updateTable('attachments')
      .set(settingsOf(expected === undefined ? { ...attachment, updatedAt: nowIso() } : attachment))
      .where('organization_id', '=', attachment.organizationId)
      .where('id', '=', attachment.id);
    if (expected !== undefined) q = q.where('updated_at', '=', expected);
    const result = await q.executeTakeFirst();
    const stored = await this.get(attachment.organizationId, attachment.id);
    if (stored === undefined) throw new TrustgateError('NOT_FOUND', 'No such attachment.');
    if (Number(result.numUpdatedRows) !== 1)
      throw new TrustgateError('CONFLICT', 'The attachment was changed meanwhile: read it again and retry.', {
        field: 'attachmentId',
      });
    return stored;
  }

  /**
   * What an issuance remembered of an attachment must still match, read in one query: the attachment's `updatedAt`
   * (every change of its settings moves it) and its connection's revocation cut-off. Undefined when it is gone.
   */
  async issuanceState(
    organizationId: string,
    id: string,
  ): Promise<{ updatedAt: string; sessionsRevokedBefore: string | null } | undefined> {
    const r = await this.db
      .selectFrom('attachments as a')
      .innerJoin('connections as c', 'c.id', 'a.connection_id')
      .select(['a.updated_at', 'c.sessions_revoked_before'])
      .where('a.organization_id', '=', organizationId)
      .where('a.id', '=', id)
      .executeTakeFirst();
    return r === undefined ? undefined : { updatedAt: r.updated_at, sessionsRevokedBefore: r.sessions_revoked_before };
  }

  /** Deletes an attachment; false when the organization has no attachment with this ID. */
  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('attachments')
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
