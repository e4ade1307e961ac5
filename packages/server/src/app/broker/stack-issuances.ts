import { requireScope, type Principal } from '../../auth/principal.ts';
import type { LoggedAuditEvent } from '../../store/audit-repository.ts';
import type { ConnectionDeps } from '../deps.ts';
import { loadStack } from './stacks.ts';

/** The most audit events one read of a stack's issuances scans (the audit repository's own limit). */
export const ISSUANCE_SCAN_LIMIT = 1000;
/** The most issuances listed (newest first); the series counts every one scanned. */
export const ISSUANCE_LIST_LIMIT = 50;

/** One credential issuance of a stack, as its `credentials.issue` audit event records it (no secret). */
export interface StackIssuance {
  id: string;
  at: string;
  runId: string;
  phase: string;
  connectionId: string | null;
  accountId: string;
  region: string;
  sessionName: string;
  sessionMode: string;
  durationSeconds: number;
  /** sts: a new AssumeRole; cache / stale-cache: a session served from the cache; null: assume on worker. */
  source: 'sts' | 'cache' | 'stale-cache' | null;
  assumeOnWorker: boolean;
  /** api: an API token asked; run-token: a run refreshed with its run token. */
  via: string;
  expiration: string | null;
  actorUserId: string | null;
}

/** Issuances and cache hits per bucket of time, oldest first. */
export interface IssuanceBucket {
  start: string;
  issued: number;
  cacheHits: number;
}

/** A stack's recent issuances and their series over time. */
export interface StackIssuances {
  stackId: string;
  issuances: StackIssuance[];
  series: { bucketSeconds: number; since: string; buckets: IssuanceBucket[] };
  /** Whether more issuances happened in the window than were scanned (the series then counts the newest only). */
  truncated: boolean;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

function toIssuance(e: LoggedAuditEvent): StackIssuance {
  const d = e.details;
  const source = d.source === 'sts' || d.source === 'cache' || d.source === 'stale-cache' ? d.source : null;
  return {
    id: e.id,
    at: e.at,
    runId: text(d.runId),
    phase: text(d.phase),
    connectionId: e.connectionId,
    accountId: text(d.accountId),
    region: text(d.region),
    sessionName: text(d.sessionName),
    sessionMode: text(d.sessionMode),
    durationSeconds: typeof d.durationSeconds === 'number' ? d.durationSeconds : 0,
    source,
    assumeOnWorker: d.assumeOnWorker === true,
    via: text(d.via),
    expiration: typeof d.expiration === 'string' ? d.expiration : null,
    actorUserId: e.actorUserId,
  };
}

/**
 * Buckets of `bucketSeconds` from `since` up to and including the bucket of `now`, each counting the issuances in it
 * and the cache hits among them (a session served from the cache, fresh or stale).
 */
export function issuanceSeries(
  issuances: readonly Pick<StackIssuance, 'at' | 'source'>[],
  since: Date,
  now: Date,
  bucketSeconds: number,
): IssuanceBucket[] {
  const width = bucketSeconds * 1000;
  const count = Math.max(1, Math.floor((now.getTime() - since.getTime()) / width) + 1);
  const buckets = Array.from({ length: count }, (_, i) => ({
    start: new Date(since.getTime() + i * width).toISOString(),
    issued: 0,
    cacheHits: 0,
  }));
  for (const issuance of issuances) {
    const i = Math.floor((Date.parse(issuance.at) - since.getTime()) / width);
    const bucket = buckets[i];
    if (bucket === undefined) continue;
    bucket.issued++;
    if (issuance.source === 'cache' || issuance.source === 'stale-cache') bucket.cacheHits++;
  }
  return buckets;
}

/**
 * A stack's credential issuances of the last `hours` hours (scopes `connections:read` and `audit:read`), read from
 * the audit log's `credentials.issue` events: admins see every one, members those on connections they can see (as the
 * audit log shows them). The newest {@link ISSUANCE_LIST_LIMIT} are listed; the series counts issuances and cache
 * hits per hour (per 10 minutes for a window of 6 hours or less) over every event scanned.
 */
export async function stackIssuances(
  deps: ConnectionDeps,
  principal: Principal,
  stackId: string,
  options: { hours?: number; now?: Date } = {},
): Promise<StackIssuances> {
  const stack = await loadStack(deps, principal, stackId);
  requireScope(principal, 'audit:read');
  const hours = options.hours ?? 24;
  const bucketSeconds = hours <= 6 ? 600 : 3600;
  const now = options.now ?? new Date();
  const since = new Date(
    Math.floor((now.getTime() - hours * 3_600_000) / (bucketSeconds * 1000) + 1) * bucketSeconds * 1000,
  );
  const ids =
    principal.user.role === 'admin' ? undefined : await deps.store.connections.connectionIdsOf(principal.user.id);
  const events = await deps.store.audit.list({
    organizationId: principal.organizationId,
    ...(ids === undefined ? {} : { connectionIds: ids }),
    action: 'credentials.issue',
    since: since.toISOString(),
    limit: ISSUANCE_SCAN_LIMIT,
  });
  const issuances = events.filter((e) => e.details.stackId === stack.id).map(toIssuance);
  return {
    stackId: stack.id,
    issuances: issuances.slice(0, ISSUANCE_LIST_LIMIT),
    series: {
      bucketSeconds,
      since: since.toISOString(),
      buckets: issuanceSeries(issuances, since, now, bucketSeconds),
    },
    truncated: events.length === ISSUANCE_SCAN_LIMIT,
  };
}
