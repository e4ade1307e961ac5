import { LRUCache } from 'lru-cache';
import { hashApiTokenSecret } from './api-token-secret.ts';
import { authenticate, type AuthenticatePort, type Principal } from './principal.ts';

/** How long an authenticated principal may be reused, and what invalidates it. */
export interface PrincipalCacheOptions {
  /**
   * How long (ms) a principal read from the store is reused; 0 reads the store on every request. Changes made
   * through this instance (a token revoked, a user removed) take effect at once through `writeEpoch`; changes
   * made through another instance sharing the database take effect at once through `sharedGeneration` when
   * given, else within `ttlMs`.
   */
  ttlMs: number;
  /** The store's write epoch (Store.writeEpoch): a principal read at an older epoch is read again. */
  writeEpoch: () => number;
  /**
   * The count every instance sharing the database moves after such a change (cache/auth-generation.ts): a
   * principal read at another count is read again. When it cannot be read, the store is (nothing is reused).
   */
  sharedGeneration?: () => Promise<string>;
  /** Principals kept (default 10,000). */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  principal: Principal;
  epoch: number;
  /** The shared generation it was read at; undefined when there is none or it could not be read. */
  generation: string | undefined;
  readAt: number;
}

/**
 * {@link authenticate} with the principal of a valid token reused for a short time: resolving a token costs two
 * queries (token by hash, then its user), which an authenticated request paid on every call. Entries are keyed by
 * the SHA-256 of the Authorization header (never the secret itself), dropped when the store's write epoch moved or
 * `ttlMs` passed or (several instances) the shared generation moved, and a cached token is still refused once it
 * expires. Refusals are never cached.
 */
export function cachingAuthenticator(
  port: AuthenticatePort,
  options: PrincipalCacheOptions,
): (header: string | undefined, now?: Date) => Promise<Principal> {
  if (options.ttlMs <= 0) return (header, now) => authenticate(port, header, now);
  const clock = options.now ?? Date.now;
  const entries = new LRUCache<string, Entry>({ max: options.maxEntries ?? 10_000 });
  const sharedGeneration = async (): Promise<string | undefined> => {
    if (options.sharedGeneration === undefined) return undefined;
    try {
      return await options.sharedGeneration();
    } catch {
      return undefined; // Redis unreachable: read the store (the entry then never matches)
    }
  };
  return async (header, now = new Date(clock())) => {
    if (header === undefined) return authenticate(port, header, now);
    const key = hashApiTokenSecret(header);
    const entry = entries.get(key);
    const at = now.getTime();
    // Read before the store is: a change committed after this read moves the count again, so it is never missed.
    const generation = await sharedGeneration();
    if (
      entry !== undefined &&
      entry.epoch === options.writeEpoch() &&
      (options.sharedGeneration === undefined || (generation !== undefined && entry.generation === generation)) &&
      at - entry.readAt < options.ttlMs &&
      (entry.principal.token.expiresAt === null || Date.parse(entry.principal.token.expiresAt) > at)
    )
      return entry.principal;
    entries.delete(key);
    const epoch = options.writeEpoch();
    const principal = await authenticate(port, header, now);
    entries.set(key, { principal, epoch, generation, readAt: at });
    return principal;
  };
}
