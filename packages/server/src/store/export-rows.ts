import { DEFAULT_MIGRATION_TABLE, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.ts';

/** One stored value as every dialect returns it: text (timestamps, JSON), an integer (0/1 booleans, counts), or null. */
export type StoredValue = string | number | null;

/** A table's rows, each column by name. */
export type StoredRow = Record<string, StoredValue>;

/** Every table of {@link Database}, each with all its columns and the primary key its rows are read in order of. */
interface TableShape {
  columns: readonly string[];
  orderBy: readonly string[];
  /** `bigint` columns: PostgreSQL's driver returns them as text, SQLite's as numbers; exported as numbers. */
  bigint?: readonly string[];
}

/**
 * Every table of the store with every column, in an order where each table comes after the tables it references
 * (rows are inserted in this order, so foreign keys hold at every insert). `satisfies` makes a table added to
 * {@link Database} without an entry here a type error; test/backup-tables.test.ts compares the columns with the
 * migrated schema of each dialect, so a column added by a migration without an entry here fails there.
 */
export const STORE_TABLES = {
  organizations: { columns: ['id', 'name', 'created_at', 'oidc_subject'], orderBy: ['id'] },
  users: { columns: ['id', 'organization_id', 'email', 'name', 'role', 'created_at'], orderBy: ['id'] },
  api_tokens: {
    columns: [
      'id',
      'organization_id',
      'user_id',
      'name',
      'token_hash',
      'scopes',
      'created_at',
      'expires_at',
      'revoked_at',
      'last_used_at',
      'issue_restriction',
    ],
    orderBy: ['id'],
  },
  spaces: { columns: ['id', 'organization_id', 'name', 'created_at'], orderBy: ['id'] },
  catalogs: {
    columns: ['id', 'organization_id', 'name', 'version', 'source', 'file_name', 'created_at'],
    orderBy: ['id'],
  },
  connections: {
    columns: [
      'id',
      'organization_id',
      'space_id',
      'name',
      'partition',
      'mode',
      'scope',
      'role_name',
      'region',
      'labels',
      'selection',
      'managed_policies',
      'extra_actions',
      'catalog_name',
      'external_id',
      'previous_external_id',
      'status',
      'status_reason',
      'issued_policy',
      'applied_policy',
      'callback_nonce',
      'last_verified_at',
      'external_id_trust',
      'session_tagging',
      'sessions_revoked_before',
      'wildcards',
      'trust',
      'created_at',
      'updated_at',
      'record_version',
    ],
    orderBy: ['id'],
  },
  connection_roles: {
    columns: ['connection_id', 'account_id', 'role_arn', 'status', 'status_reason', 'details', 'verified_at'],
    orderBy: ['connection_id', 'account_id'],
  },
  connection_access: { columns: ['connection_id', 'user_id', 'level'], orderBy: ['connection_id', 'user_id'] },
  audit_events: {
    columns: ['id', 'organization_id', 'at', 'actor_user_id', 'token_id', 'action', 'connection_id', 'details', 'seq'],
    orderBy: ['id'],
    // Kept as exported: an insert naming its seq keeps it (migration 0010), so the log's order survives a restore.
    bigint: ['seq'],
  },
  job_runs: { columns: ['name', 'last_run_at', 'holder'], orderBy: ['name'] },
  settings: { columns: ['name', 'value'], orderBy: ['name'] },
  callback_requests: {
    columns: [
      'stack_id',
      'request_id',
      'logical_resource_id',
      'request_type',
      'state',
      'holder',
      'claimed_at',
      'status',
      'reason',
      'connection_id',
      'answered_at',
      'request_digest',
      'delivered_at',
      'response_url',
      'response_body',
    ],
    orderBy: ['stack_id', 'request_id', 'logical_resource_id'],
  },
  stacks: {
    columns: ['id', 'organization_id', 'space_id', 'slug', 'name', 'labels', 'created_at', 'updated_at'],
    orderBy: ['id'],
  },
  attachments: {
    columns: [
      'id',
      'organization_id',
      'stack_id',
      'connection_id',
      'account_ids',
      'phases',
      'duration_seconds',
      'region',
      'read_only_session_policy',
      'session_mode',
      'assume_on_worker',
      'custom_external_id',
      'verification',
      'created_at',
      'updated_at',
    ],
    orderBy: ['id'],
  },
  signing_keys: {
    columns: ['kid', 'generation', 'algorithm', 'public_jwk', 'sealed_private_key', 'created_at', 'activates_at'],
    orderBy: ['kid'],
  },
} as const satisfies { [T in keyof Database]: TableShape & { columns: readonly (keyof Database[T] & string)[] } };

/** A table's name. */
export type StoreTableName = keyof typeof STORE_TABLES;

/** Table names in insert order. */
export const STORE_TABLE_NAMES = Object.keys(STORE_TABLES) as StoreTableName[];

/** Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits at 30 columns a row. */
const INSERT_BATCH = 200;

// Kysely's table-generic builders do not narrow over a union of table names; these queries are checked against
// STORE_TABLES (every name and column of Database) instead, so the rows are handled as plain records here.
type AnyDb = Kysely<Record<string, StoredRow>>;

/** Every row of every table, each table in primary-key order, exactly as the store holds it. */
export async function readEveryStoredRow(db: Kysely<Database>): Promise<Record<StoreTableName, StoredRow[]>> {
  const any = db as unknown as AnyDb;
  const out = {} as Record<StoreTableName, StoredRow[]>;
  for (const table of STORE_TABLE_NAMES) {
    const shape: TableShape = STORE_TABLES[table];
    let query = any.selectFrom(table).select(shape.columns as string[]);
    for (const column of shape.orderBy) query = query.orderBy(column);
    const rows = (await query.execute()) as StoredRow[];
    for (const column of shape.bigint ?? [])
      for (const row of rows) if (typeof row[column] === 'string') row[column] = Number(row[column]);
    out[table] = rows;
  }
  return out;
}

/** How many rows each table that is not empty holds. */
export async function countStoredRows(db: Kysely<Database>): Promise<Partial<Record<StoreTableName, number>>> {
  const any = db as unknown as AnyDb;
  const counts: Partial<Record<StoreTableName, number>> = {};
  for (const table of STORE_TABLE_NAMES) {
    const row = await any
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const n = Number(row?.n ?? 0);
    if (n > 0) counts[table] = n;
  }
  return counts;
}

/** Inserts every table's rows in {@link STORE_TABLE_NAMES} order (referenced rows first), in batches. */
export async function insertStoredRows(
  trx: Transaction<Database>,
  tables: Record<StoreTableName, readonly StoredRow[]>,
): Promise<void> {
  const any = trx as unknown as AnyDb;
  for (const table of STORE_TABLE_NAMES) {
    const rows = tables[table];
    for (let i = 0; i < rows.length; i += INSERT_BATCH)
      await any
        .insertInto(table)
        .values(rows.slice(i, i + INSERT_BATCH) as StoredRow[])
        .execute();
  }
}

/**
 * The name of the latest migration applied to the database (Kysely's bookkeeping table, found through the
 * connection's search path on PostgreSQL), or undefined when there is none: no trustgate store there.
 */
export async function appliedSchemaVersion(db: Kysely<Database>): Promise<string | undefined> {
  try {
    const result = await sql<{
      name: string;
    }>`select name from ${sql.table(DEFAULT_MIGRATION_TABLE)} order by name desc limit 1`.execute(db);
    return result.rows[0]?.name;
  } catch {
    return undefined;
  }
}
