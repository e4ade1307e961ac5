import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { TrustgateError } from '@trustgate/core';

/**
 * trustgate's versioned schema migrations, in order. Each is written once with Kysely's schema builder so the
 * same migration runs on SQLite and PostgreSQL; a released migration is never edited — add a new one.
 */
export const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('organizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('email', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('users_org_email', ['organization_id', 'email'])
        .execute();
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text')
        .addColumn('revoked_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();
      await db.schema
        .createTable('spaces')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('spaces_org_name', ['organization_id', 'name'])
        .execute();
      await db.schema
        .createTable('catalogs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('catalogs_org_name_version', ['organization_id', 'name', 'version'])
        .execute();
      await db.schema
        .createTable('connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('space_id', 'text', (c) => c.references('spaces.id').onDelete('set null'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('partition', 'text', (c) => c.notNull())
        .addColumn('mode', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull())
        .addColumn('role_name', 'text', (c) => c.notNull())
        .addColumn('region', 'text')
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('selection', 'text', (c) => c.notNull())
        .addColumn('managed_policies', 'text', (c) => c.notNull())
        .addColumn('extra_actions', 'text', (c) => c.notNull())
        .addColumn('catalog_name', 'text')
        .addColumn('external_id', 'text', (c) => c.notNull().unique())
        .addColumn('previous_external_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text', (c) => c.notNull())
        .addColumn('issued_policy', 'text', (c) => c.notNull())
        .addColumn('applied_policy', 'text')
        .addColumn('callback_nonce', 'text')
        .addColumn('last_verified_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('record_version', 'integer', (c) => c.notNull().defaultTo(1))
        .addUniqueConstraint('connections_org_name', ['organization_id', 'name'])
        .execute();
      await db.schema
        .createIndex('connections_org_status')
        .on('connections')
        .columns(['organization_id', 'status'])
        .execute();
      await db.schema
        .createTable('connection_roles')
        .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
        .addColumn('account_id', 'text', (c) => c.notNull())
        .addColumn('role_arn', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('verified_at', 'text')
        .addPrimaryKeyConstraint('connection_roles_pk', ['connection_id', 'account_id'])
        .execute();
      await db.schema
        .createTable('connection_access')
        .addColumn('connection_id', 'text', (c) => c.notNull().references('connections.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('level', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('connection_access_pk', ['connection_id', 'user_id'])
        .execute();
      await db.schema
        .createTable('audit_events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('actor_user_id', 'text')
        .addColumn('token_id', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('connection_id', 'text')
        .addColumn('details', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_events_org_at')
        .on('audit_events')
        .columns(['organization_id', 'at'])
        .execute();
      await db.schema
        .createTable('job_runs')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('last_run_at', 'text', (c) => c.notNull())
        .addColumn('holder', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002-settings': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('settings')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0003-callback-requests': {
    async up(db: Kysely<unknown>): Promise<void> {
      // One row per CloudFormation custom-resource request: the primary key makes a second delivery of the same
      // request (SNS delivers at least once) lose the claim on every instance sharing the database.
      await db.schema
        .createTable('callback_requests')
        .addColumn('stack_id', 'text', (c) => c.notNull())
        .addColumn('request_id', 'text', (c) => c.notNull())
        .addColumn('logical_resource_id', 'text', (c) => c.notNull())
        .addColumn('request_type', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('holder', 'text', (c) => c.notNull())
        .addColumn('claimed_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text')
        .addColumn('reason', 'text')
        .addColumn('connection_id', 'text')
        .addColumn('answered_at', 'text')
        .addPrimaryKeyConstraint('callback_requests_pk', ['stack_id', 'request_id', 'logical_resource_id'])
        .execute();
      await db.schema
        .createIndex('callback_requests_claimed_at')
        .on('callback_requests')
        .column('claimed_at')
        .execute();
    },
  },
  '0004-callback-request-digest': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The request body a key was claimed for (a repeat under the key with another body is refused), and whether
      // the answer reached CloudFormation's ResponseURL. Rows from before have no digest: nothing re-sends them.
      await db.schema
        .alterTable('callback_requests')
        .addColumn('request_digest', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.alterTable('callback_requests').addColumn('delivered_at', 'text').execute();
      // What re-sending an undelivered answer needs (the presigned ResponseURL only until it is sent or given up).
      await db.schema.alterTable('callback_requests').addColumn('response_url', 'text').execute();
      await db.schema.alterTable('callback_requests').addColumn('response_body', 'text').execute();
    },
  },
  '0005-broker': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The credential broker. Connections made before it trust the exact external ID, allow no session tags and
      // revoked nothing; tokens made before it have no issue restriction.
      await db.schema
        .alterTable('connections')
        .addColumn('external_id_trust', 'text', (c) => c.notNull().defaultTo('{"kind":"exact"}'))
        .execute();
      await db.schema
        .alterTable('connections')
        .addColumn('session_tagging', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('connections').addColumn('sessions_revoked_before', 'text').execute();
      await db.schema.alterTable('api_tokens').addColumn('issue_restriction', 'text').execute();
      // (organization_id, id) is unique so attachments can reference a stack and a connection of THEIR organization:
      // an attachment tying one tenant's stack to another tenant's connection cannot be stored.
      await db.schema
        .createIndex('connections_org_id')
        .on('connections')
        .columns(['organization_id', 'id'])
        .unique()
        .execute();
      await db.schema
        .createTable('stacks')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('space_id', 'text', (c) => c.references('spaces.id').onDelete('set null'))
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('stacks_org_slug', ['organization_id', 'slug'])
        .addUniqueConstraint('stacks_org_id', ['organization_id', 'id'])
        .execute();
      await db.schema
        .createTable('attachments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('stack_id', 'text', (c) => c.notNull())
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('account_ids', 'text')
        .addColumn('phases', 'text', (c) => c.notNull())
        .addColumn('duration_seconds', 'integer', (c) => c.notNull())
        .addColumn('region', 'text')
        .addColumn('read_only_session_policy', 'integer', (c) => c.notNull())
        .addColumn('session_mode', 'text', (c) => c.notNull())
        .addColumn('assume_on_worker', 'integer', (c) => c.notNull())
        .addColumn('custom_external_id', 'text')
        .addColumn('verification', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addForeignKeyConstraint(
          'attachments_stack',
          ['organization_id', 'stack_id'],
          'stacks',
          ['organization_id', 'id'],
          (fk) => fk.onDelete('cascade'),
        )
        .addForeignKeyConstraint(
          'attachments_connection',
          ['organization_id', 'connection_id'],
          'connections',
          ['organization_id', 'id'],
          (fk) => fk.onDelete('cascade'),
        )
        .addUniqueConstraint('attachments_stack_connection', ['stack_id', 'connection_id'])
        .execute();
      await db.schema
        .createIndex('attachments_org_connection')
        .on('attachments')
        .columns(['organization_id', 'connection_id'])
        .execute();
    },
  },
  '0006-wildcards': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The compiler's wildcard mode (issue 18); connections made before it list every action exactly.
      await db.schema
        .alterTable('connections')
        .addColumn('wildcards', 'text', (c) => c.notNull().defaultTo('expand'))
        .execute();
    },
  },
  '0007-signing-keys': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The OIDC issuer's signing keys (issue 13); the private key only sealed.
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.primaryKey())
        .addColumn('generation', 'integer', (c) => c.notNull().unique())
        .addColumn('algorithm', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('sealed_private_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('activates_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0008-connection-trust': {
    async up(db: Kysely<unknown>): Promise<void> {
      // How the role trusts the platform (issue 13); every connection made before it trusts an external ID.
      await db.schema
        .alterTable('connections')
        .addColumn('trust', 'text', (c) => c.notNull().defaultTo('{"kind":"external-id"}'))
        .execute();
    },
  },
  '0009-organization-oidc-subject': {
    async up(db: Kysely<unknown>): Promise<void> {
      // Null for every existing organization: the default subject template.
      await db.schema.alterTable('organizations').addColumn('oidc_subject', 'text').execute();
    },
  },
  '0010-audit-seq': {
    async up(db: Kysely<unknown>): Promise<void> {
      // The audit log's commit order (issue 17, `GET /v1/audit?after=<seq>`): `seq` grows with every event in the
      // order the events are committed, so a reader that continues after the last seq it saw never skips one.
      // Existing events are numbered by time. An insert that names a seq (an import) keeps it.
      await db.schema.alterTable('audit_events').addColumn('seq', 'bigint').execute();
      // One pass with a window (PostgreSQL, SQLite >= 3.33), not a count per row: a long log migrates in linear time.
      await sql`update audit_events set seq = numbered.n from (select id, row_number() over (order by at, id) as n from audit_events) as numbered where numbered.id = audit_events.id`.execute(
        db,
      );
      // The next seq is max(seq) + 1 on SQLite, read on every insert: without its own index that is a scan of the log.
      await db.schema.createIndex('audit_events_seq_unique').on('audit_events').column('seq').unique().execute();
      await db.schema
        .createIndex('audit_events_org_seq')
        .on('audit_events')
        .columns(['organization_id', 'seq'])
        .execute();
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        // A sequence alone is not commit order (two transactions may commit their values the other way round):
        // each inserting transaction takes a transaction-scoped advisory lock first, held until it commits, so
        // a later seq is always committed later. Audit records are written last in their transactions.
        await sql`create sequence audit_events_seq`.execute(db);
        await sql`select setval('audit_events_seq', (select coalesce(max(seq), 0) + 1 from audit_events), false)`.execute(
          db,
        );
        await sql
          .raw(
            `create function audit_events_next_seq() returns trigger language plpgsql as $$
begin
  perform pg_advisory_xact_lock(hashtext(current_schema() || '.audit_events_seq'));
  if new.seq is null then
    new.seq := nextval('audit_events_seq');
  else
    perform setval('audit_events_seq', greatest(new.seq, (select last_value from audit_events_seq)));
  end if;
  return new;
end $$`,
          )
          .execute(db);
        await sql`create trigger audit_events_seq before insert on audit_events for each row execute function audit_events_next_seq()`.execute(
          db,
        );
      } else {
        // SQLite has one writer at a time: the largest seq plus one is commit order.
        await sql`create trigger audit_events_seq after insert on audit_events for each row when new.seq is null begin update audit_events set seq = (select coalesce(max(seq), 0) + 1 from audit_events) where rowid = new.rowid; end`.execute(
          db,
        );
      }
    },
  },
};

/** Serves {@link MIGRATIONS} to Kysely's migrator (migrations live in code, not in a folder). */
class InCodeMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

/**
 * Runs every pending migration, in order, inside Kysely's migration lock (so two instances starting at once
 * on PostgreSQL do not both migrate). Throws INTERNAL with the failing migration's name if one fails.
 * On PostgreSQL `migrationTableSchema` names the schema of Kysely's own bookkeeping tables: without it Kysely
 * takes a `kysely_migration` table of ANY schema of the database for its own, so a second deployment (or test
 * run) in another schema of the same database would skip creating its tables and fail.
 */
export async function migrateToLatest(
  db: Kysely<unknown>,
  options: { migrationTableSchema?: string } = {},
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(),
    ...(options.migrationTableSchema === undefined ? {} : { migrationTableSchema: options.migrationTableSchema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined || failed !== undefined) {
    throw new TrustgateError('INTERNAL', `Database migration ${failed?.migrationName ?? ''} failed.`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
