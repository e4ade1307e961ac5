import { randomBytes } from 'node:crypto';
import { TrustgateError, type Partition } from '@trustgate/core';
import type { AwsClientFactory, AwsCredentials, StsPort } from './aws-clients.ts';
import { readOrganization, type OrganizationObservation } from './read-organization.ts';
import { readRolePolicies, type RolePolicies } from './read-role-policies.ts';
import { retryWithBackoff, type RetryOptions } from './retry-with-backoff.ts';
import { isRetryableStsError } from './assume-for-run.ts';
import { loadSts } from './sdk.ts';

/** What to verify: one role ARN of a connection, with the external IDs the trust policy must require. */
export interface VerifyRoleInput {
  partition: Partition;
  region?: string;
  roleArn: string;
  roleName: string;
  accountId: string;
  externalId: string;
  /** During an external-ID rotation: the old ID, still accepted until the customer's stack is updated. */
  previousExternalId?: string | null;
  /** A session name that says who verifies what (2-64 of [\w+=,.@-]). */
  sessionName: string;
  /** Also ask Organizations, as the role's session, which organization the account belongs to (organization-scoped connections). */
  readOrganization?: boolean;
  /** Bounds the wait for the role to become assumable with the external ID (AccessDenied is retried). */
  retry?: RetryOptions;
  /**
   * Bounds the retries of an insecurity probe that got no answer (throttling, a 5xx, a timeout, a network error),
   * beyond the SDK's own; the fields given replace those of {@link PROBE_RETRY_DEFAULTS}.
   */
  probeRetry?: RetryOptions;
}

/**
 * How long an insecurity probe is asked again when STS gives it no answer: at most 4 attempts (each with the
 * SDK's own retries), waits of 0.5 s doubling up to 4 s, jittered, 10 s of waiting, no attempt started after 20 s.
 */
export const PROBE_RETRY_DEFAULTS: Readonly<RetryOptions> = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 4_000,
  maxWaitMs: 10_000,
  deadlineMs: 20_000,
  jitter: true,
};

/** What AWS said: each probe's outcome and, when the role could be read, its policies. */
export interface VerifyRoleObservation {
  assumed: boolean;
  /** Which ID worked. */
  externalIdUsed?: 'current' | 'previous';
  attempts: number;
  /** The AWS error code/message when assuming failed for good. */
  assumeError?: string;
  callerArn?: string;
  callerAccount?: string;
  /** Assuming the role without any external ID worked: the trust policy does not require one. */
  assumableWithoutExternalId: boolean;
  /** Assuming it with a random, wrong external ID worked: the trust policy does not check the value. */
  assumableWithWrongExternalId: boolean;
  policies?: RolePolicies;
  /** Why the role's policies could not be read. */
  policyReadError?: string;
  /** With `readOrganization`: what `organizations:DescribeOrganization` told the role's session. */
  organization?: OrganizationObservation;
  /** Web identity (OIDC) roles: what the tokens the role accepted though it must refuse them were. */
  acceptedProbes?: string[];
}

/** The AWS error name and message, without anything else the SDK attaches. */
export function describeAwsError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** AWS refused the role (missing, not trusting us yet, or not with this external ID): the customer's side. */
function isAccessDenied(error: unknown): boolean {
  return error instanceof Error && /AccessDenied|NoSuchEntity|InvalidIdentityToken/i.test(error.name);
}

/**
 * STS refused the call: `AccessDenied` with HTTP 403, which AssumeRole answers when the trust policy does not let
 * the caller in — its ExternalId condition fails, it does not trust the caller, or there is no such role (STS does
 * not say which; IAM User Guide, "Troubleshooting IAM roles"). Nothing else is a refusal: throttling, a 5xx, a
 * timeout or the platform's own credentials refused (`InvalidClientTokenId`, `ExpiredToken`) say nothing about the
 * role's trust policy.
 */
export function isRefusal(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return error instanceof Error && error.name === 'AccessDenied' && status === 403;
}

/** Assumes the role with an external ID (none: without one); aborting `signal` gives up the call in flight. */
export type Assume = (externalId: string | undefined, signal?: AbortSignal) => Promise<AwsCredentials>;

/** What STS answered an insecurity probe: a session (the trust policy let the call in), or AccessDenied. */
export type ProbeOutcome = 'assumable' | 'refused';

/**
 * One insecurity probe: assumes the role with `externalId` (none: without one). A session or a refusal
 * ({@link isRefusal}) is the answer; any other outcome (throttling, a 5xx, a timeout, a network or unknown error)
 * is tried again within `retry` and then throws AWS_ERROR: without an answer the role is neither secure nor insecure.
 */
export async function probe(
  assume: Assume,
  externalId: string | undefined,
  retry: RetryOptions,
): Promise<ProbeOutcome> {
  const result = await retryWithBackoff(
    () => assume(externalId, retry.signal),
    (error) => !isRefusal(error),
    retry,
  );
  if (result.ok) return 'assumable';
  if (isRefusal(result.error)) return 'refused';
  const how = externalId === undefined ? 'without an external ID' : 'with a wrong external ID';
  throw new TrustgateError(
    'AWS_ERROR',
    `AWS did not answer whether the role can be assumed ${how} (${result.attempts} attempt(s)): ${describeAwsError(result.error)}`,
    { cause: result.error },
  );
}

/** A random external ID no trust policy requires. */
export function wrongExternalId(): string {
  return `trustgate-wrong-${randomBytes(16).toString('hex')}`;
}

/**
 * Assumes `roleArn` through `sts` (as the platform) for 900 s, with an external ID or without one: the assumption
 * verification and the insecurity probes make (role verification here, attach-time verification of the broker).
 */
export function stsAssumer(sts: StsPort, roleArn: string, sessionName: string): Assume {
  return async (externalId, signal) => {
    const { AssumeRoleCommand } = await loadSts();
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: 900,
        ...(externalId === undefined ? {} : { ExternalId: externalId }),
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined)
      throw new TrustgateError('AWS_ERROR', 'AssumeRole answered without credentials.');
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };
}

/** `options` whose retries and calls also stop when `signal` is aborted. */
function stoppedBy(options: RetryOptions | undefined, signal: AbortSignal): RetryOptions {
  return { ...options, signal: options?.signal === undefined ? signal : AbortSignal.any([options.signal, signal]) };
}

/**
 * Assumes the role with the external ID, retrying AccessDenied within `retry` (a new role may not be assumable for
 * seconds), then once with the previous ID during a rotation. AccessDenied for good is an answer (returned); any
 * other failure is not an answer about the role and throws AWS_ERROR.
 */
async function assumeWithExternalId(assume: Assume, input: VerifyRoleInput, retry: RetryOptions) {
  let result = await retryWithBackoff(() => assume(input.externalId, retry.signal), isAccessDenied, retry);
  let externalIdUsed: 'current' | 'previous' = 'current';
  let attempts = result.attempts;
  if (!result.ok && input.previousExternalId) {
    const previous = await retryWithBackoff(
      () => assume(input.previousExternalId ?? undefined, retry.signal),
      isAccessDenied,
      { ...retry, maxWaitMs: 0 },
    );
    attempts += previous.attempts;
    if (previous.ok) {
      result = previous;
      externalIdUsed = 'previous';
    }
  }
  if (!result.ok && !isAccessDenied(result.error)) {
    // Not an answer about the role (network, throttling after the SDK's own retries, a 5xx, bad platform
    // credentials): the platform's problem, so no verdict on the customer's role.
    throw new TrustgateError('AWS_ERROR', `AWS could not be asked about the role: ${describeAwsError(result.error)}`, {
      cause: result.error,
    });
  }
  return { result, externalIdUsed, attempts };
}

/** What the role's session tells: who it is, the role's policies (or why they could not be read), the organization. */
export async function readWithSession(
  aws: AwsClientFactory,
  input: Pick<VerifyRoleInput, 'partition' | 'region' | 'roleName' | 'readOrganization'>,
  session: AwsCredentials,
): Promise<
  Pick<VerifyRoleObservation, 'callerArn' | 'callerAccount' | 'policies' | 'policyReadError' | 'organization'>
> {
  const { GetCallerIdentityCommand } = await loadSts();
  const [identity, read, organization] = await Promise.all([
    aws
      .sts({ partition: input.partition, region: input.region, credentials: session })
      .send(new GetCallerIdentityCommand({}))
      .catch((error: unknown) => {
        throw new TrustgateError('AWS_ERROR', `STS did not answer GetCallerIdentity: ${describeAwsError(error)}`, {
          cause: error,
        });
      }),
    readRolePolicies(aws.iam({ partition: input.partition, credentials: session }), input.roleName).then(
      (policies) => ({ policies }),
      (error: unknown) => {
        // Throttled, a 5xx, a timeout or the network: IAM said nothing about the role's policies, so no verdict
        // (a "needs-update" would tell the customer to change a role that may be fine). A refusal is an answer.
        if (isRetryableStsError(error))
          throw new TrustgateError(
            'AWS_ERROR',
            `IAM did not answer about the role's policies: ${describeAwsError(error)}`,
            {
              cause: error,
            },
          );
        return { policyReadError: describeAwsError(error) };
      },
    ),
    input.readOrganization === true
      ? readOrganization(aws.organizations({ partition: input.partition, credentials: session }))
      : undefined,
  ]);
  return {
    callerArn: identity.Arn,
    callerAccount: identity.Account,
    ...read,
    ...(organization === undefined ? {} : { organization }),
  };
}

/**
 * Verifies a customer's role for real (IAM User Guide, "Access to AWS accounts owned by third parties"):
 * 1. assumes it with the external ID through the partition's regional STS endpoint, retrying AccessDenied with
 *    backoff for a bounded time (a new role may not be assumable for seconds), then falls back to the previous
 *    ID during a rotation; reads back GetCallerIdentity with the session;
 * 2. tries to assume it WITHOUT an external ID and with a WRONG one — either succeeding means the trust policy
 *    is insecure (the confused-deputy protection is missing). Only AccessDenied is a refusal; a probe without an
 *    answer is retried within `probeRetry` and then fails the verification: it fails closed;
 * 3. reads the role's attached and inline policies (and boundary) with the session, for a local check;
 * 4. with `readOrganization`, asks Organizations with the session which organization the account belongs to.
 * Throws AWS_ERROR when AWS gives no answer about the role, to the assume or to either probe (network, throttling,
 * 5xx, the platform's own credentials refused), so a platform-side failure never marks a customer's connection
 * broken, nor connected; the retries and calls still running are then given up.
 */
export async function verifyRole(aws: AwsClientFactory, input: VerifyRoleInput): Promise<VerifyRoleObservation> {
  const assume = stsAssumer(
    aws.sts({ partition: input.partition, region: input.region }),
    input.roleArn,
    input.sessionName,
  );
  const stop = new AbortController();
  const retry = stoppedBy(input.retry, stop.signal);
  const probeRetry = stoppedBy({ ...PROBE_RETRY_DEFAULTS, ...input.probeRetry }, stop.signal);
  try {
    // The assume and the two insecurity probes run alongside; the first to throw ends the verification.
    const [{ result, externalIdUsed, attempts }, firstWithout, firstWrong] = await Promise.all([
      assumeWithExternalId(assume, input, retry),
      probe(assume, undefined, probeRetry),
      probe(assume, wrongExternalId(), probeRetry),
    ]);
    // A refused probe is repeated after a wait, so a role that only became assumable meanwhile is probed too.
    const waited = result.attempts > 1 || externalIdUsed === 'previous';
    const again = (first: ProbeOutcome, externalId: string | undefined) =>
      waited && first === 'refused' ? probe(assume, externalId, probeRetry) : first;
    const [without, wrong] = await Promise.all([again(firstWithout, undefined), again(firstWrong, wrongExternalId())]);
    const probed = {
      assumableWithoutExternalId: without === 'assumable',
      assumableWithWrongExternalId: wrong === 'assumable',
    };
    if (!result.ok) return { assumed: false, attempts, assumeError: describeAwsError(result.error), ...probed };
    return { assumed: true, externalIdUsed, attempts, ...probed, ...(await readWithSession(aws, input, result.value)) };
  } finally {
    stop.abort();
  }
}
