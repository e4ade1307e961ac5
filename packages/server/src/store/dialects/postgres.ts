import { Kysely, PostgresDialect, sql } from 'kysely';
import { TrustgateError } from '@trustgate/core';
import type { Database } from '../schema.ts';
import { driverErrorCode, type StoreDialect } from './dialect.ts';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** PostgreSQL's SQLSTATE for a unique violation. */
const UNIQUE_VIOLATION = '23505';

/** A stable 32-bit key for a PostgreSQL advisory lock, from the job name. */
function lockKey(name: string): number {
  let h = 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

/**
 * PostgreSQL through a `pg` pool: an optional schema (created if missing, set as `search_path` on every
 * connection, and home of Kysely's migration bookkeeping), job claims under a transaction-scoped advisory lock
 * (`pg_try_advisory_xact_lock`: a second instance does not wait, it skips).
 */
export const postgresDialect: StoreDialect = {
  name: 'postgres',
  serves: (url) => /^postgres(ql)?:\/\//.test(url),
  async open({ url, schema, poolSize }) {
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
      throw new TrustgateError('INVALID_INPUT', 'The database schema name must be a lower-case SQL identifier.', {
        field: 'schema',
      });
    }
    const { default: pg } = await import('pg'); // loaded only by a service on PostgreSQL
    if (schema !== undefined) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        await admin.query(`create schema if not exists "${schema}"`);
      } catch (error) {
        // Two instances creating the same schema at once: the loser sees a unique violation; the schema exists.
        if (driverErrorCode(error) !== UNIQUE_VIOLATION) throw error;
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: url,
      max: poolSize ?? 10,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    // An idle client whose server went away (a restart, a failover) must not crash the process: pg-pool emits
    // 'error' for it, and an EventEmitter without a listener throws. The next query reconnects or fails by itself.
    pool.on('error', () => undefined);
    // A client checked out of the pool (a transaction between two queries) has no pool listener: the server going
    // away then would be an unhandled 'error' event, which ends the process. Its next query fails by itself.
    pool.on('connect', (client) => client.on('error', () => undefined));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, close: () => db.destroy() };
  },
  migrationBookkeeping: ({ schema }) => ({ migrationTableSchema: schema ?? 'public' }),
  async lockJob(trx, name) {
    const lock = await sql<{
      locked: boolean;
    }>`select pg_try_advisory_xact_lock(${lockKey(`trustgate:${name}`)}) as locked`.execute(trx);
    return lock.rows[0]?.locked === true;
  },
  isUniqueViolation: (error) => driverErrorCode(error) === UNIQUE_VIOLATION,
};
