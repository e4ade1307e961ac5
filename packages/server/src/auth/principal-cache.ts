import { LRUCache } from 'lru-cache';
import { hashApiTokenSecret } from './api-token-secret.ts';
import { authenticate, type AuthenticatePort, type Principal } from './principal.ts';

/** How long an authenticated principal may be reused, and what invalidates it. */
export interface PrincipalCacheOptions {
  /**
   * How long (ms) a principal read from the store is reused; 0 reads the store on every request. Changes made
   * through this instance (a token revoked, a user removed) take effect at once through `writeEpoch`; changes
   * made through another instance sharing the database take effect within `ttlMs`.
   */
  ttlMs: number;
  /** The store's write epoch (Store.writeEpoch): a principal read at an older epoch is read again. */
  writeEpoch: () => number;
  /** Principals kept (default 10,000). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  principal: Principal;
  epoch: number;
  readAt: number;
}

/**
 * {@link authenticate} with the principal of a valid token reused for a short time: resolving a token costs two
 * queries (token by hash, then its user), which an authenticated request paid on every call. Entries are keyed by
 * the SHA-256 of the Authorization header (never the secret itself), dropped when the store's write epoch moved or
 * `ttlMs` passed, and a cached token is still refused once it expires. Refusals are never cached.
 */
export function cachingAuthenticator(
  port: AuthenticatePort,
  options: PrincipalCacheOptions,
): (header: string | undefined, now?: Date) => Promise<Principal> {
  if (options.ttlMs <= 0) return (header, now) => authenticate(port, header, now);
  const clock = options.now ?? Date.now;
  const entries = new LRUCache<string, Entry>({ max: options.maxEntries ?? 10_000 });
  return async (header, now = new Date(clock())) => {
    if (header === undefined) return authenticate(port, header, now);
    const key = hashApiTokenSecret(header);
    const entry = entries.get(key);
    const at = now.getTime();
    if (
      entry !== undefined &&
      entry.epoch === options.writeEpoch() &&
      at - entry.readAt < options.ttlMs &&
      (entry.principal.token.expiresAt === null || Date.parse(entry.principal.token.expiresAt) > at)
    )
      return entry.principal;
    entries.delete(key);
    const epoch = options.writeEpoch();
    const principal = await authenticate(port, header, now);
    entries.set(key, { principal, epoch, readAt: at });
    return principal;
  };
}
