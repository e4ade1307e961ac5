import { createClient } from 'redis';

/**
 * A count every instance sharing one Redis reads, moved by an instance before it answers a request that wrote
 * something that may change who is authenticated (a token revoked, a user removed): a principal another instance
 * cached at an older count is read again, so a revocation through one instance is refused by every other on the
 * very next request. One GET per authenticated request that would use a cached principal, in place of the store's
 * two queries.
 */
export interface AuthGeneration {
  /** The current count (a string, compared for equality only). */
  current(): Promise<string>;
  /** Moves the count. */
  bump(): Promise<void>;
  close(): Promise<void>;
}

/** An {@link AuthGeneration} in Redis at `key` (INCR and GET). */
export async function redisAuthGeneration(o: { url: string; key: string }): Promise<AuthGeneration> {
  // No offline queue: while Redis is away a command fails at once (its caller reads the store instead) rather than
  // holding the request until Redis returns. node-redis reconnects by itself.
  const client = createClient({ url: o.url, disableOfflineQueue: true });
  client.on('error', () => undefined);
  await client.connect();
  return {
    async current() {
      return (await client.get(o.key)) ?? '0';
    },
    async bump() {
      await client.incr(o.key);
    },
    async close() {
      await client.close();
    },
  };
}
