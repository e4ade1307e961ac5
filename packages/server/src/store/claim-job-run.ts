import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { DialectName } from './open-database.ts';

/** Options for {@link claimJobRun}. */
export interface ClaimJobRunOptions {
  db: Kysely<Database>;
  dialect: DialectName;
  /** The job's name (one row in `job_runs`). */
  name: string;
  /** The job runs at most once per this many milliseconds across all instances. */
  intervalMs: number;
  /** Who claims (an instance ID), recorded for operators. */
  holder: string;
  /** The current time. Default now. */
  now?: Date;
}

/** A stable 32-bit key for a PostgreSQL advisory lock, from the job name. */
function lockKey(name: string): number {
  let h = 0;
  for (const ch of name) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return h;
}

/**
 * Claims this period's run of a background job, so the job runs once across every service instance sharing
 * the database. On PostgreSQL the claim is made under a transaction-scoped advisory lock
 * (`pg_try_advisory_xact_lock`): a second instance does not wait, it skips. On SQLite (one instance per file)
 * the write transaction itself serializes claims. Returns true when this caller won and should run the job.
 */
export async function claimJobRun(options: ClaimJobRunOptions): Promise<boolean> {
  const now = options.now ?? new Date();
  const dueBefore = new Date(now.getTime() - options.intervalMs).toISOString();
  return options.db.transaction().execute(async (trx) => {
    if (options.dialect === 'postgres') {
      const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(${lockKey(`trustgate:${options.name}`)}) as locked`.execute(trx);
      if (lock.rows[0]?.locked !== true) return false;
    }
    const last = await trx.selectFrom('job_runs').select('last_run_at').where('name', '=', options.name).executeTakeFirst();
    if (last !== undefined && last.last_run_at > dueBefore) return false;
    if (last === undefined) {
      await trx.insertInto('job_runs').values({ name: options.name, last_run_at: now.toISOString(), holder: options.holder }).execute();
    } else {
      await trx.updateTable('job_runs').set({ last_run_at: now.toISOString(), holder: options.holder }).where('name', '=', options.name).execute();
    }
    return true;
  });
}
