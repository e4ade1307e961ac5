import type { Command } from 'commander';
import { TrustgateError, isTrustgateError } from '@trustgate/core';
import { unwrap, type TrustgateClient } from '@trustgate/client';
import { cellText, type Column } from '../output.ts';
import { remoteCommand, type RemoteContext } from '../remote-command.ts';

/** An audit event as the API shows it. */
interface AuditEvent {
  /** Position in the log's commit order: `--follow` reads the events after the last one it saw. */
  seq: number;
  id: string;
  at: string;
  actorUserId: string | null;
  tokenId: string | null;
  action: string;
  connectionId: string | null;
  details: Record<string, unknown>;
}

const COLUMNS: readonly Column<AuditEvent>[] = [
  { header: 'at', value: (e) => e.at },
  { header: 'action', value: (e) => e.action },
  { header: 'connection', value: (e) => e.connectionId },
  { header: 'actor', value: (e) => e.actorUserId },
  { header: 'token', value: (e) => e.tokenId },
  { header: 'details', value: (e) => (Object.keys(e.details).length === 0 ? '' : e.details) },
];

/** The most events one request answers (the API's limit): the past `--follow` starts from, and each page it reads. */
export const FOLLOW_WINDOW = 1000;
/** How many reads in a row `--follow` retries when the service cannot be reached, before it gives up. */
const FOLLOW_RETRIES = 5;

/** Options of `audit list`. */
interface AuditOptions {
  connection?: string;
  limit?: string;
  follow?: boolean;
  interval?: string;
  count?: string;
  until?: string;
}

/** A whole number option within bounds, or INVALID_INPUT naming it. */
function wholeNumber(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new TrustgateError('INVALID_INPUT', `--${option}: a whole number from ${min} to ${max}.`, { field: option });
  return n;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `--until`: a duration from now (`500ms`, `30s`, `10m`, `2h`) or a time (ISO 8601); the epoch milliseconds. */
export function untilTime(value: string, now = Date.now()): number {
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (duration !== null) return now + Number(duration[1]) * UNITS[duration[2]!]!;
  const at = /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at))
    throw new TrustgateError('INVALID_INPUT', '--until: a duration (30s, 10m, 2h) or an ISO 8601 time.', {
      field: 'until',
    });
  return at;
}

/** Cells as a line of `--follow`'s table output: the columns of `audit list`, padded to a minimum width. */
function line(cells: string[]): string {
  return `${cells.map((cell, i) => (i < cells.length - 1 ? cell.padEnd(24) : cell)).join('  ')}`.trimEnd() + '\n';
}

/** One event as a line of `--follow`'s table output. */
const eventLine = (e: AuditEvent): string => line(COLUMNS.map((c) => cellText(c.value(e))));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the newest events (newest first, as the API answers), or with `after` those committed after it, oldest first. */
function readEvents(
  client: TrustgateClient,
  connectionId: string | undefined,
  limit: number,
  after?: number,
): Promise<AuditEvent[]> {
  return unwrap(
    client.GET('/v1/audit', {
      params: {
        query: {
          limit,
          ...(connectionId === undefined ? {} : { connectionId }),
          ...(after === undefined ? {} : { after }),
        },
      },
    }),
  );
}

/**
 * `--follow`: prints the newest `shown` events oldest first, then polls every `intervalMs` for the events committed
 * after the newest one it has read (the API's `after` cursor: the log's commit order), prints them oldest first, and
 * continues after the last one printed, until `count` new events were printed, the time `until` passed, or it is
 * interrupted. A full page is followed at once by the next, so no event is skipped or printed twice however many
 * arrive between two polls. An unreachable service is retried up to {@link FOLLOW_RETRIES} reads in a row (with a
 * warning each time); any other error ends it.
 */
async function follow(
  ctx: RemoteContext,
  options: { connectionId?: string; shown: number; intervalMs: number; count?: number; until?: number },
): Promise<void> {
  const print = (e: AuditEvent) =>
    process.stdout.write(ctx.output === 'json' ? `${JSON.stringify(e)}\n` : eventLine(e));
  const past = await readEvents(ctx.client, options.connectionId, FOLLOW_WINDOW);
  if (ctx.output === 'table') process.stdout.write(line(COLUMNS.map((c) => c.header.toUpperCase())));
  for (const e of past.slice(0, options.shown).reverse()) print(e);
  // Everything committed after the newest event read so far is new: later commits have larger seqs.
  let cursor = past.reduce((max, e) => Math.max(max, e.seq), 0);
  let printed = 0;
  let failures = 0;
  let full = false;
  for (;;) {
    const left = options.until === undefined ? options.intervalMs : options.until - Date.now();
    if ((options.count !== undefined && printed >= options.count) || left <= 0) return;
    if (!full) await sleep(Math.min(options.intervalMs, left));
    let next: AuditEvent[];
    try {
      next = await readEvents(ctx.client, options.connectionId, FOLLOW_WINDOW, cursor);
      failures = 0;
    } catch (error) {
      // An unreachable service (a restart, a network blip) is retried a few times, saying so; anything else ends it.
      if (!isTrustgateError(error) || error.details.unreachable !== true || ++failures > FOLLOW_RETRIES) throw error;
      process.stderr.write(`warning: ${error.message} Retrying (${failures} of ${FOLLOW_RETRIES}).\n`);
      full = false;
      continue;
    }
    full = next.length === FOLLOW_WINDOW;
    for (const e of next) {
      print(e);
      cursor = e.seq;
      printed += 1;
      if (options.count !== undefined && printed >= options.count) return;
    }
  }
}

/** `trustgate audit`: the audit trail, with filters; --follow to keep reading. */
export function registerAudit(program: Command): Command {
  const group = program.command('audit').description('The audit trail, with filters; --follow to keep reading');

  remoteCommand<AuditOptions>(
    group,
    'list',
    'Audit events, newest first (admins: the organization; members: the connections they see); --follow for new ones',
    (c) =>
      c
        .option('--connection <id>', "only this connection's events (viewer access needed)")
        .option(
          '--limit <n>',
          'how many events (1-1000, default 100; with --follow the past ones shown first, 0-1000, default 10)',
        )
        .option('-f, --follow', 'keep reading: print new events as they are recorded, oldest first, until interrupted')
        .option('--interval <seconds>', 'with --follow: how often to read (default 2)')
        .option('--count <n>', 'with --follow: stop after this many new events')
        .option('--until <when>', 'with --follow: stop at this time (ISO 8601) or after this long (30s, 10m, 2h)'),
    async (ctx, _args, options) => {
      if (options.follow !== true) {
        for (const option of ['interval', 'count', 'until'] as const)
          if (options[option] !== undefined)
            throw new TrustgateError('INVALID_INPUT', `--${option} goes with --follow.`, { field: option });
        const limit = options.limit === undefined ? undefined : wholeNumber(options.limit, 'limit', 1, 1000);
        ctx.printList(await readEvents(ctx.client, options.connection, limit ?? 100), COLUMNS);
        return;
      }
      const seconds = Number(options.interval ?? '2');
      if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 3600)
        throw new TrustgateError('INVALID_INPUT', '--interval: seconds between reads, 0.1 to 3600.', {
          field: 'interval',
        });
      await follow(ctx, {
        ...(options.connection === undefined ? {} : { connectionId: options.connection }),
        shown: options.limit === undefined ? 10 : wholeNumber(options.limit, 'limit', 0, FOLLOW_WINDOW),
        intervalMs: seconds * 1000,
        ...(options.count === undefined ? {} : { count: wholeNumber(options.count, 'count', 1, 1_000_000) }),
        ...(options.until === undefined ? {} : { until: untilTime(options.until) }),
      });
    },
  );
  return group;
}
