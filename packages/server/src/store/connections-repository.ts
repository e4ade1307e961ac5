import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Partition } from '@trustgate/core';
import { TrustgateError } from '@trustgate/core';
import type { ConnectionsTable, Database } from './schema.ts';
import type {
  AccessGrant,
  AccessLevel,
  Connection,
  ConnectionMode,
  ConnectionRole,
  ConnectionScope,
  ConnectionSelection,
  ConnectionStatus,
  IssuedPolicy,
  RoleVerification,
} from '../model/records.ts';
import type { ConnectionTrust, ExternalIdTrust } from '../model/broker-records.ts';
import type { WildcardMode } from '@trustgate/core';
import { upgradeConnection } from '../model/upgrade-connection.ts';
import { conflictOnDuplicate } from './unique-violation.ts';

/** Maps a row to the current connection record: as stored, then upgraded ({@link upgradeConnection}, the one place). */
function toConnection(r: Selectable<ConnectionsTable>): Connection {
  return upgradeConnection({
    id: r.id,
    organizationId: r.organization_id,
    spaceId: r.space_id,
    name: r.name,
    partition: r.partition as Partition,
    mode: r.mode as ConnectionMode,
    scope: JSON.parse(r.scope) as ConnectionScope,
    roleName: r.role_name,
    region: r.region,
    labels: JSON.parse(r.labels) as Record<string, string>,
    selection: JSON.parse(r.selection) as ConnectionSelection,
    managedPolicies: JSON.parse(r.managed_policies) as string[],
    extraActions: JSON.parse(r.extra_actions) as string[],
    wildcards: r.wildcards as WildcardMode,
    catalogName: r.catalog_name,
    externalId: r.external_id,
    previousExternalId: r.previous_external_id,
    status: r.status as ConnectionStatus,
    statusReason: r.status_reason,
    issuedPolicy: JSON.parse(r.issued_policy) as IssuedPolicy,
    appliedPolicy: r.applied_policy === null ? null : (JSON.parse(r.applied_policy) as IssuedPolicy),
    callbackNonce: r.callback_nonce,
    lastVerifiedAt: r.last_verified_at,
    trust: JSON.parse(r.trust) as ConnectionTrust,
    externalIdTrust: JSON.parse(r.external_id_trust) as ExternalIdTrust,
    sessionTagging: Number(r.session_tagging) === 1,
    sessionsRevokedBefore: r.sessions_revoked_before,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    recordVersion: Number(r.record_version),
  });
}

function toRow(c: Connection): Insertable<ConnectionsTable> {
  return {
    id: c.id,
    organization_id: c.organizationId,
    space_id: c.spaceId,
    name: c.name,
    partition: c.partition,
    mode: c.mode,
    scope: JSON.stringify(c.scope),
    role_name: c.roleName,
    region: c.region,
    labels: JSON.stringify(c.labels),
    selection: JSON.stringify(c.selection),
    managed_policies: JSON.stringify(c.managedPolicies),
    extra_actions: JSON.stringify(c.extraActions),
    wildcards: c.wildcards,
    catalog_name: c.catalogName,
    external_id: c.externalId,
    previous_external_id: c.previousExternalId,
    status: c.status,
    status_reason: c.statusReason,
    issued_policy: JSON.stringify(c.issuedPolicy),
    applied_policy: c.appliedPolicy === null ? null : JSON.stringify(c.appliedPolicy),
    callback_nonce: c.callbackNonce,
    last_verified_at: c.lastVerifiedAt,
    trust: JSON.stringify(c.trust),
    external_id_trust: JSON.stringify(c.externalIdTrust),
    session_tagging: c.sessionTagging ? 1 : 0,
    sessions_revoked_before: c.sessionsRevokedBefore,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
    record_version: c.recordVersion,
  };
}

/** Filters for {@link ConnectionsRepository.list}. */
export interface ConnectionQuery {
  organizationId: string;
  status?: ConnectionStatus;
  spaceId?: string;
  /** Every label given must match (`key` -> `value`). */
  labels?: Record<string, string>;
  /** Restrict to these connection IDs (a member's visible connections). */
  ids?: string[];
}

/** Connections, their roles per account, and access grants. */
export class ConnectionsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** Inserts a new connection; CONFLICT on a duplicate name in the organization. */
  async insert(connection: Connection): Promise<void> {
    await conflictOnDuplicate(
      () => this.db.insertInto('connections').values(toRow(connection)).execute(),
      'A connection with this name exists in the organization.',
      'name',
    );
  }

  /**
   * Writes a changed connection with optimistic locking: the row must still carry `recordVersion`; it is
   * stored with `recordVersion + 1`. CONFLICT when someone else changed it meanwhile, or when it is renamed to
   * the name of another connection of the organization.
   */
  async update(connection: Connection): Promise<Connection> {
    const next = { ...connection, recordVersion: connection.recordVersion + 1, updatedAt: new Date().toISOString() };
    const row = toRow(next);
    // A rename to a name another connection of the organization has is the caller's conflict (409), as on insert.
    const result = await conflictOnDuplicate(
      () =>
        this.db
          .updateTable('connections')
          .set(row)
          .where('id', '=', connection.id)
          .where('record_version', '=', connection.recordVersion)
          .executeTakeFirst(),
      'A connection with this name exists in the organization.',
      'name',
    );
    if (Number(result.numUpdatedRows) !== 1)
      throw new TrustgateError('CONFLICT', 'The connection changed meanwhile; read it again and retry.');
    return next;
  }

  /** The connection with this ID in this organization, or undefined. */
  async get(organizationId: string, id: string): Promise<Connection | undefined> {
    const r = await this.db
      .selectFrom('connections')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r && toConnection(r);
  }

  /**
   * The connection's revocation cut-off alone (one column): undefined when there is no such connection, null when
   * its sessions were never revoked. The broker reads it on every issuance it serves from a remembered target.
   */
  async sessionsRevokedBefore(organizationId: string, id: string): Promise<string | null | undefined> {
    const r = await this.db
      .selectFrom('connections')
      .select('sessions_revoked_before')
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return r === undefined ? undefined : r.sessions_revoked_before;
  }

  /** A connection by ID across organizations — for background jobs and the callback (authorized by its token). */
  async getAnyOrganization(id: string): Promise<Connection | undefined> {
    const r = await this.db.selectFrom('connections').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toConnection(r);
  }

  /** Connections matching the query, by name. Label filters are applied after reading (labels are JSON). */
  async list(query: ConnectionQuery): Promise<Connection[]> {
    let q = this.db.selectFrom('connections').selectAll().where('organization_id', '=', query.organizationId);
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.spaceId !== undefined) q = q.where('space_id', '=', query.spaceId);
    if (query.ids !== undefined) {
      if (query.ids.length === 0) return [];
      q = q.where('id', 'in', query.ids);
    }
    const rows = await q.orderBy('name').execute();
    const labels = Object.entries(query.labels ?? {});
    return rows.map(toConnection).filter((c) => labels.every(([k, v]) => c.labels[k] === v));
  }

  /** Connections (any organization) whose last verification is older than `before` and that have roles. */
  async listDueForReverification(before: string, limit: number): Promise<Connection[]> {
    const rows = await this.db
      .selectFrom('connections')
      .selectAll()
      .where('status', 'in', ['connected', 'needs-update', 'insecure', 'broken'])
      .where((eb) => eb.or([eb('last_verified_at', 'is', null), eb('last_verified_at', '<', before)]))
      .orderBy('last_verified_at')
      .limit(limit)
      .execute();
    return rows.map(toConnection);
  }

  /** Every connection of an organization that uses the named catalog. */
  async listByCatalog(organizationId: string, catalogName: string): Promise<Connection[]> {
    const rows = await this.db
      .selectFrom('connections')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .where('catalog_name', '=', catalogName)
      .execute();
    return rows.map(toConnection);
  }

  /** Deletes a connection (roles and grants cascade). */
  async delete(organizationId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('connections')
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Inserts or replaces the role of a connection for one account. */
  async putRole(role: ConnectionRole): Promise<void> {
    const values = {
      connection_id: role.connectionId,
      account_id: role.accountId,
      role_arn: role.roleArn,
      status: role.status,
      status_reason: role.statusReason,
      details: JSON.stringify(role.details),
      verified_at: role.verifiedAt,
    };
    await this.db
      .insertInto('connection_roles')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['connection_id', 'account_id']).doUpdateSet({
          role_arn: values.role_arn,
          status: values.status,
          status_reason: values.status_reason,
          details: values.details,
          verified_at: values.verified_at,
        }),
      )
      .execute();
  }

  /** The roles of a connection, by account. */
  async listRoles(connectionId: string): Promise<ConnectionRole[]> {
    const rows = await this.db
      .selectFrom('connection_roles')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .orderBy('account_id')
      .execute();
    return rows.map((r) => ({
      connectionId: r.connection_id,
      accountId: r.account_id,
      roleArn: r.role_arn,
      status: r.status as ConnectionStatus,
      statusReason: r.status_reason,
      details: JSON.parse(r.details) as RoleVerification | null,
      verifiedAt: r.verified_at,
    }));
  }

  /** Grants (or changes) a user's access level on a connection. */
  async putAccess(grant: AccessGrant): Promise<void> {
    await this.db
      .insertInto('connection_access')
      .values({ connection_id: grant.connectionId, user_id: grant.userId, level: grant.level })
      .onConflict((oc) => oc.columns(['connection_id', 'user_id']).doUpdateSet({ level: grant.level }))
      .execute();
  }

  /** Removes a user's access to a connection. */
  async deleteAccess(connectionId: string, userId: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('connection_access')
      .where('connection_id', '=', connectionId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** The access grants on a connection. */
  async listAccess(connectionId: string): Promise<AccessGrant[]> {
    const rows = await this.db
      .selectFrom('connection_access')
      .selectAll()
      .where('connection_id', '=', connectionId)
      .orderBy('user_id')
      .execute();
    return rows.map((r) => ({ connectionId: r.connection_id, userId: r.user_id, level: r.level as AccessLevel }));
  }

  /** The access level a user has on a connection, or undefined. */
  async accessOf(connectionId: string, userId: string): Promise<AccessLevel | undefined> {
    const row = await this.db
      .selectFrom('connection_access')
      .select('level')
      .where('connection_id', '=', connectionId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.level as AccessLevel | undefined;
  }

  /** IDs of the connections a user holds any access level on. */
  async connectionIdsOf(userId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('connection_access')
      .select('connection_id')
      .where('user_id', '=', userId)
      .execute();
    return rows.map((r) => r.connection_id);
  }
}
