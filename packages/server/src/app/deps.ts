import { TrustgateError, type Partition } from '@trustgate/core';
import type { Store } from '../store/store.ts';
import type { AwsClientFactory } from '../aws/aws-clients.ts';
import type { RetryOptions } from '../aws/retry-with-backoff.ts';
import type { SnsMessageVerifier } from '../aws/verify-sns-message.ts';
import type { ParsedCatalog } from './catalogs/parsed-catalog.ts';
import type { BrokerDeps } from './broker/broker-deps.ts';
import type { IdentityDeps } from './identity/identity-deps.ts';
import type { MetricsPort } from './ops/metrics-port.ts';

/** The platform's identity in one partition (what customers' trust policies name) and its callback topic. */
export interface PlatformSettings {
  accountId: string;
  /** When set, trust policies name this role instead of the account root. */
  roleArn?: string;
  /** The SNS topic ARN automatic-mode templates use as the custom resource's ServiceToken. */
  callbackTopicArn?: string;
}

/**
 * The narrow logging port the use cases write to (pino's `warn(object, message)`, as Fastify's `app.log`): details
 * the platform's operator needs but tenants must not see, such as an AWS error naming the platform's principal.
 */
export interface LogPort {
  warn(details: Record<string, unknown>, message: string): void;
}

/** Everything the connection use cases depend on, as narrow ports. */
export interface ConnectionDeps {
  store: Store;
  aws: AwsClientFactory;
  /** One identity per partition served (a role cannot be assumed across partitions). */
  platforms: Partial<Record<Partition, PlatformSettings>>;
  /** HMAC key for callback tokens (shared by every instance, e.g. from the store). */
  callbackSecret: string;
  /** The service's public base URL (templates link back to it). */
  publicUrl: string;
  /** The catalog connections use when they name none. */
  defaultCatalog: { name: string; source: string; fileName: string };
  /** Bounded retry while a new role becomes assumable. */
  verifyRetry?: RetryOptions;
  /** Bounded retry of an insecurity probe STS gave no answer (default `PROBE_RETRY_DEFAULTS` of aws/verify-role.ts). */
  probeRetry?: RetryOptions;
  /** Which ResponseURLs the callback may PUT to (default: https on *.amazonaws.com / *.amazonaws.com.cn). */
  isAllowedResponseUrl?: (url: URL) => boolean;
  /**
   * Verifies the SNS signature of every callback before anything else is done. Default: AWS's certificate
   * hosts (https on sns.<region>.amazonaws.com[.cn]) and the platforms' callback topics.
   */
  snsMessages?: SnsMessageVerifier;
  /** Where operator-only details go (the service wires its Fastify/pino logger); default nowhere. */
  log?: LogPort;
  /** Parsed catalogs by `<org>/<name>@<version>` (filled lazily). */
  catalogCache: Map<string, ParsedCatalog>;
  /** The credential broker (cache, STS pacing, audit batching, run tokens); the service wires it. */
  broker?: BrokerDeps;
  /** trustgate as an OIDC issuer (its keys and issuer URL), when configured. */
  identity?: IdentityDeps;
  /** Where the use cases count what they did (verifications); the service wires its Prometheus metrics. */
  metrics?: MetricsPort;
}

/**
 * The platform settings for a partition; INVALID_PARTITION when the service has no identity there (in an OIDC-only
 * deployment, saying that only OIDC trust is served).
 */
export function platformFor(deps: ConnectionDeps, partition: Partition): PlatformSettings {
  const p = deps.platforms[partition];
  if (p === undefined) {
    throw new TrustgateError(
      'INVALID_PARTITION',
      deps.identity === undefined
        ? `This service has no AWS identity in partition ${partition}; roles cannot be assumed across partitions.`
        : `This service has no platform AWS identity in partition ${partition} (it serves OIDC connections only there), so no role can trust an external ID of it: use trust { kind: 'oidc' }.`,
      { field: 'partition' },
    );
  }
  return p;
}
