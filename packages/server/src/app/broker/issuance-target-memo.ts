import { LRUCache } from 'lru-cache';
import type { Principal } from '../../auth/principal.ts';
import type { Store } from '../../store/store.ts';
import { resolveIssuanceTarget, type IssuanceTarget, type IssuanceTargetInput } from './issuance-target.ts';

/** How long a resolved issuance target is reused, and what invalidates it. */
export interface IssuanceTargetMemoOptions {
  /**
   * How long (ms) a resolved target is reused. Changes made through this instance (an attachment removed, an access
   * level lowered, the connection edited) take effect at once through the store's write epoch; changes made through
   * another instance sharing the database within `ttlMs`, except the attachment's own settings (changed or removed)
   * and a revocation's cut-off, which are read live on every issuance.
   */
  ttlMs: number;
  /** Targets kept (default 10,000). */
  maxEntries?: number;
  now?: () => number;
}

/** Resolves issuance targets, reusing a recent resolution. */
export interface IssuanceTargetMemo {
  resolve(store: Store, principal: Principal, input: IssuanceTargetInput): Promise<IssuanceTarget>;
}

interface Entry {
  target: IssuanceTarget;
  epoch: number;
  at: number;
}

/**
 * {@link resolveIssuanceTarget}, remembered per token and request: resolving reads the stack, its attachments, the
 * connection (the largest row of the store), the caller's access and the roles, which on a cached issuance cost
 * more than everything else it does. An entry is reused while the store's write epoch has not moved and `ttlMs`
 * has not passed; the attachment's `updatedAt` and the connection's revocation cut-off are read again each time (one
 * query), so an instance never serves an attachment's old settings (or a removed one) after another instance
 * changed it, nor a session issued before a cut-off another instance stored. Refusals are never remembered.
 */
export function createIssuanceTargetMemo(options: IssuanceTargetMemoOptions): IssuanceTargetMemo {
  const entries = new LRUCache<string, Entry>({ max: options.maxEntries ?? 10_000 });
  const clock = options.now ?? Date.now;
  return {
    async resolve(store, principal, input) {
      if (options.ttlMs <= 0) return resolveIssuanceTarget(store, principal, input);
      const key = JSON.stringify([
        principal.token.id,
        principal.user.id,
        input.stack,
        input.phase,
        input.accountId ?? null,
        input.connectionId ?? null,
        input.region ?? null,
      ]);
      const at = clock();
      const entry = entries.get(key);
      if (entry !== undefined && entry.epoch === store.writeEpoch() && at - entry.at < options.ttlMs) {
        const { connection, attachment } = entry.target;
        const live = await store.attachments.issuanceState(attachment.organizationId, attachment.id);
        if (
          live !== undefined &&
          live.updatedAt === attachment.updatedAt &&
          live.sessionsRevokedBefore === connection.sessionsRevokedBefore
        )
          return entry.target;
        entries.delete(key);
      }
      const epoch = store.writeEpoch();
      const target = await resolveIssuanceTarget(store, principal, input);
      entries.set(key, { target, epoch, at });
      return target;
    },
  };
}
