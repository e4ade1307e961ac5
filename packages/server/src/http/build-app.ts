import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { TrustgateError } from '@trustgate/core';
import type { ConnectionDeps } from '../app/deps.ts';
import { boundedFetch, type FetchPort } from '../aws/fetch-port.ts';
import { cachingAuthenticator } from '../auth/principal-cache.ts';
import { BackgroundTasks, type AppContext } from './app-context.ts';
import { errorAnswerOptions, installErrorHandler } from './error-handler.ts';
import { installZodCompilers } from './zod-route.ts';
import { REDACT_PATHS, REDACTED, withRedactedUrl } from './log-redaction.ts';
import { installRequestId, requestChildLogger, requestIdMixin, requestIdOf } from './request-id.ts';
import { installAuthGenerationBump } from './auth-generation-hook.ts';
import type { AuthGeneration } from '../cache/auth-generation.ts';
import { routeAdder } from './zod-route.ts';
import { registerAccessRoutes } from './routes/access-routes.ts';
import { registerAuditRoutes } from './routes/audit-routes.ts';
import { registerDriftRoutes } from './routes/drift-routes.ts';
import { registerCallbackRoutes } from './routes/callback-routes.ts';
import { registerCatalogRoutes } from './routes/catalog-routes.ts';
import { registerConnectionRoutes } from './routes/connection-routes.ts';
import { registerOrganizationRoutes } from './routes/organization-routes.ts';
import { registerIssuanceRoutes } from './routes/issuance-routes.ts';
import { registerSpaceRoutes } from './routes/space-routes.ts';
import { registerStackRoutes } from './routes/stack-routes.ts';
import { registerStackInsightRoutes } from './routes/stack-insight-routes.ts';
import { registerTokenRoutes } from './routes/token-routes.ts';
import { registerUserRoutes } from './routes/user-routes.ts';
import { registerOidcRoutes } from './routes/oidc-routes.ts';
import { registerReadinessRoute } from './routes/ops-routes.ts';
import { registerWizardRoutes } from './routes/wizard-routes.ts';
import { registerConsoleRoutes } from './routes/console-routes.ts';
import { registerConsoleSessionRoutes } from './routes/console-session-routes.ts';
import { authorizationOf } from './console-session.ts';
import { createServiceMetrics, installMetrics, type ServiceMetrics } from './metrics.ts';

/** Options for {@link buildApp}. */
export interface BuildAppOptions {
  deps: ConnectionDeps;
  /** How the callback answers CloudFormation; default global fetch. */
  fetchPort?: FetchPort;
  /** Bearer token (at least 16 characters) that may create organizations; unset closes that route. */
  operatorToken?: string;
  /** Largest request body in bytes. Default 1 MiB (catalog uploads: 4 MiB). */
  bodyLimit?: number;
  /**
   * Pino logger settings, or false. Default false. Whatever is given, every line of a request carries its `reqId`
   * and credentials, tokens and signatures are redacted ({@link REDACT_PATHS}, signed query values in logged URLs).
   */
  logger?: boolean | Record<string, unknown>;
  /**
   * How long (ms) an authenticated principal is reused before its token and user are read again (default 1,000;
   * 0 = every request). Writes through this instance invalidate it at once; see {@link cachingAuthenticator}.
   */
  principalCacheMs?: number;
  /** The instance's Prometheus metrics, served at `/metrics`; default a registry of its own. */
  metrics?: ServiceMetrics;
  /**
   * The count shared by every instance (Redis) that makes a revocation through one instance honoured by the others'
   * principal caches at once; default none (a change through another instance is seen within `principalCacheMs`).
   */
  authGeneration?: AuthGeneration;
  /** The web console's build (packages/console/dist), served at `/`; unset serves no console. */
  consoleDir?: string;
}

/** The Fastify app and the background work it started (callbacks). */
export interface TrustgateApp {
  app: FastifyInstance;
  background: BackgroundTasks;
}

/** Fastify's request serializer (its `lib/logger-pino.js`), the base of the service's (which redacts the URL's query). */
function defaultRequestSerializer(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: req.url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * The pino settings of the app's logger: the given ones with the redaction paths added to theirs, the request
 * serializer (theirs or Fastify's) redacting signed query values, and the request id mixed into every line logged
 * while a request is handled.
 */
function loggerOptions(given: BuildAppOptions['logger']): false | Record<string, unknown> {
  if (given === undefined || given === false) return false;
  const settings: Record<string, unknown> = given === true ? {} : given;
  const redact = settings.redact as string[] | { paths?: string[] } | undefined;
  const theirPaths = Array.isArray(redact) ? redact : (redact?.paths ?? []);
  const serializers = (settings.serializers ?? {}) as Record<string, (value: never) => unknown>;
  return {
    ...settings,
    redact: { paths: [...REDACT_PATHS, ...theirPaths], censor: REDACTED },
    serializers: { ...serializers, req: withRedactedUrl(serializers.req ?? defaultRequestSerializer) },
    mixin: requestIdMixin,
  };
}

/**
 * Builds trustgate's HTTP API: JSON with zod-validated requests and responses, bearer-token auth, errors as
 * `{ "error": { "code", "message", "field"? } }` from core's error catalog, a body size limit, OpenAPI 3 at
 * `/openapi.json` and browsable docs at `/docs`.
 */
export async function buildApp(options: BuildAppOptions): Promise<TrustgateApp> {
  const app: FastifyInstance = Fastify({
    logger: loggerOptions(options.logger),
    genReqId: requestIdOf,
    childLoggerFactory: requestChildLogger,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    ...errorAnswerOptions(() => app.log),
  });
  const background = new BackgroundTasks();
  const store = options.deps.store;
  const authGeneration = options.authGeneration;
  const authenticateHeader = cachingAuthenticator(store, {
    ttlMs: options.principalCacheMs ?? 1000,
    writeEpoch: () => store.writeEpoch(),
    ...(authGeneration === undefined ? {} : { sharedGeneration: () => authGeneration.current() }),
  });
  const metrics = options.metrics ?? createServiceMetrics();
  const ctx: AppContext = {
    deps: options.deps,
    metrics,
    fetchPort: options.fetchPort ?? boundedFetch,
    ...(options.operatorToken === undefined ? {} : { operatorToken: options.operatorToken }),
    background,
    authenticate: async (request) => authenticateHeader(authorizationOf(request)),
    authenticateHeader: (header) => authenticateHeader(header),
  };
  installRequestId(app);
  if (authGeneration !== undefined) installAuthGenerationBump(app, store, authGeneration);
  installErrorHandler(app);
  installZodCompilers(app);
  installMetrics(app, metrics);
  // SNS delivers HTTP notifications as text/plain JSON. A body that is not JSON (or empty) is the client's
  // mistake, answered as the JSON parser answers it — never JSON.parse's SyntaxError as a 500.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body as string);
    } catch {
      done(new TrustgateError('INVALID_INPUT', 'The request body is not valid JSON.'), undefined);
      return;
    }
    done(null, parsed);
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'trustgate',
        description: "Connect customers' AWS accounts and act in them safely.",
        version: '0.1.0',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  registerReadinessRoute(app, ctx);
  const route = routeAdder(app, ctx.authenticate);
  for (const register of [
    registerOrganizationRoutes,
    registerUserRoutes,
    registerTokenRoutes,
    registerSpaceRoutes,
    registerCatalogRoutes,
    registerConnectionRoutes,
    registerDriftRoutes,
    registerAccessRoutes,
    registerAuditRoutes,
    registerCallbackRoutes,
    registerStackRoutes,
    registerStackInsightRoutes,
    registerIssuanceRoutes,
    registerOidcRoutes,
    registerWizardRoutes,
    registerConsoleSessionRoutes,
  ]) {
    register(route, ctx);
  }
  if (options.consoleDir !== undefined) registerConsoleRoutes(app, options.consoleDir);
  app.addHook('onClose', async () => background.idle());
  return { app, background };
}
