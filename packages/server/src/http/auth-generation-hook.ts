import type { FastifyInstance } from 'fastify';
import type { AuthGeneration } from '../cache/auth-generation.ts';

/**
 * Moves the shared {@link AuthGeneration} before a request that wrote to the store (its write epoch moved while the
 * request ran: a token revoked, a user removed, ...) is answered, so every other instance reads the principals it
 * cached again on its next request. A request that wrote nothing moves nothing. When Redis cannot be reached the
 * answer still goes out (logged): the other instances then reuse a principal for at most their principal cache's
 * lifetime.
 */
export function installAuthGenerationBump(
  app: FastifyInstance,
  store: { writeEpoch(): number },
  generation: AuthGeneration,
): void {
  const startedAt = new WeakMap<object, number>();
  app.addHook('onRequest', async (request) => {
    startedAt.set(request, store.writeEpoch());
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    const before = startedAt.get(request);
    if (before !== undefined && before !== store.writeEpoch()) {
      try {
        await generation.bump();
      } catch (error) {
        request.log.warn({ err: error }, 'the shared principal-cache generation could not be moved');
      }
    }
    return payload;
  });
}
