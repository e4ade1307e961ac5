import { isDeepStrictEqual } from 'node:util';
import { createTrustgateService, type TrustgateService } from '../../../src/create-service.ts';
import { openDatabase, type DialectName, type OpenDatabase } from '../../../src/store/open-database.ts';
import type { Kysely } from 'kysely';
import { STORE_TABLE_NAMES, STORE_TABLES, type StoredRow, type StoredValue } from '../../../src/store/export-rows.ts';
import { NO_AWS, OPERATOR_TOKEN, TEST_SERVICE_DEFAULTS } from '../../service-harness.ts';
import { openSharedTestDatabase, type SharedTestDatabase } from '../../test-stores.ts';
import { sendRaw } from './raw-http.ts';

/**
 * The service under attack: a real one on a real port, over a database the suite also opens itself (a SQLite file
 * or a PostgreSQL schema) so that it can dump every table before and after each refused request. An OIDC issuer
 * is configured so that every route exists. One organization is seeded with an admin, a space, a connection and a
 * stack, whose IDs the suite puts into path parameters, and the issuer's first signing key is made.
 */
export interface AttackedService {
  url: string;
  service: TrustgateService;
  adminToken: string;
  /** Real IDs of seeded objects by path parameter, for the operation at `route`. */
  realParam(route: string, name: string): string | undefined;
  /** Every row of every table (of the export's list of tables, so a new table is compared with no change here). */
  dump(): Promise<Record<string, StoredRow[]>>;
  close(): Promise<void>;
}

/**
 * Columns that change on a refused request by design and are left out of the comparison: a token's `last_used_at`
 * is written (at most once a minute) when the token authenticates, which happens before the request is validated.
 */
const IGNORED_COLUMNS: Readonly<Record<string, readonly string[]>> = { api_tokens: ['last_used_at'] };

/** Tables written by the service's timers, not by requests: `job_runs` holds the background jobs' leases. */
const IGNORED_TABLES: ReadonlySet<string> = new Set(['job_runs']);

/**
 * Audit actions a refusal writes by design: a refused issuance is audited (`credentials.refuse`, see
 * app/broker/issue-credentials.ts), so that who asked for what is on record. Only new rows of these are let through.
 */
const AUDITED_REFUSALS: ReadonlySet<StoredValue> = new Set(['credentials.refuse']);

/** The first difference between two dumps (`table`, and the rows), or undefined when they are the same. */
export function dumpDifference(
  before: Record<string, StoredRow[]>,
  after: Record<string, StoredRow[]>,
): string | undefined {
  const strip = (table: string, rows: StoredRow[]) =>
    rows.map((row) =>
      Object.fromEntries(Object.entries(row).filter(([column]) => !(IGNORED_COLUMNS[table] ?? []).includes(column))),
    );
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (IGNORED_TABLES.has(table)) continue;
    const a = strip(table, before[table] ?? []);
    const b = strip(table, after[table] ?? []).filter(
      (row) =>
        !(table === 'audit_events' && AUDITED_REFUSALS.has(row.action ?? null) && !a.some((old) => old.id === row.id)),
    );
    if (!isDeepStrictEqual(a, b))
      return `${table}: ${a.length} rows before, ${b.length} after; first new or changed: ${JSON.stringify(
        b.find((row) => !a.some((old) => isDeepStrictEqual(old, row))),
      )}`;
  }
  return undefined;
}

async function call(url: string, method: string, target: string, token: string, body: unknown) {
  const answer = await sendRaw(url, {
    method,
    target,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (answer.status >= 300) throw new Error(`seeding ${method} ${target}: ${answer.status} ${answer.text}`);
  return JSON.parse(answer.text) as unknown;
}

/** Starts the service on `dialect` and seeds one organization. */
export async function startAttackedService(dialect: DialectName): Promise<AttackedService> {
  const database: SharedTestDatabase = openSharedTestDatabase(dialect, 'tg-bad-input-');
  let service: TrustgateService | undefined;
  let reader: OpenDatabase | undefined;
  try {
    service = await createTrustgateService({
      ...database.config,
      partitions: NO_AWS,
      ...TEST_SERVICE_DEFAULTS,
      identity: { issuerUrl: 'https://oidc.trustgate.example', keyEncryptionKey: new Uint8Array(32).fill(7) },
    });
    const url = await service.listen({ port: 0 });
    service.deps.publicUrl = url;
    reader = await openDatabase({
      url: database.sqliteFile ?? database.config.databaseUrl,
      ...(database.schema === undefined ? {} : { schema: database.schema }),
      poolSize: 4,
      migrate: false,
    });
    const created = await sendRaw(url, {
      method: 'POST',
      target: '/v1/organizations',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Attacked', adminEmail: 'admin@attacked.test', adminName: 'Attacked admin' }),
    });
    const org = JSON.parse(created.text) as {
      admin: { id: string };
      token: { secret: string; token: { id: string } };
    };
    const adminToken = org.token.secret;
    const space = await call(url, 'POST', '/v1/spaces', adminToken, { name: 'attacked-space' });
    const connection = await call(url, 'POST', '/v1/connections', adminToken, {
      name: 'attacked-connection',
      scope: { kind: 'account', accountId: '222222222222' },
    });
    const stack = await call(url, 'POST', '/v1/stacks', adminToken, { slug: 'attacked', name: 'Attacked stack' });
    // The issuer makes its first signing key on first use (any route that reads the ring, a refused one too): the
    // JWKS is read once here so that the key ring is part of the store the refusals must leave unchanged.
    await call(url, 'GET', '/.well-known/jwks.json', adminToken, undefined);
    const ids: Record<string, string> = {
      userId: org.admin.id,
      tokenId: org.token.token.id,
      spaceId: (space as { id: string }).id,
    };
    const connectionId = (connection as { connection: { id: string } }).connection.id;
    const stackId = (stack as { id: string }).id;
    const opened = reader;
    const running = service;
    return {
      url,
      service: running,
      adminToken,
      realParam(route, name) {
        if (name === 'id') return route.startsWith('/v1/stacks') ? stackId : connectionId;
        return ids[name];
      },
      async dump() {
        // Every column of every table of the export's list, the tables read side by side (the pool's connections).
        const db = opened.db as unknown as Kysely<Record<string, StoredRow>>;
        const rows = await Promise.all(
          STORE_TABLE_NAMES.map((table) =>
            STORE_TABLES[table].orderBy
              .reduce((query, column) => query.orderBy(column), db.selectFrom(table).selectAll())
              .execute(),
          ),
        );
        return Object.fromEntries(STORE_TABLE_NAMES.map((table, i) => [table, rows[i] ?? []]));
      },
      async close() {
        await opened.close();
        await running.close();
        await database.remove();
      },
    };
  } catch (error) {
    await reader?.close();
    await service?.close();
    await database.remove();
    throw error;
  }
}
