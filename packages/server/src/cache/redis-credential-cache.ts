import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { cacheOver, isRevoked, remainingMs, type CachedSession, type CredentialCache } from './credential-cache.ts';
import { keyringOf } from '../model/keyring.ts';
import { openSession, sealSession } from './session-envelope.ts';

/** Options of {@link redisCredentialCache}. */
export interface RedisCredentialCacheOptions {
  /** `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS). */
  url: string;
  /** 32 bytes: sessions are stored AES-256-GCM encrypted under it; instances that share entries share the key. */
  encryptionKey: Uint8Array;
  /**
   * Keys sessions were encrypted under before a rotation: still read (each entry names its key), never written;
   * their entries are served until they expire, and rewritten under `encryptionKey` when loaded again.
   */
  previousEncryptionKeys?: readonly Uint8Array[];
  /** Prefix of every key this cache writes. Default `trustgate:credentials:`. */
  keyPrefix?: string;
  /**
   * How long a loader's lock lasts unless renewed. The loader renews it every third of it while its load runs;
   * when the loader dies, the others wait at most this long before one of them loads. Default 5,000 ms.
   */
  lockLeaseMs?: number;
  /** How often an instance waiting for another's load looks for its result. Default 25 ms. */
  pollMs?: number;
  /** The clock (ms since the epoch) expiry and revocation are judged by. Default `Date.now`. */
  now?: () => number;
}

/**
 * The longest an assumed-role session lives (a role's MaxSessionDuration is at most 43,200 s, IAM User Guide,
 * "Role maximum session duration"): a cut-off older than this can revoke nothing still alive, so it expires.
 */
const LONGEST_SESSION_MS = 43_200_000;

/** Deletes the lock only if it is still ours (the lease may have lapsed and another instance taken it). */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";
/** Extends the lock only if it is still ours. */
const RENEW =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0";
/** Raises the scope's cut-off (never lowers it) and keeps it until no session issued before it can be alive. */
const RAISE_CUTOFF = `local current = tonumber(redis.call('get', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) end
return 1`;

/** Whether two sessions are the same one. */
function same(a: CachedSession, b: CachedSession): boolean {
  return a.accessKeyId === b.accessKeyId && a.issuedAt === b.issuedAt;
}

/**
 * A {@link CredentialCache} in Redis, shared by every instance of the service that uses the same URL, prefix and
 * key (node-redis). Each session is stored AES-256-GCM encrypted ({@link sealSession}), bound to its Redis key,
 * and expires in Redis when the session does. An entry that cannot be read (another key, altered, moved) is a
 * miss, never an error: a new session is loaded and written over it.
 *
 * A miss is loaded by one instance at a time: the loader takes `SET <lock> <token> NX PX lockLeaseMs` and renews
 * it while it loads; the others (one per instance: callers within an instance share its flight) poll every
 * `pollMs` until a new, unrevoked session appears or the lock is gone, in which case one of them takes the lock
 * and loads (the loader failed or died). A loader that fails releases the lock, and the failure is its callers'
 * alone: a waiting instance then loads for its own callers.
 *
 * Revocation cut-offs are stored per scope and read with the entry in one round trip (`MGET`), so once
 * revokeBefore resolves no instance serves a revoked session. With Redis Cluster the entry and the cut-off keys
 * would need one hash slot; this cache addresses a single Redis (or a primary with replicas).
 *
 * When Redis cannot be reached, getOrLoad and revokeBefore reject with node-redis's error at once (no session is
 * served from, or loaded past, a cache whose cut-offs cannot be read); fallbackCredentialCache (fallback-credential-cache.ts) then serves
 * from the instance. A loader whose load never ends holds its key's
 * lock as long: bound the load (assumeRoleForRun's retry deadline does).
 */
export async function redisCredentialCache(o: RedisCredentialCacheOptions): Promise<CredentialCache> {
  const ring = keyringOf(o.encryptionKey, o.previousEncryptionKeys ?? [], 'credential cache encryption key');
  const prefix = o.keyPrefix ?? 'trustgate:credentials:';
  const lease = o.lockLeaseMs ?? 5_000;
  const pollMs = o.pollMs ?? 25;
  const now = o.now ?? Date.now;
  // No offline queue: while node-redis reconnects, a command fails at once instead of waiting for Redis to return
  // (an issuance would hang as long as Redis is away); the broker then falls back to the instance's cache.
  const client = createClient({ url: o.url, disableOfflineQueue: true });
  // node-redis reconnects by itself; an 'error' listener keeps a dropped connection from crashing the process.
  // The error of a command in flight still reaches its caller.
  client.on('error', () => undefined);
  await client.connect();

  const entryKey = (k: string) => `${prefix}session:${k}`;
  const cutoffKey = (scope: string) => `${prefix}revoked-before:${scope}`;
  const lockKey = (k: string) => `${prefix}lock:${k}`;
  const parseCutoff = (v: string | null): number => (v === null ? 0 : Number(v) || 0);

  async function read(k: string, scope: string): Promise<{ entry: CachedSession | undefined; cutoffMs: number }> {
    const [sealed, cutoff] = await client.mGet([entryKey(k), cutoffKey(scope)]);
    const entry = sealed == null ? undefined : openSession(sealed, ring, entryKey(k));
    const alive = entry !== undefined && remainingMs(entry, now()) > 0 ? entry : undefined;
    return { entry: alive, cutoffMs: parseCutoff(cutoff ?? null) };
  }

  /** A session another instance stored for `k` that replaces `old`: new, alive and not revoked. */
  async function replacement(k: string, scope: string, old: CachedSession | undefined) {
    const { entry, cutoffMs } = await read(k, scope);
    if (entry === undefined || isRevoked(entry, cutoffMs) || (old !== undefined && same(entry, old))) return undefined;
    return entry;
  }

  async function write(k: string, session: CachedSession): Promise<void> {
    const ttl = Math.floor(remainingMs(session, now()));
    if (ttl <= 0) return;
    await client.set(entryKey(k), sealSession(session, ring.current, entryKey(k)), {
      expiration: { type: 'PX', value: ttl },
    });
  }

  const renewals = new Set<NodeJS.Timeout>();

  /** Loads under the lock it holds (`token`), renewing the lock meanwhile; writes the session; releases the lock. */
  async function loadLocked(
    k: string,
    scope: string,
    old: CachedSession | undefined,
    token: string,
    load: () => Promise<CachedSession>,
  ) {
    const renewal = setInterval(
      () => {
        client.eval(RENEW, { keys: [lockKey(k)], arguments: [token, String(lease)] }).catch(() => undefined);
      },
      Math.max(1, Math.floor(lease / 3)),
    );
    renewals.add(renewal);
    try {
      // Another instance may have stored a session between our read and our lock.
      const stored = await replacement(k, scope, old);
      if (stored !== undefined) return stored;
      const session = await load();
      await write(k, session);
      return session;
    } finally {
      clearInterval(renewal);
      renewals.delete(renewal);
      await client.eval(RELEASE, { keys: [lockKey(k)], arguments: [token] }).catch(() => undefined);
    }
  }

  const cache = cacheOver(
    {
      read,
      cutoff: async (scope) => parseCutoff(await client.get(cutoffKey(scope))),
      async refresh(k, scope, old, load) {
        const token = randomUUID();
        for (;;) {
          const locked = await client.set(lockKey(k), token, {
            condition: 'NX',
            expiration: { type: 'PX', value: lease },
          });
          if (locked === 'OK') return loadLocked(k, scope, old, token, load);
          await new Promise((resolve) => setTimeout(resolve, pollMs));
          const stored = await replacement(k, scope, old);
          if (stored !== undefined) return stored;
        }
      },
      async revokeBefore(scope, cutoffMs) {
        const keepMs = Math.ceil(cutoffMs + LONGEST_SESSION_MS - now());
        if (keepMs <= 0) return;
        await client.eval(RAISE_CUTOFF, { keys: [cutoffKey(scope)], arguments: [String(cutoffMs), String(keepMs)] });
      },
      async close() {
        for (const renewal of renewals) clearInterval(renewal);
        renewals.clear();
        await client.close();
      },
    },
    now,
  );
  // Readiness (/readyz): a client that is reconnecting answers at once that Redis is unreachable, rather than queueing.
  const ping = async (): Promise<void> => {
    if (!client.isReady) throw new Error(`not connected to ${new URL(o.url).host}`);
    await client.ping();
  };
  return { ...cache, ping };
}
