import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Partition } from '@trustgate/core';
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

/** The example catalog shipped in the repository: the default catalog connections use. */
export const DEFAULT_CATALOG_FILE = fileURLToPath(new URL('../../../catalogs/example.yaml', import.meta.url));

/** One partition the service serves: how to reach AWS there and the platform identity customers trust. */
export type PartitionServiceConfig = PartitionAwsConfig & PlatformSettings;

/** Configuration of {@link createTrustgateService}. */
export interface TrustgateServiceConfig {
  /** `postgres://...` or a SQLite file (default `./.trustgate/trustgate.db`). */
  databaseUrl?: string;
  /** PostgreSQL schema (search_path). */
  databaseSchema?: string;
  /** PostgreSQL pool size per instance. Default 10. */
  databasePoolSize?: number;
  /** Per partition served: endpoint/credentials and the platform identity (one per partition). */
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
}

/** A running-ready service: the app (not yet listening), its store and dependencies. */
export interface TrustgateService extends TrustgateApp {
  store: Store;
  deps: ConnectionDeps;
  /** Starts listening; returns the URL. */
  listen(options: { port: number; host?: string }): Promise<string>;
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
  try {
    const catalogFile = config.defaultCatalogFile ?? DEFAULT_CATALOG_FILE;
    const platforms: Partial<Record<Partition, PlatformSettings>> = {};
    const awsConfig: Partial<Record<Partition, PartitionAwsConfig>> = {};
    for (const [partition, c] of Object.entries(config.partitions) as [Partition, PartitionServiceConfig][]) {
      platforms[partition] = {
        accountId: c.accountId,
        ...(c.roleArn === undefined ? {} : { roleArn: c.roleArn }),
        ...(c.callbackTopicArn === undefined ? {} : { callbackTopicArn: c.callbackTopicArn }),
      };
      // Templates are published only to a bucket the platform's account owns, unless another owner is named.
      awsConfig[partition] =
        c.templateBucket === undefined ? c : { ...c, templateBucketOwner: c.templateBucketOwner ?? c.accountId };
    }
    const deps: ConnectionDeps = {
      store,
      aws: config.aws ?? sdkClientFactory(awsConfig),
      platforms,
      callbackSecret: await store.sharedSetting('callback-secret', () => randomBytes(32).toString('base64url')),
      publicUrl: config.publicUrl.replace(/\/$/, ''),
      defaultCatalog: { name: 'example', source: await readFile(catalogFile, 'utf8'), fileName: 'example.yaml' },
      ...(config.verifyRetry === undefined ? {} : { verifyRetry: config.verifyRetry }),
      ...(config.probeRetry === undefined ? {} : { probeRetry: config.probeRetry }),
      ...(config.isAllowedResponseUrl === undefined ? {} : { isAllowedResponseUrl: config.isAllowedResponseUrl }),
      catalogCache: new Map(),
    };
    deps.snsMessages = createSnsMessageVerifier({ ...config.snsMessages, topicArns: () => callbackTopicArns(deps) });
    const fetchPort = config.fetchPort ?? boundedFetch;
    const built = await buildApp({
      deps,
      fetchPort,
      ...(config.operatorToken === undefined ? {} : { operatorToken: config.operatorToken }),
      ...(config.logger === undefined ? {} : { logger: config.logger }),
      ...(config.bodyLimit === undefined ? {} : { bodyLimit: config.bodyLimit }),
    });
    deps.log = built.app.log;
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
        scheduler?.stop();
        await resender.stop();
        await built.app.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
