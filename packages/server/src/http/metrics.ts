import type { FastifyInstance } from 'fastify';
import { TrustgateError } from '@trustgate/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { MetricsPort } from '../app/ops/metrics-port.ts';
import type { StsCallOutcome } from '../aws/observed-sts-pacer.ts';
import type { IssuanceAnswer } from '../app/broker/issue-credentials.ts';
import type { LogPort } from '../app/deps.ts';

/** Seconds: from a cached issuance (well under a millisecond) to a verification waiting for AWS. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** How an issuance was served: the cache's source, or the assume-on-worker delivery (no session of trustgate's). */
export type IssuanceSource = 'cache' | 'sts' | 'stale-cache' | 'assume-on-worker' | 'web-identity' | 'none';

/** Longest wait for the store's counts at a scrape: a store that hangs must not hang the scrape (Prometheus: 10 s). */
const STORE_READ_MS = 2_000;

/** `work`, or a rejection once {@link STORE_READ_MS} passed. */
async function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${STORE_READ_MS} ms`)), STORE_READ_MS);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** What the gauges read from the store at each scrape (store/store-health.ts). */
export interface StoreCountsPort {
  countConnectionsByStatus(): Promise<Record<string, number>>;
  countPendingCallbackAnswers(): Promise<{ deciding: number; undelivered: number }>;
}

/** The service's Prometheus metrics (prom-client), in a registry of its own (so instances in one process stay apart). */
export interface ServiceMetrics extends MetricsPort {
  registry: Registry;
  /** An HTTP request was answered. `route` is the route's template (`/v1/connections/:id`), never the raw URL. */
  request(method: string, route: string, status: number, seconds: number): void;
  /** An issuance ended: `outcome` is `issued` or the refusal's error code. */
  issuance(outcome: string, source: IssuanceSource): void;
  /** An STS call of the broker ended in `region`. */
  stsCall(region: string, outcome: StsCallOutcome): void;
  /** Reads the gauges of connections and callback answers from `store` at each scrape; set once the store exists. */
  collectFromStore(store: StoreCountsPort, log?: LogPort): void;
}

/**
 * Creates the metrics of one service instance: `trustgate_http_requests_total` and
 * `trustgate_http_request_duration_seconds` by method, route and status; `trustgate_credential_issuances_total` by
 * outcome and source (a cache hit is `source="cache"`); `trustgate_sts_calls_total` by region and outcome and
 * `trustgate_sts_throttles_total` by region; `trustgate_verifications_total` by outcome; the gauge
 * `trustgate_connections` by status and `trustgate_callback_answers_pending` by state (read from the store at each
 * scrape); and Node's process metrics.
 *
 * The hot path pays a map lookup and two increments per request: each label combination's child is kept.
 */
export function createServiceMetrics(): ServiceMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'trustgate_http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'trustgate_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const issuances = new Counter({
    name: 'trustgate_credential_issuances_total',
    help: 'Credential issuances, by outcome (issued or the error code) and source (cache, sts, stale-cache, assume-on-worker, web-identity; none when refused).',
    labelNames: ['outcome', 'source'] as const,
    registers: [registry],
  });
  const stsCalls = new Counter({
    name: 'trustgate_sts_calls_total',
    help: 'STS calls of the credential broker (each attempt), by region and outcome (ok, throttled, error).',
    labelNames: ['region', 'outcome'] as const,
    registers: [registry],
  });
  const stsThrottles = new Counter({
    name: 'trustgate_sts_throttles_total',
    help: 'STS calls of the credential broker that STS throttled, by region.',
    labelNames: ['region'] as const,
    registers: [registry],
  });
  const verifications = new Counter({
    name: 'trustgate_verifications_total',
    help: "Role verifications, by outcome (the role's resulting status).",
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  let source: StoreCountsPort | undefined;
  let log: LogPort | undefined;
  /** A gauge read from the store at each scrape; a store that cannot answer leaves it empty and says so in the log. */
  const storeGauge = (name: string, help: string, label: string, read: (s: StoreCountsPort) => Promise<object>) =>
    new Gauge({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      async collect() {
        this.reset();
        if (source === undefined) return;
        try {
          for (const [value, n] of Object.entries(await bounded(read(source))))
            this.set({ [label]: value }, n as number);
        } catch (error) {
          log?.warn({ err: error }, `metrics: ${name} could not be read from the store`);
        }
      },
    });
  storeGauge(
    'trustgate_connections',
    'Connections of every organization, by status (read from the store at each scrape).',
    'status',
    (s) => s.countConnectionsByStatus(),
  );
  storeGauge(
    'trustgate_callback_answers_pending',
    'Callback answers CloudFormation still waits for, by state: deciding, or undelivered (answered, not yet PUT).',
    'state',
    (s) => s.countPendingCallbackAnswers(),
  );
  const children = new Map<string, { count: { inc(): void }; time: { observe(v: number): void } }>();
  return {
    registry,
    request(method, route, status, seconds) {
      const key = `${method} ${status} ${route}`;
      let child = children.get(key);
      if (child === undefined) {
        const labels = [method, route, String(status)];
        child = { count: requests.labels(...labels), time: duration.labels(...labels) };
        children.set(key, child);
      }
      child.count.inc();
      child.time.observe(seconds);
    },
    issuance: (outcome, source) => issuances.labels(outcome, source).inc(),
    stsCall(region, outcome) {
      stsCalls.labels(region, outcome).inc();
      if (outcome === 'throttled') stsThrottles.labels(region).inc();
    },
    verification: (outcome) => verifications.labels(outcome).inc(),
    collectFromStore(store, logPort) {
      source = store;
      log = logPort;
    },
  };
}

/** How an answered issuance was served. */
export function issuanceSourceOf(answer: IssuanceAnswer): IssuanceSource {
  if (answer.source !== undefined) return answer.source;
  return answer.webIdentity !== undefined ? 'web-identity' : 'assume-on-worker';
}

/** Counts the issuance `work` makes: `issued` by its source, or the refusal's error code. */
export async function countedIssuance(
  metrics: ServiceMetrics,
  work: () => Promise<IssuanceAnswer>,
): Promise<IssuanceAnswer> {
  try {
    const answer = await work();
    metrics.issuance('issued', issuanceSourceOf(answer));
    return answer;
  } catch (error) {
    metrics.issuance(error instanceof TrustgateError ? error.code : 'INTERNAL', 'none');
    throw error;
  }
}

/**
 * Counts and times every request `app` answers (Fastify's `onResponse`, by the route's template; `unmatched` for
 * a URL no route serves, so a scan of random paths cannot grow the label set), and serves the registry at
 * `GET /metrics` in Prometheus' text format (hidden from OpenAPI).
 */
export function installMetrics(app: FastifyInstance, metrics: ServiceMetrics): void {
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.request(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    reply.header('content-type', metrics.registry.contentType);
    reply.header('cache-control', 'no-store');
    return text;
  });
}
