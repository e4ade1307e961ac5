import type { FastifyInstance } from 'fastify';
import { checkReadiness, type ReadinessPorts } from '../../app/ops/readiness.ts';
import type { AppContext } from '../app-context.ts';

/**
 * `GET /readyz` (hidden from OpenAPI, no auth, like `/healthz`): 200 `{ ready: true, checks }` when the store
 * answers, its migrations are applied and Redis answers where the broker's cache is in Redis; else 503 with the
 * same shape, each failed check saying what is wrong. Never cached.
 */
export function registerReadinessRoute(app: FastifyInstance, ctx: AppContext): void {
  const ping = ctx.deps.broker?.cache.ping?.bind(ctx.deps.broker.cache);
  const ports: ReadinessPorts = { store: ctx.deps.store, ...(ping === undefined ? {} : { redis: { ping } }) };
  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const readiness = await checkReadiness(ports);
    reply.header('cache-control', 'no-store');
    reply.code(readiness.ready ? 200 : 503);
    return readiness;
  });
}
