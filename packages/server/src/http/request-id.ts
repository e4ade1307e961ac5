import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Bindings, ChildLoggerOptions } from 'pino';

/** The header a request id comes in (from a load balancer or a caller) and is answered in. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** An incoming request id is kept when it is a sane token: 1-128 letters, digits and `._:-`; else one is made. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of a request: its `x-request-id` when that is a sane token (one header only), else a new UUID. */
export function requestIdOf(request: Pick<IncomingMessage, 'headers'>): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

const current = new AsyncLocalStorage<{ reqId: string }>();

/** The request loggers Fastify made (`request.log`, bound to their request id). */
const requestLoggers = new WeakSet<object>();

/** Fastify's `childLoggerFactory`: its default (the request id bound), remembered as a request's logger. */
export function requestChildLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: ChildLoggerOptions,
): FastifyBaseLogger {
  const child = logger.child(bindings, options);
  requestLoggers.add(child);
  return child;
}

/**
 * A pino `mixin` adding the request id to lines logged while a request is handled through a logger that is not the
 * request's own (`request.log` carries it already): the use cases log through the app's logger (`deps.log`).
 */
export function requestIdMixin(_merge: object, _level: number, logger: object): Record<string, unknown> {
  if (requestLoggers.has(logger)) return {};
  const store = current.getStore();
  return store === undefined ? {} : { reqId: store.reqId };
}

/**
 * Answers every request with its id in `x-request-id` and runs its handling (hooks, handler, what they start)
 * with the id in scope, so {@link requestIdMixin} finds it.
 */
export function installRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    current.run({ reqId: request.id }, done);
  });
}
