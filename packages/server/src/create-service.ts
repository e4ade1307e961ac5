import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TrustgateError, type Partition } from '@trustgate/core';
import { openStore, type Store } from './store/store.ts';
import { sdkClientFactory, type AwsClientFactory, type PartitionAwsConfig } from './aws/aws-clients.ts';
import type { RetryOptions } from './aws/retry-with-backoff.ts';
import type { ConnectionDeps, PlatformSettings } from './app/deps.ts';
import { callbackTopicArns } from './app/callbacks/read-callback-body.ts';
import { boundedFetch, type FetchPort } from './aws/fetch-port.ts';
import { startAnswerResender } from './app/jobs/resend-undelivered-answers.ts';
import { createSnsMessageVerifier, type SnsMessageVerifierOptions } from './aws/verify-sns-message.ts';
import { startReverifyScheduler } from './app/jobs/reverify-connections.ts';
import { buildApp, type TrustgateApp } from './http/build-app.ts';
import { createIssuanceTargetMemo } from './app/broker/issuance-target-memo.ts';
import { createAuditBatcher, type AuditBatcher } from './app/audit/audit-batcher.ts';
import { DEFAULT_LOAD_POLICY, DEFAULT_STS_RETRY, type BrokerDeps } from './app/broker/broker-deps.ts';
import type { CredentialCache, LoadPolicy } from './cache/credential-cache.ts';
import { localCredentialCache } from './cache/local-credential-cache.ts';
import type { AuthGeneration } from './cache/auth-generation.ts';
import { createStsPacer } from './aws/sts-pacer.ts';
import { observedStsPacer } from './aws/observed-sts-pacer.ts';
import { createServiceMetrics, type ServiceMetrics } from './http/metrics.ts';
import { createAssumptionMemo } from './app/broker/assumption-memo.ts';
import { createIdentity, sealingKeyring, type IdentityConfig } from './app/identity/create-identity.ts';
import { secretSetting } from './app/identity/sealed-setting.ts';
import type { Keyring } from './model/keyring.ts';

/**
 * The example catalog, the default catalog connections use. It ships inside this package (`catalogs/`, listed in its
 * `files`), next to src/ and dist/, so the same relative URL finds it from the sources, the build and an installed
 * tarball; the repository's catalogs/example.yaml is a link to it.
 */
export const DEFAULT_CATALOG_FILE = fileURLToPath(new URL('../catalogs/example.yaml', import.meta.url));

/**
 * One partition the service serves: how to reach AWS there and the platform identity customers trust. Without
 * `accountId` the partition has no platform identity: it serves OIDC connections only (trustgate as the issuer calls
 * AssumeRoleWithWebIdentity, which is unsigned), so it takes no credentials, platform role, callback topic or template
 * bucket either, and the service must be an OIDC issuer (`identity`).
 */
export type PartitionServiceConfig = PartitionAwsConfig & Omit<PlatformSettings, 'accountId'> & { accountId?: string };

/** The settings that belong to a platform identity: each needs the partition's `accountId`. */
const PLATFORM_ONLY_SETTINGS = ['credentials', 'roleArn', 'callbackTopicArn', 'templateBucket'] as const;

/**
 * The platform identity of a partition, or undefined for an OIDC-only partition (no `accountId`); INVALID_INPUT naming
 * the field when a partition without an account has platform settings or the service is no OIDC issuer.
 */
function platformOf(
  partition: Partition,
  c: PartitionServiceConfig,
  oidcIssuer: boolean,
): PlatformSettings | undefined {
  if (c.accountId !== undefined)
    return {
      accountId: c.accountId,
      ...(c.roleArn === undefined ? {} : { roleArn: c.roleArn }),
      ...(c.callbackTopicArn === undefined ? {} : { callbackTopicArn: c.callbackTopicArn }),
    };
  if (!oidcIssuer)
    throw new TrustgateError(
      'INVALID_INPUT',
      `partitions.${partition}.accountId: the platform's account is required unless the service is an OIDC issuer (identity), whose connections need no platform AWS identity.`,
      { field: `partitions.${partition}.accountId` },
    );
  const extra = PLATFORM_ONLY_SETTINGS.find((key) => c[key] !== undefined);
  if (extra !== undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      `partitions.${partition}.${extra}: a partition without accountId has no platform AWS identity (it serves OIDC connections only), so it takes no ${extra}; give the platform's accountId or leave ${extra} out.`,
      { field: `partitions.${partition}.${extra}` },
    );
  return undefined;
}

/** Default pace of the broker's STS calls per platform identity and region: 50 a second (AWS throttles far above). */
export const DEFAULT_STS_RATE_PER_SECOND = 50;

/** The credential broker's settings (issue 12). */
export interface BrokerServiceConfig {
  /** AssumeRole calls a second per platform identity and region, at most (a burst queues); default {@link DEFAULT_STS_RATE_PER_SECOND}. */
  stsRatePerSecond?: number;
  /**
   * How long (ms) a resolved issuance (stack, attachment, connection, access, role) is reused for the same token and
   * request; default 1,000, 0 = resolved every time. Writes through this instance invalidate it at once.
   */
  targetCacheMs?: number;
  /** When cached sessions are refreshed and served stale; default `DEFAULT_LOAD_POLICY` of app/broker/broker-deps.ts. */
  loadPolicy?: Partial<LoadPolicy>;
  /** How throttled, failed or timed-out AssumeRole calls are retried; default `DEFAULT_STS_RETRY`. */
  stsRetry?: RetryOptions;
  /** The platform's identity is a role session (chained sessions: one hour at most); default: the partition names a `roleArn`. */
  chainedSessions?: boolean;
  /** Most seconds a run token may live; default 43,200. */
  runTokenMaxSeconds?: number;
  /** Group commit of the audit log: events per INSERT (default 256) and the longest wait for company (default 5 ms). */
  auditBatch?: { maxBatch?: number; maxDelayMs?: number };
}

/** Where the broker caches sessions: shared by every instance in Redis (values AES-256-GCM encrypted), else per instance. */
export interface CacheServiceConfig {
  /** `redis://...` or `rediss://...`. */
  redisUrl: string;
  /** 32 bytes: the AES-256-GCM key of the cached values (the same on every instance). */
  encryptionKey: Uint8Array;
  /** Keys of before a rotation: entries under them are still read until they expire, never written. */
  previousEncryptionKeys?: readonly Uint8Array[];
  /** Prefix of the cache's Redis keys; default the cache's own. */
  keyPrefix?: string;
}

/** Configuration of {@link createTrustgateService}. */
export interface TrustgateServiceConfig {
  /** `postgres://...` or a SQLite file (default `./.trustgate/trustgate.db`). */
  databaseUrl?: string;
  /** PostgreSQL schema (search_path). */
  databaseSchema?: string;
  /** PostgreSQL pool size per instance. Default 10. */
  databasePoolSize?: number;
  /**
   * Per partition served: endpoint/credentials and the platform identity (one per partition); a partition without
   * `accountId` serves OIDC connections only (an OIDC-only deployment holds no AWS identity at all).
   */
  partitions: Partial<Record<Partition, PartitionServiceConfig>>;
  /** Public base URL of the service, e.g. `http://127.0.0.1:8080`. */
  publicUrl: string;
  operatorToken?: string;
  verifyRetry?: RetryOptions;
  /** How an insecurity probe STS gave no answer (throttled, 5xx, timed out) is retried before verification fails; default `PROBE_RETRY_DEFAULTS`. */
  probeRetry?: RetryOptions;
  /** Scheduled re-verification; default every 6 hours, checked each minute. `false` disables it. */
  reverify?: { intervalMs?: number; tickMs?: number } | false;
  isAllowedResponseUrl?: (url: URL) => boolean;
  /**
   * How callbacks' SNS signatures are verified; the topics are always the partitions' `callbackTopicArn`.
   * Default: SigningCertURL https on sns.<region>.amazonaws.com[.cn], messages at most one hour old. The
   * embedded sandbox serves its certificate over plain HTTP: trust its URL with `isTrustedCertificateUrl`.
   */
  snsMessages?: Omit<SnsMessageVerifierOptions, 'topicArns'>;
  /** Default catalog; default {@link DEFAULT_CATALOG_FILE}. */
  defaultCatalogFile?: string;
  fetchPort?: FetchPort;
  /** Replace the SDK clients (tests use real clients; this is for a custom credential setup). */
  aws?: AwsClientFactory;
  logger?: boolean | Record<string, unknown>;
  bodyLimit?: number;
  /** See BuildAppOptions.principalCacheMs (default 1,000 ms). */
  principalCacheMs?: number;
  /** The broker's session cache in Redis, shared by every instance; default a cache in each instance's memory. */
  cache?: CacheServiceConfig;
  /** The credential broker's settings. */
  broker?: BrokerServiceConfig;
  /** Replace the broker's cache (tests); takes precedence over `cache`. */
  credentialCache?: CredentialCache;
  /** The web console's build (packages/console/dist), served at `/`; unset serves no console. */
  consoleDir?: string;
  /** trustgate as an OIDC issuer (issue 13): the issuer URL and the key sealing its signing keys; default none. */
  identity?: IdentityConfig;
  /**
   * The identity key (32 bytes) sealing the callback-token and run-token keys in the store when the service is no OIDC
   * issuer (an issuer seals them under `identity.keyEncryptionKey`), with the keys of before a rotation; none: they
   * are kept plain, and a store holding them sealed is refused.
   */
  storeKey?: { keyEncryptionKey: Uint8Array; previousKeyEncryptionKeys?: readonly Uint8Array[] };
}

/** The broker's cache from the configuration: Redis when configured, else per instance. */
async function openCredentialCache(
  config: TrustgateServiceConfig,
  onFallback: (error: unknown) => void,
): Promise<CredentialCache> {
  if (config.credentialCache !== undefined) return config.credentialCache;
  if (config.cache === undefined) return localCredentialCache();
  if (config.cache.encryptionKey.length !== 32)
    throw new TrustgateError('INVALID_INPUT', 'The cache encryption key must be 32 bytes (AES-256).', {
      field: 'cache.encryptionKey',
    });
  const { redisCredentialCache } = await import('./cache/redis-credential-cache.ts');
  const { fallbackCredentialCache } = await import('./cache/fallback-credential-cache.ts');
  const shared = await redisCredentialCache({
    url: config.cache.redisUrl,
    encryptionKey: config.cache.encryptionKey,
    ...(config.cache.previousEncryptionKeys === undefined
      ? {}
      : { previousEncryptionKeys: config.cache.previousEncryptionKeys }),
    ...(config.cache.keyPrefix === undefined ? {} : { keyPrefix: config.cache.keyPrefix }),
  });
  return fallbackCredentialCache(shared, { onFallback });
}

/** The broker's dependencies: the cache, the STS pacer, the audit batcher over the store and the run-token secret. */
async function wireBroker(
  config: TrustgateServiceConfig,
  store: Store,
  cache: CredentialCache,
  awsConfig: Partial<Record<Partition, PartitionAwsConfig>>,
  metrics: ServiceMetrics,
  ring: Keyring | undefined,
): Promise<{ broker: BrokerDeps; audit: AuditBatcher }> {
  const b = config.broker ?? {};
  const once = Object.fromEntries(Object.entries(awsConfig).map(([p, c]) => [p, { ...c, maxAttempts: 1 }]));
  const audit = createAuditBatcher(store, b.auditBatch ?? {});
  const broker: BrokerDeps = {
    cache,
    sts: config.aws ?? sdkClientFactory(once),
    pacer: observedStsPacer(
      createStsPacer({ ratePerSecond: b.stsRatePerSecond ?? DEFAULT_STS_RATE_PER_SECOND }),
      metrics.stsCall,
    ),
    audit,
    runTokenSecret: await secretSetting(store, 'run-token-secret', ring),
    loadPolicy: { ...DEFAULT_LOAD_POLICY, ...b.loadPolicy },
    stsRetry: b.stsRetry ?? DEFAULT_STS_RETRY,
    assumptionMemo: createAssumptionMemo(),
    targetMemo: createIssuanceTargetMemo({ ttlMs: b.targetCacheMs ?? 1000 }),
    ...(b.chainedSessions === undefined ? {} : { chainedSessions: b.chainedSessions }),
    ...(b.runTokenMaxSeconds === undefined ? {} : { runTokenMaxSeconds: b.runTokenMaxSeconds }),
  };
  return { broker, audit };
}

/** A running-ready service: the app (not yet listening), its store and dependencies. */
export interface TrustgateService extends TrustgateApp {
  store: Store;
  deps: ConnectionDeps;
  /** Starts listening; returns the URL. */
  listen(options: { port: number; host?: string }): Promise<string>;
  /**
   * Stops accepting connections (requests on open ones are answered 503), lets in-flight requests finish, stops the
   * jobs (a running re-verification finishes; the answer re-sender's pass is aborted, its rows left for the next),
   * then flushes the audit batcher and closes the cache and the store. Cut requests still running after a bound
   * with `app.server.closeAllConnections()` (as `trustgate serve` does after its shutdown grace).
   */
  close(): Promise<void>;
}

/**
 * Wires trustgate's service: opens the store (migrations run), loads the default catalog, builds the SDK
 * clients per partition, the use cases and the HTTP app, and starts the jobs: scheduled re-verification and the
 * re-sender of undelivered callback answers.
 */
export async function createTrustgateService(config: TrustgateServiceConfig): Promise<TrustgateService> {
  const store = await openStore({
    ...(config.databaseUrl === undefined ? {} : { url: config.databaseUrl }),
    ...(config.databaseSchema === undefined ? {} : { schema: config.databaseSchema }),
    ...(config.databasePoolSize === undefined ? {} : { poolSize: config.databasePoolSize }),
  });
  let cache: CredentialCache | undefined;
  let authGeneration: AuthGeneration | undefined;
  try {
    // Redis away: the broker serves from (and loads into) the instance's cache, with a warning every 10 s at most.
    let warnedAt = 0;
    cache = await openCredentialCache(config, (error) => {
      if (Date.now() - warnedAt < 10_000) return;
      warnedAt = Date.now();
      deps.log?.warn({ err: error }, 'broker: the shared cache (Redis) could not be reached; using the instance cache');
    });
    // With Redis, a revocation through one instance is honoured by every other's principal cache at once.
    authGeneration =
      config.cache === undefined
        ? undefined
        : await (
            await import('./cache/auth-generation.ts')
          ).redisAuthGeneration({
            url: config.cache.redisUrl,
            key: `${config.cache.keyPrefix ?? 'trustgate:'}auth-generation`,
          });
    const catalogFile = config.defaultCatalogFile ?? DEFAULT_CATALOG_FILE;
    const platforms: Partial<Record<Partition, PlatformSettings>> = {};
    const awsConfig: Partial<Record<Partition, PartitionAwsConfig>> = {};
    for (const [partition, c] of Object.entries(config.partitions) as [Partition, PartitionServiceConfig][]) {
      const platform = platformOf(partition, c, config.identity !== undefined);
      if (platform !== undefined) platforms[partition] = platform;
      // Templates are published only to a bucket the platform's account owns, unless another owner is named.
      awsConfig[partition] =
        c.templateBucket === undefined ? c : { ...c, templateBucketOwner: c.templateBucketOwner ?? c.accountId };
    }
    const metrics = createServiceMetrics();
    // The identity's keyring (the configured key, its previous keys, a key the demo stored before one was configured)
    // seals the signing keys and the callback-token and run-token secrets in the store; without an issuer, storeKey's.
    const ring = await sealingKeyring(config, store);
    const wired = await wireBroker(config, store, cache, awsConfig, metrics, ring);
    const deps: ConnectionDeps = {
      store,
      aws: config.aws ?? sdkClientFactory(awsConfig),
      platforms,
      callbackSecret: await secretSetting(store, 'callback-secret', ring),
      publicUrl: config.publicUrl.replace(/\/$/, ''),
      defaultCatalog: { name: 'example', source: await readFile(catalogFile, 'utf8'), fileName: 'example.yaml' },
      ...(config.verifyRetry === undefined ? {} : { verifyRetry: config.verifyRetry }),
      ...(config.probeRetry === undefined ? {} : { probeRetry: config.probeRetry }),
      ...(config.isAllowedResponseUrl === undefined ? {} : { isAllowedResponseUrl: config.isAllowedResponseUrl }),
      catalogCache: new Map(),
      broker: wired.broker,
      metrics,
      ...(config.identity === undefined || ring === undefined
        ? {}
        : {
            identity: createIdentity(
              { ...config.identity, keyEncryptionKey: ring.current, previousKeyEncryptionKeys: ring.previous },
              store.signingKeys,
            ),
          }),
    };
    deps.snsMessages = createSnsMessageVerifier({ ...config.snsMessages, topicArns: () => callbackTopicArns(deps) });
    const fetchPort = config.fetchPort ?? boundedFetch;
    const built = await buildApp({
      deps,
      fetchPort,
      metrics,
      ...(config.operatorToken === undefined ? {} : { operatorToken: config.operatorToken }),
      ...(config.logger === undefined ? {} : { logger: config.logger }),
      ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
      ...(config.principalCacheMs === undefined ? {} : { principalCacheMs: config.principalCacheMs }),
      ...(authGeneration === undefined ? {} : { authGeneration }),
      ...(config.consoleDir === undefined ? {} : { consoleDir: config.consoleDir }),
    });
    deps.log = built.app.log;
    metrics.collectFromStore(store, built.app.log);
    // Answers whose every PUT failed are re-sent while CloudFormation still waits (SNS will not deliver them again).
    const resender = startAnswerResender(deps, fetchPort, {
      onError: (error) => built.app.log.error({ err: error }, 'callback: re-sending undelivered answers failed'),
    });
    const scheduler =
      config.reverify === false
        ? undefined
        : startReverifyScheduler(deps, {
            holder: randomUUID(),
            ...(config.reverify?.intervalMs === undefined ? {} : { intervalMs: config.reverify.intervalMs }),
            ...(config.reverify?.tickMs === undefined ? {} : { tickMs: config.reverify.tickMs }),
            onError: (error) => built.app.log.error({ err: error }, 're-verification failed'),
          });
    return {
      ...built,
      store,
      deps,
      async listen({ port, host }) {
        await built.app.listen({ port, host: host ?? '127.0.0.1' });
        const address = built.app.server.address();
        const actual = typeof address === 'object' && address !== null ? address.port : port;
        return `http://${host ?? '127.0.0.1'}:${actual}`;
      },
      async close() {
        // Stop accepting and drain in-flight requests while the jobs stop (a running re-verification finishes).
        await Promise.all([scheduler?.stop(), resender.stop(), built.app.close()]);
        await wired.audit.close();
        await wired.broker.cache.close();
        await authGeneration?.close();
        await store.close();
      },
    };
  } catch (error) {
    await cache?.close();
    await authGeneration?.close();
    await store.close();
    throw error;
  }
}
