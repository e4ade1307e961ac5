import type { Kysely } from 'kysely';
import type { Database } from './schema.ts';
import type { StoreDialect } from './dialects/dialect.ts';

/** Options for {@link claimJobRun}. */
export interface ClaimJobRunOptions {
  db: Kysely<Database>;
  dialect: StoreDialect;
  /** The job's name (one row in `job_runs`). */
  name: string;
  /** The job runs at most once per this many milliseconds across all instances. */
  intervalMs: number;
  /** Who claims (an instance ID), recorded for operators. */
  holder: string;
  /** The current time. Default now. */
  now?: Date;
}

/**
 * Claims this period's run of a background job, so the job runs once across every service instance sharing
 * the database: the dialect excludes other instances' claims for the transaction (PostgreSQL: an advisory lock,
 * a second instance skips instead of waiting; SQLite: the write transaction itself). Returns true when this caller won and should run the job.
 */
export async function claimJobRun(options: ClaimJobRunOptions): Promise<boolean> {
  const now = options.now ?? new Date();
  const dueBefore = new Date(now.getTime() - options.intervalMs).toISOString();
  return options.db.transaction().execute(async (trx) => {
    if (!(await options.dialect.lockJob(trx, options.name))) return false;
    const last = await trx
      .selectFrom('job_runs')
      .select('last_run_at')
      .where('name', '=', options.name)
      .executeTakeFirst();
    if (last !== undefined && last.last_run_at > dueBefore) return false;
    if (last === undefined) {
      await trx
        .insertInto('job_runs')
        .values({ name: options.name, last_run_at: now.toISOString(), holder: options.holder })
        .execute();
    } else {
      await trx
        .updateTable('job_runs')
        .set({ last_run_at: now.toISOString(), holder: options.holder })
        .where('name', '=', options.name)
        .execute();
    }
    return true;
  });
}
