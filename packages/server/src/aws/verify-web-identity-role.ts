import { TrustgateError, type Partition } from '@trustgate/core';
import type { AwsClientFactory, AwsCredentials, StsPort } from './aws-clients.ts';
import { retryWithBackoff, type RetryOptions } from './retry-with-backoff.ts';
import { describeAwsError, PROBE_RETRY_DEFAULTS, readWithSession, type VerifyRoleObservation } from './verify-role.ts';
import { loadSts } from './sdk.ts';

/** A token the role must refuse, and what is wrong with it (for the fix hint; never the token itself). */
export interface WebIdentityProbe {
  /** What the token is, in words: "another stack's token", "a token for another audience", ... */
  label: string;
  token: string;
}

/** What to verify: a role trusting the platform's OIDC issuer, the token it must accept and those it must refuse. */
export interface VerifyWebIdentityRoleInput {
  partition: Partition;
  region?: string;
  roleArn: string;
  roleName: string;
  sessionName: string;
  /** A token whose subject and audience the role's trust admits. A secret: never logged or returned. */
  token: string;
  probes: WebIdentityProbe[];
  /** Bounds the wait for a new role to accept the token (refusals are retried). */
  retry?: RetryOptions;
  /** Bounds the retries of a probe STS gave no answer; the fields given replace {@link PROBE_RETRY_DEFAULTS}. */
  probeRetry?: RetryOptions;
  /** Also ask Organizations, as the role's session, which organization the account belongs to (organization scope). */
  readOrganization?: boolean;
}

/** Verification of a web-identity role: VerifyRoleObservation's fields, with the probes the role accepted (empty: secure). */
export interface WebIdentityObservation extends VerifyRoleObservation {
  acceptedProbes: string[];
}

/**
 * STS refused the token or the role's trust refused it (AssumeRoleWithWebIdentity errors: `AccessDenied` when the
 * trust's conditions fail, `InvalidIdentityToken` for a token the provider refuses — wrong audience, unknown key, no
 * provider — `ExpiredTokenException`, `IDPRejectedClaim`). `IDPCommunicationError`, throttling and 5xx are not answers.
 */
export function isWebIdentityRefusal(error: unknown): boolean {
  return (
    error instanceof Error &&
    /^(AccessDenied|InvalidIdentityToken(Exception)?|ExpiredToken(Exception)?|IDPRejectedClaim(Exception)?)$/.test(
      error.name,
    )
  );
}

/** Exchanges a token for a 900 s session of `roleArn` through `sts` (a client with no credentials). */
export function webIdentityAssumer(sts: StsPort, roleArn: string, sessionName: string) {
  return async (token: string, signal?: AbortSignal): Promise<AwsCredentials> => {
    const { AssumeRoleWithWebIdentityCommand } = await loadSts();
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        WebIdentityToken: token,
        DurationSeconds: 900,
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined)
      throw new TrustgateError('AWS_ERROR', 'AssumeRoleWithWebIdentity answered without credentials.');
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
  };
}

/**
 * Verifies a role that trusts the platform's OIDC issuer, with no platform AWS credentials: exchanges `token`
 * (retrying refusals within `retry`, a new role or provider may take seconds), and each probe token, which must be
 * refused (a refusal is only one of {@link isWebIdentityRefusal}; a probe without an answer is retried within
 * `probeRetry` and then fails the verification with AWS_ERROR: it fails closed); reads the role's policies with the
 * session (and, with `readOrganization`, the account's organization). Error text from AWS is kept (it never holds the
 * token).
 */
export async function verifyWebIdentityRole(
  aws: AwsClientFactory,
  input: VerifyWebIdentityRoleInput,
): Promise<WebIdentityObservation> {
  const assume = webIdentityAssumer(
    aws.sts({
      partition: input.partition,
      ...(input.region === undefined ? {} : { region: input.region }),
      anonymous: true,
    }),
    input.roleArn,
    input.sessionName,
  );
  const probeRetry = { ...PROBE_RETRY_DEFAULTS, ...input.probeRetry };
  const [result, probed] = await Promise.all([
    retryWithBackoff(() => assume(input.token), isWebIdentityRefusal, input.retry ?? {}),
    Promise.all(
      input.probes.map(async (p) => {
        const r = await retryWithBackoff(
          () => assume(p.token),
          (e) => !isWebIdentityRefusal(e),
          probeRetry,
        );
        if (r.ok) return p.label;
        if (isWebIdentityRefusal(r.error)) return undefined;
        throw new TrustgateError(
          'AWS_ERROR',
          `AWS did not answer whether the role accepts ${p.label} (${r.attempts} attempt(s)): ${describeAwsError(r.error)}`,
          { cause: r.error },
        );
      }),
    ),
  ]);
  const acceptedProbes = probed.filter((l): l is string => l !== undefined);
  const base = {
    attempts: result.attempts,
    assumableWithoutExternalId: false,
    assumableWithWrongExternalId: acceptedProbes.length > 0,
    acceptedProbes,
  };
  if (!result.ok) {
    if (!isWebIdentityRefusal(result.error))
      throw new TrustgateError(
        'AWS_ERROR',
        `AWS could not be asked about the role: ${describeAwsError(result.error)}`,
        {
          cause: result.error,
        },
      );
    return { ...base, assumed: false, assumeError: describeAwsError(result.error) };
  }
  return {
    ...base,
    assumed: true,
    ...(await readWithSession(aws, { ...input, readOrganization: input.readOrganization === true }, result.value)),
  };
}
