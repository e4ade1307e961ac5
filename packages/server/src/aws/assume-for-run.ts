import { TrustgateError } from '@trustgate/core';
import type { StsPort } from './aws-clients.ts';
import { retryWithBackoff, type RetryOptions } from './retry-with-backoff.ts';
import type { StsPacer } from './sts-pacer.ts';
import type { IssuedSession } from '../model/broker-records.ts';
import { loadSts } from './sdk.ts';

/** What to assume for a run: AssumeRole's parameters (AWS STS API Reference, "AssumeRole"). */
export interface AssumeForRunInput {
  roleArn: string;
  /** The external ID of the stack and phase (`<connection id>@<stack>@<phase>` with scoped trust). */
  externalId?: string;
  /**
   * Instead of an external ID: trustgate's OIDC token of the run and phase, exchanged with AssumeRoleWithWebIdentity
   * (unsigned: give an STS port that holds no credentials). A secret: never in an error or a log.
   */
  webIdentityToken?: string;
  /** 2-64 of `[\w+=,.@-]`: core's roleSessionName. */
  sessionName: string;
  /** 900 to the role's MaxSessionDuration (3,600 when chained): core's sessionDuration. */
  durationSeconds: number;
  /** A session policy (JSON text): the session may do only what both it and the role's policies allow. */
  policy?: string;
  /** Stays on the session and every session chained from it (needs sts:SetSourceIdentity in the trust policy). */
  sourceIdentity?: string;
  /** Session tags (need sts:TagSession in the trust policy). */
  tags?: Record<string, string>;
  /** Tags passed on to sessions chained from this one. */
  transitiveTagKeys?: string[];
}

/** How {@link assumeRoleForRun} calls STS: paced per identity and region, retried with backoff. */
export interface AssumeForRunOptions {
  pacer: StsPacer;
  /** The pacer's key: the identity STS is called as and the region (STS throttles per account and Region). */
  paceKey: string;
  /** Bounds the retries; the fields given replace those of {@link ASSUME_RETRY_DEFAULTS}. */
  retry: RetryOptions;
}

/** A session for a run, as the cache stores it. */
export type AssumedSession = IssuedSession;

/**
 * The retries of one issuance when STS answers nothing useful: at most 5 attempts, waits of 0.2 s doubling up
 * to 2 s, jittered, 8 s of waiting, no attempt started after 15 s. The SDK client's own retries come on top:
 * give the STS port `maxAttempts: 1` to make these the only ones.
 */
export const ASSUME_RETRY_DEFAULTS: Readonly<RetryOptions> = {
  maxAttempts: 5,
  baseDelayMs: 200,
  maxDelayMs: 2_000,
  maxWaitMs: 8_000,
  deadlineMs: 15_000,
  jitter: true,
};

/** Error names AWS answers when the caller is going too fast (AWS SDKs and Tools Reference Guide, "Retry behavior"). */
const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
]);
/** The OIDC provider could not reach trustgate's issuer (discovery or JWKS): AWS's side, worth another attempt. */
const IDP_COMMUNICATION = new Set(['IDPCommunicationError', 'IDPCommunicationErrorException']);
/** AssumeRoleWithWebIdentity's answers about the token and the role's trust: the customer's role must change. */
const WEB_IDENTITY_REFUSALS = new Set([
  'InvalidIdentityToken',
  'InvalidIdentityTokenException',
  'IDPRejectedClaim',
  'IDPRejectedClaimException',
]);
/** Errors of a call that got no answer in time. */
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
/** Node's codes of a connection that failed or was cut. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);
/**
 * STS refusing trustgate's own identity: its keys are wrong, expired or not signed right. Not the customer's role,
 * so not ROLE_REFUSED: the platform must fix its credentials (AWS_ERROR).
 */
const PLATFORM_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
]);

interface AwsErrorShape {
  name: string;
  message: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

function shapeOf(error: unknown): AwsErrorShape | undefined {
  return error instanceof Error ? (error as AwsErrorShape) : undefined;
}

const statusOf = (error: unknown): number | undefined => shapeOf(error)?.$metadata?.httpStatusCode;

/** Whether STS answered that the caller is going too fast (the metrics' throttles per region). */
export function isThrottlingStsError(error: unknown): boolean {
  const e = shapeOf(error);
  if (e === undefined || error instanceof TrustgateError) return false;
  return THROTTLING.has(e.name) || e.$retryable?.throttling === true || statusOf(error) === 429;
}

/**
 * Whether an AssumeRole failure is worth another attempt: throttling, a timeout, a 5xx or a network error. An
 * answer about the request (AccessDenied, a ValidationError, any other 4xx) is final.
 */
export function isRetryableStsError(error: unknown): boolean {
  const e = shapeOf(error);
  if (e === undefined || error instanceof TrustgateError) return false;
  const status = statusOf(error);
  if (THROTTLING.has(e.name) || e.$retryable?.throttling === true || status === 429) return true;
  if (IDP_COMMUNICATION.has(e.name)) return true;
  if (TIMEOUTS.has(e.name) || status === 408) return true;
  if (status !== undefined && status >= 500) return true;
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return status === undefined && cause !== undefined && cause !== error && isRetryableStsError(cause);
}

/** AWS's error name and message, nothing else the SDK attaches (no request, no headers). */
function described(error: unknown): string {
  const e = shapeOf(error);
  return e === undefined ? 'an unknown error' : `${e.name}: ${e.message}`;
}

/** What to change on the role, by what STS answered. */
function refusalHint(error: unknown, input: AssumeForRunInput): string {
  const name = shapeOf(error)?.name ?? '';
  if (input.webIdentityToken !== undefined) {
    if (name === 'AccessDenied')
      return "Check that the role still exists and that its trust policy trusts trustgate's OIDC provider with a StringLike <issuer>:sub that admits this stack and phase (re-apply the connection's template).";
    if (/^InvalidIdentityToken/.test(name))
      return "Check that the account's IAM OIDC provider for trustgate's issuer exists and lists the connection's audience as a client ID, and that trustgate's issuer URL is the provider's URL.";
    if (/^IDPRejectedClaim/.test(name))
      return "The OIDC provider rejected the token's claims: check the provider's client IDs and the role's aud and sub conditions.";
    if (/^ExpiredToken/.test(name))
      return "The run's token expired before STS read it: check trustgate's clock, or issue again (a new token is minted).";
  }
  if (name === 'AccessDenied') {
    const session = [
      input.sourceIdentity === undefined ? undefined : 'sts:SetSourceIdentity',
      input.tags === undefined ? undefined : 'sts:TagSession',
    ].filter((a): a is string => a !== undefined);
    return (
      "Check that the role still exists, that its trust policy trusts trustgate's identity and requires the " +
      'external ID of this stack and phase (with scoped trust: a pattern that admits this stack and phase)' +
      (session.length === 0 ? '' : `, and that it also allows ${session.join(' and ')}`) +
      '.'
    );
  }
  if (name === 'ValidationError')
    return "Ask for a shorter session (durationSeconds) or raise the role's MaxSessionDuration.";
  if (name === 'RegionDisabledException')
    return 'Activate AWS STS in this Region for the account (IAM console, Account settings), or issue in another Region.';
  if (name === 'PackedPolicyTooLarge' || name === 'MalformedPolicyDocument')
    return 'Shorten the session policy or the session tags.';
  return 'Check the role and the attachment settings.';
}

/**
 * Assumes the customer's role for a run (AWS STS API Reference, "AssumeRole"), each attempt started through the
 * pacer under `paceKey`. Throttling, timeouts, 5xx answers and network errors are retried with capped, jittered
 * exponential backoff ({@link retryWithBackoff}, {@link ASSUME_RETRY_DEFAULTS}); when the retries are spent the
 * answer is CREDENTIALS_UNAVAILABLE. AccessDenied and the other answers about the request (ValidationError,
 * RegionDisabledException, a session policy too large) are ROLE_REFUSED at once, with what to change; STS
 * refusing trustgate's own credentials is AWS_ERROR. Error messages carry AWS's error name and message, never a
 * credential.
 */
export async function assumeRoleForRun(
  sts: StsPort,
  input: AssumeForRunInput,
  options: AssumeForRunOptions,
): Promise<AssumedSession> {
  const retry: RetryOptions = { ...ASSUME_RETRY_DEFAULTS, ...options.retry };
  const { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand } = await loadSts();
  // Web identity: session tags and the source identity travel in the token, not in the request.
  const command =
    input.webIdentityToken !== undefined
      ? new AssumeRoleWithWebIdentityCommand({
          RoleArn: input.roleArn,
          RoleSessionName: input.sessionName,
          WebIdentityToken: input.webIdentityToken,
          DurationSeconds: input.durationSeconds,
          ...(input.policy === undefined ? {} : { Policy: input.policy }),
        })
      : new AssumeRoleCommand({
          RoleArn: input.roleArn,
          RoleSessionName: input.sessionName,
          ExternalId: input.externalId,
          DurationSeconds: input.durationSeconds,
          ...(input.policy === undefined ? {} : { Policy: input.policy }),
          ...(input.sourceIdentity === undefined ? {} : { SourceIdentity: input.sourceIdentity }),
          ...(input.tags === undefined
            ? {}
            : { Tags: Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value })) }),
          ...(input.transitiveTagKeys === undefined ? {} : { TransitiveTagKeys: input.transitiveTagKeys }),
        });
  const attempt = () =>
    options.pacer.run(
      options.paceKey,
      async () => {
        const issuedAt = new Date();
        const options = retry.signal === undefined ? {} : { abortSignal: retry.signal };
        const out =
          command instanceof AssumeRoleWithWebIdentityCommand
            ? await sts.send(command, options)
            : await sts.send(command, options);
        const c = out.Credentials;
        const arn = out.AssumedRoleUser?.Arn;
        if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || c.Expiration === undefined || !arn)
          throw new TrustgateError('AWS_ERROR', `AssumeRole of ${input.roleArn} answered without a whole session.`);
        return {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          sessionToken: c.SessionToken,
          expiration: new Date(c.Expiration).toISOString(),
          issuedAt: issuedAt.toISOString(),
          assumedRoleArn: arn,
          sessionName: input.sessionName,
        };
      },
      retry.signal,
    );
  const result = await retryWithBackoff(attempt, isRetryableStsError, retry);
  if (result.ok) return result.value;
  const error = result.error;
  if (error instanceof TrustgateError) throw error;
  const details = { roleArn: input.roleArn, attempts: result.attempts, awsError: shapeOf(error)?.name ?? 'unknown' };
  if (isRetryableStsError(error) || retry.signal?.aborted === true)
    throw new TrustgateError(
      'CREDENTIALS_UNAVAILABLE',
      `AWS STS did not issue a session for ${input.roleArn} after ${result.attempts} attempt(s) ` +
        `(${described(error)}). Try again shortly.`,
      { details, cause: error },
    );
  const name = shapeOf(error)?.name ?? '';
  const webIdentityRefusal =
    input.webIdentityToken !== undefined && (WEB_IDENTITY_REFUSALS.has(name) || /^ExpiredToken/.test(name));
  if (!webIdentityRefusal && (PLATFORM_CREDENTIALS.has(name) || statusOf(error) === undefined))
    throw new TrustgateError(
      'AWS_ERROR',
      `AWS STS refused trustgate's own credentials, or could not be asked, assuming ${input.roleArn} ` +
        `(${described(error)}); the customer's role was not asked.`,
      { details, cause: error },
    );
  throw new TrustgateError(
    'ROLE_REFUSED',
    `The role ${input.roleArn} refused the assumption (${described(error)}). ${refusalHint(error, input)}`,
    { details, cause: error },
  );
}
