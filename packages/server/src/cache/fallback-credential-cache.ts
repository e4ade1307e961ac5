import { isTrustgateError } from '@trustgate/core';
import { cacheOver, type CachedSession, type CredentialCache } from './credential-cache.ts';
import { localCacheBackend } from './local-credential-cache.ts';

/** Options of {@link fallbackCredentialCache}. */
export interface FallbackCredentialCacheOptions {
  /** Called with the shared cache's error each time a call falls back to the instance (for a warning in the log). */
  onFallback?: (error: unknown) => void;
  /** At most this many sessions are kept in the instance. Default 10,000. */
  maxEntries?: number;
  /** The clock (ms since the epoch). Default `Date.now`. */
  now?: () => number;
}

/**
 * The shared cache (Redis) with the instance's memory behind it, for when Redis cannot be reached (issue 16,
 * "Faults"): every session the shared cache serves is also kept in the instance, so while Redis is away a key this
 * instance served is served from its memory — no request for a cached key fails — and a key it never served is
 * loaded (assumed) by the instance and then kept there, as with one instance and no Redis.
 *
 * - A failure of the load itself (STS) or trustgate's own answer (a revoked session) is the caller's, as it was: the
 *   instance does not load again. A session loaded before Redis failed (its write did) is served and kept.
 * - Revocation cut-offs are kept in the instance too; a cut-off Redis cannot take is logged, not thrown: the
 *   connection's cut-off in the store (`sessionsRevokedBefore`, checked against every session served) stays the
 *   authority, so another instance honours a revocation made while Redis was away once it reads the connection again.
 * - Readiness (`ping`) is the shared cache's: Redis away is reported, while issuances go on.
 */
export function fallbackCredentialCache(
  shared: CredentialCache,
  o: FallbackCredentialCacheOptions = {},
): CredentialCache {
  const now = o.now ?? Date.now;
  const backend = localCacheBackend({ now, ...(o.maxEntries === undefined ? {} : { maxEntries: o.maxEntries }) });
  const local = cacheOver(backend, now);
  const fallBack = (error: unknown) => o.onFallback?.(error);
  return {
    async getOrLoad(key, scope, load, policy) {
      let loaded: CachedSession | undefined;
      let loadFailed = false;
      const tracked = async () => {
        try {
          loaded = await load();
          return loaded;
        } catch (error) {
          loadFailed = true;
          throw error;
        }
      };
      try {
        const served = await shared.getOrLoad(key, scope, tracked, policy);
        backend.remember(key, served.session);
        return served;
      } catch (error) {
        if (loadFailed || isTrustgateError(error)) throw error;
        fallBack(error);
        if (loaded !== undefined) {
          backend.remember(key, loaded);
          return { session: loaded, source: 'sts' };
        }
        return local.getOrLoad(key, scope, load, policy);
      }
    },
    async revokeBefore(scope, cutoff) {
      await local.revokeBefore(scope, cutoff);
      await shared.revokeBefore(scope, cutoff).catch(fallBack);
    },
    ...(shared.ping === undefined ? {} : { ping: () => shared.ping?.() ?? Promise.resolve() }),
    async close() {
      await Promise.all([shared.close(), local.close()]);
    },
  };
}
