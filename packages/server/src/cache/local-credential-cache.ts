import { LRUCache } from 'lru-cache';
import {
  cacheOver,
  remainingMs,
  type CacheBackend,
  type CachedSession,
  type CredentialCache,
} from './credential-cache.ts';

/** Options of {@link localCredentialCache}. */
export interface LocalCredentialCacheOptions {
  /** At most this many sessions are kept; the least recently used goes first. Default 10,000. */
  maxEntries?: number;
  /** The clock (ms since the epoch) expiry and revocation are judged by. Default `Date.now`. */
  now?: () => number;
}

/** The in-memory backend of {@link localCredentialCache}, and `remember`: keeps a session loaded elsewhere. */
export function localCacheBackend(o: LocalCredentialCacheOptions = {}): CacheBackend & {
  remember(key: string, session: CachedSession): void;
} {
  const now = o.now ?? Date.now;
  const entries = new LRUCache<string, CachedSession>({ max: o.maxEntries ?? 10_000 });
  const cutoffs = new Map<string, number>();
  const cutoffOf = (scope: string): number => cutoffs.get(scope) ?? 0;
  const remember = (key: string, session: CachedSession) => {
    if (remainingMs(session, now()) > 0) entries.set(key, session);
  };
  return {
    async read(key, scope) {
      const entry = entries.get(key);
      if (entry !== undefined && remainingMs(entry, now()) <= 0) {
        entries.delete(key);
        return { entry: undefined, cutoffMs: cutoffOf(scope) };
      }
      return { entry, cutoffMs: cutoffOf(scope) };
    },
    cutoff: async (scope) => cutoffOf(scope),
    async refresh(key, _scope, _old, load) {
      const session = await load();
      remember(key, session);
      return session;
    },
    async revokeBefore(scope, cutoffMs) {
      cutoffs.set(scope, Math.max(cutoffOf(scope), cutoffMs));
    },
    async close() {
      entries.clear();
    },
    remember,
  };
}

/**
 * A {@link CredentialCache} in this process's memory (lru-cache): for one instance, or tests. Sessions are kept
 * until they expire (by `now`) or are pushed out by newer ones; a key is loaded by one caller at a time, the
 * others awaiting that load; revocation cut-offs are kept per scope for the life of the process. Nothing is
 * shared with other instances: with several, use {@link redisCredentialCache}.
 */
export function localCredentialCache(o: LocalCredentialCacheOptions = {}): CredentialCache {
  return cacheOver(localCacheBackend(o), o.now ?? Date.now);
}
