import { Migrator, type Kysely, type MigrationProvider } from 'kysely';
import type { Database } from './schema.ts';
import { MIGRATIONS } from './migrations.ts';

/** Lists {@link MIGRATIONS} to Kysely's migrator, which compares them with its bookkeeping table. */
const inCode: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * The names of trustgate's migrations this database has not applied, in order (empty when it is up to date). A
 * database that was never migrated lists them all. Rejects with the driver's error when the database cannot be
 * reached: the readiness check's "store reachable" and "migrations applied" in one round trip.
 */
export async function pendingMigrations(
  db: Kysely<Database>,
  bookkeeping: { migrationTableSchema?: string } = {},
): Promise<string[]> {
  const migrator = new Migrator({ db: db as unknown as Kysely<unknown>, provider: inCode, ...bookkeeping });
  const known = await migrator.getMigrations();
  return known.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** How many connections (of every organization) are in each status: the `trustgate_connections` gauge. */
export async function countConnectionsByStatus(db: Kysely<Database>): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('connections')
    .select((eb) => ['status', eb.fn.countAll<number | string | bigint>().as('n')])
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/**
 * Callback answers CloudFormation still waits for: `deciding` (claimed, not answered yet) and `undelivered`
 * (answered, but no PUT to the ResponseURL succeeded yet, and the re-sender still holds the URL).
 */
export async function countPendingCallbackAnswers(
  db: Kysely<Database>,
): Promise<{ deciding: number; undelivered: number }> {
  const rows = await db
    .selectFrom('callback_requests')
    .select((eb) => ['state', eb.fn.countAll<number | string | bigint>().as('n')])
    .where('delivered_at', 'is', null)
    .where((eb) => eb.or([eb('state', '=', 'deciding'), eb('response_url', 'is not', null)]))
    .groupBy('state')
    .execute();
  const n = (state: string) => Number(rows.find((r) => r.state === state)?.n ?? 0);
  return { deciding: n('deciding'), undelivered: n('answered') };
}
