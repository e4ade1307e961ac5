import { TrustgateError } from '@trustgate/core';
import type { IssuedSession } from '../model/broker-records.ts';

/** An assumed-role session as the broker caches it. */
export type CachedSession = IssuedSession;

/** How long before its expiry a cached session is replaced, and how little of it may be left when served stale. */
export interface LoadPolicy {
  /** A cached session with more than this left is served as is; with less, a new one is loaded. */
  refreshAheadMs: number;
  /** When the load fails, the old session is served ('stale-cache') only while more than this is left. */
  minRemainingMs: number;
}

/** Where the served session came from. */
export type CacheSource = 'cache' | 'sts' | 'stale-cache';

/** Assumed-role sessions by key, loaded once per key at a time, revocable per scope (a connection). */
export interface CredentialCache {
  /**
   * A cached session with more than refreshAheadMs left -> source 'cache'. Else one load (single flight per key,
   * across instances with Redis): success -> 'sts'; failure while the old entry still has > minRemainingMs -> the
   * old entry, 'stale-cache'; else the load's error. Entries of `scope` issued before its revocation cut-off are
   * never served.
   *
   * Every caller that waited for a load (in this process or, with Redis, in another instance) gets its session
   * with source 'sts'. A load whose session turns out to be issued before the scope's cut-off (the cut-off was
   * set while STS was being called) is not served: the session is loaded once more, and if that one is revoked
   * too (a cut-off in the future) the answer is CREDENTIALS_UNAVAILABLE.
   */
  getOrLoad(
    key: string,
    scope: string,
    load: () => Promise<CachedSession>,
    policy: LoadPolicy,
  ): Promise<{ session: CachedSession; source: CacheSource }>;
  /**
   * Every instance stops serving sessions of `scope` issued before `cutoff`, at once. Cut-offs only move
   * forward: an earlier cut-off than the one in force changes nothing (a revocation is never undone).
   */
  revokeBefore(scope: string, cutoff: Date): Promise<void>;
  /** Where the cache is shared (Redis): resolves once it answers, for readiness; absent for a cache in memory. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Where a cache keeps its entries and cut-offs: in this process (lru-cache) or in Redis. {@link cacheOver} adds
 * the policy, the single flight within the process and the revocation checks on top.
 */
export interface CacheBackend {
  /** The entry of `key` (undefined when none, expired or unreadable) and the cut-off of `scope` (ms, 0 when none). */
  read(key: string, scope: string): Promise<{ entry: CachedSession | undefined; cutoffMs: number }>;
  /** The cut-off of `scope` in ms since the epoch, 0 when none. */
  cutoff(scope: string): Promise<number>;
  /**
   * A new session for `key`: loads it (with Redis: unless another instance is loading it, whose result is awaited
   * instead), stores it until its expiry and returns it. `old` is the entry being replaced, if any; a session of
   * another instance counts only if it is not `old`, not expired and not revoked by `scope`'s cut-off.
   */
  refresh(
    key: string,
    scope: string,
    old: CachedSession | undefined,
    load: () => Promise<CachedSession>,
  ): Promise<CachedSession>;
  revokeBefore(scope: string, cutoffMs: number): Promise<void>;
  close(): Promise<void>;
}

/** Milliseconds `session` has left at `nowMs` (negative once expired). */
export function remainingMs(session: CachedSession, nowMs: number): number {
  return Date.parse(session.expiration) - nowMs;
}

/** Whether `session` was issued before the cut-off (0: no cut-off). */
export function isRevoked(session: CachedSession, cutoffMs: number): boolean {
  return cutoffMs > 0 && Date.parse(session.issuedAt) < cutoffMs;
}

/** `cutoff` as ms since the epoch, checked to be a valid date. */
export function cutoffMsOf(cutoff: Date): number {
  const ms = cutoff.getTime();
  if (!Number.isFinite(ms)) throw new TypeError('revokeBefore: the cut-off is not a valid date.');
  return ms;
}

/** A {@link CredentialCache} over `backend`, on the clock `now`. */
export function cacheOver(backend: CacheBackend, now: () => number): CredentialCache {
  const flights = new Map<string, Promise<CachedSession>>();

  /** Loads through the backend until the session is not revoked (twice at most). */
  async function fly(key: string, scope: string, old: CachedSession | undefined, load: () => Promise<CachedSession>) {
    let replaced = old;
    for (let attempt = 1; ; attempt++) {
      const session = await backend.refresh(key, scope, replaced, load);
      const cutoffMs = await backend.cutoff(scope);
      if (!isRevoked(session, cutoffMs)) return session;
      if (attempt === 2)
        throw new TrustgateError(
          'CREDENTIALS_UNAVAILABLE',
          `The new session was issued at ${session.issuedAt}, before this connection's sessions revocation cut-off ` +
            `${new Date(cutoffMs).toISOString()}; it is not served. Ask again once the cut-off has passed.`,
          { details: { issuedAt: session.issuedAt, revokedBefore: new Date(cutoffMs).toISOString() } },
        );
      replaced = session;
    }
  }

  return {
    async getOrLoad(key, scope, load, policy) {
      const { entry, cutoffMs } = await backend.read(key, scope);
      const usable = entry !== undefined && !isRevoked(entry, cutoffMs) ? entry : undefined;
      if (usable !== undefined && remainingMs(usable, now()) > policy.refreshAheadMs)
        return { session: usable, source: 'cache' };
      let flight = flights.get(key);
      if (flight === undefined) {
        flight = fly(key, scope, usable, load).finally(() => flights.delete(key));
        flights.set(key, flight);
      }
      try {
        return { session: await flight, source: 'sts' };
      } catch (error) {
        if (usable === undefined || remainingMs(usable, now()) <= policy.minRemainingMs) throw error;
        // The cut-off may have moved while the load ran: the old entry is served only if it is still not revoked.
        const cutoffNow = await backend.cutoff(scope).catch(() => Number.POSITIVE_INFINITY);
        if (isRevoked(usable, cutoffNow)) throw error;
        return { session: usable, source: 'stale-cache' };
      }
    },
    revokeBefore: async (scope, cutoff) => backend.revokeBefore(scope, cutoffMsOf(cutoff)),
    close: () => backend.close(),
  };
}
