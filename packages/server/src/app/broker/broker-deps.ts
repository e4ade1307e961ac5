import { TrustgateError } from '@trustgate/core';
import type { CredentialCache, LoadPolicy } from '../../cache/credential-cache.ts';
import type { AwsClientFactory } from '../../aws/aws-clients.ts';
import type { RetryOptions } from '../../aws/retry-with-backoff.ts';
import type { AuditEvent } from '../../model/records.ts';
import type { AssumptionMemo } from './assumption-memo.ts';
import type { IssuanceTargetMemo } from './issuance-target-memo.ts';
import type { ConnectionDeps } from '../deps.ts';

/** The narrow pacing port the broker calls STS through (aws/sts-pacer.ts): FIFO per key, below a rate. */
export interface StsPacingPort {
  run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

/** The narrow audit port of the broker: a group-committing batcher (app/audit/audit-batcher.ts). */
export interface AuditBatchPort {
  /** Resolves once the event's batch is committed; rejects when the write failed. */
  append(event: Omit<AuditEvent, 'id' | 'at'>): Promise<void>;
}

/** Default cache policy: sessions are replaced 10 minutes before expiry, and served stale while 2 minutes are left. */
export const DEFAULT_LOAD_POLICY: LoadPolicy = { refreshAheadMs: 10 * 60_000, minRemainingMs: 2 * 60_000 };

/**
 * Default STS retry of an issuance: about 8 seconds of capped exponential backoff with jitter (0.2, 0.4, 0.8, 1.6,
 * 2, 2 s), so a run waits a little for a throttled STS but is told CREDENTIALS_UNAVAILABLE before its own timeout.
 */
export const DEFAULT_STS_RETRY: RetryOptions = { baseDelayMs: 200, maxDelayMs: 2_000, maxWaitMs: 8_000, jitter: true };

/** Default lifetime cap of a run token when the request asks for more than the issuing API token has left. */
export const DEFAULT_RUN_TOKEN_MAX_SECONDS = 43_200;

/** What the credential broker (issue 12) adds to the service's dependencies. */
export interface BrokerDeps {
  /** Assumed sessions by request; per instance (lru-cache) or shared (Redis). */
  cache: CredentialCache;
  /**
   * The STS clients issuances call (as the platform), without the SDK's own retries (`maxAttempts: 1`): the broker
   * retries through its pacer ({@link BrokerDeps.stsRetry}), which SDK retries would multiply and bypass.
   */
  sts: Pick<AwsClientFactory, 'sts'>;
  /** Paces STS calls per platform identity and region. */
  pacer: StsPacingPort;
  /** Every issuance's audit record goes through it before the answer is sent. */
  audit: AuditBatchPort;
  /** HMAC key of run tokens (the store's shared `run-token-secret`, the same for every instance). */
  runTokenSecret: string;
  /** When cached sessions are refreshed and served stale; default {@link DEFAULT_LOAD_POLICY}. */
  loadPolicy: LoadPolicy;
  /** How throttled, failed or timed-out AssumeRole calls are retried; default {@link DEFAULT_STS_RETRY}. */
  stsRetry: RetryOptions;
  /**
   * Whether the platform's own identity is a role session, so AWS caps the sessions it assumes at one hour (role
   * chaining). Default per partition: true when the partition's platform settings name a `roleArn`.
   */
  chainedSessions?: boolean;
  /** Most seconds a run token may live; default {@link DEFAULT_RUN_TOKEN_MAX_SECONDS}. */
  runTokenMaxSeconds?: number;
  /** Built AssumeRole requests, remembered (the read phase's session policy is costly to build); none: built each time. */
  assumptionMemo?: AssumptionMemo;
  /** Resolved issuance targets, remembered briefly (app/broker/issuance-target-memo.ts); none: resolved each time. */
  targetMemo?: IssuanceTargetMemo;
  /** The clock; default `new Date()`. */
  now?: () => Date;
}

/** The service's dependencies with the broker wired. */
export type BrokerServiceDeps = ConnectionDeps & { broker: BrokerDeps };

/** The broker's dependencies; INTERNAL when the service was built without them. */
export function brokerOf(deps: ConnectionDeps): BrokerDeps {
  if (deps.broker === undefined)
    throw new TrustgateError('INTERNAL', 'The credential broker is not configured on this service.');
  return deps.broker;
}
