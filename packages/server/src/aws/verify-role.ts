import { randomBytes } from 'node:crypto';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { TrustgateError, type Partition } from '@trustgate/core';
import type { AwsClientFactory, AwsCredentials } from './aws-clients.ts';
import { readOrganization, type OrganizationObservation } from './read-organization.ts';
import { readRolePolicies, type RolePolicies } from './read-role-policies.ts';
import { retryWithBackoff, type RetryOptions } from './retry-with-backoff.ts';

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
  retry?: RetryOptions;
}

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
 * Verifies a customer's role for real (IAM User Guide, "Access to AWS accounts owned by third parties"):
 * 1. assumes it with the external ID through the partition's regional STS endpoint, retrying AccessDenied with
 *    backoff for a bounded time (a new role may not be assumable for seconds), then falls back to the previous
 *    ID during a rotation; reads back GetCallerIdentity with the session;
 * 2. tries to assume it WITHOUT an external ID and with a WRONG one — either succeeding means the trust policy
 *    is insecure (the confused-deputy protection is missing);
 * 3. reads the role's attached and inline policies (and boundary) with the session, for a local check;
 * 4. with `readOrganization`, asks Organizations with the session which organization the account belongs to.
 * Throws AWS_ERROR when AWS gives no answer about the role (network, throttling, 5xx, the platform's own
 * credentials refused), so a platform-side failure never marks a customer's connection broken.
 */
export async function verifyRole(aws: AwsClientFactory, input: VerifyRoleInput): Promise<VerifyRoleObservation> {
  const sts = aws.sts({ partition: input.partition, region: input.region });
  const assume = async (externalId: string | undefined): Promise<AwsCredentials> => {
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: input.roleArn, RoleSessionName: input.sessionName, DurationSeconds: 900, ...(externalId === undefined ? {} : { ExternalId: externalId }) }),
    );
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined) throw new TrustgateError('AWS_ERROR', 'AssumeRole answered without credentials.');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
  const probe = async (externalId: string | undefined): Promise<boolean> => {
    try {
      await assume(externalId);
      return true;
    } catch {
      return false;
    }
  };
  const main = async () => {
    let result = await retryWithBackoff(() => assume(input.externalId), isAccessDenied, input.retry);
    let externalIdUsed: 'current' | 'previous' = 'current';
    let attempts = result.attempts;
    if (!result.ok && input.previousExternalId) {
      const previous = await retryWithBackoff(() => assume(input.previousExternalId ?? undefined), isAccessDenied, { ...input.retry, maxWaitMs: 0 });
      attempts += previous.attempts;
      if (previous.ok) {
        result = previous;
        externalIdUsed = 'previous';
      }
    }
    return { result, externalIdUsed, attempts };
  };
  // The two insecurity probes run alongside; they are repeated after a wait so a role that only became
  // assumable meanwhile is probed too.
  const [{ result, externalIdUsed, attempts }, firstWithout, firstWrong] = await Promise.all([
    main(),
    probe(undefined),
    probe(`trustgate-wrong-${randomBytes(16).toString('hex')}`),
  ]);
  if (!result.ok && !isAccessDenied(result.error)) {
    // Not an answer about the role (network, throttling after the SDK's own retries, a 5xx, bad platform
    // credentials): the platform's problem, so no verdict on the customer's role.
    throw new TrustgateError('AWS_ERROR', `AWS could not be asked about the role: ${describeAwsError(result.error)}`, { cause: result.error });
  }
  const waited = result.attempts > 1 || externalIdUsed === 'previous';
  const assumableWithoutExternalId = firstWithout || (waited && (await probe(undefined)));
  const assumableWithWrongExternalId = firstWrong || (waited && (await probe(`trustgate-wrong-${randomBytes(16).toString('hex')}`)));
  if (!result.ok) {
    return { assumed: false, attempts, assumeError: describeAwsError(result.error), assumableWithoutExternalId, assumableWithWrongExternalId };
  }
  const session = result.value;
  const [identity, read, organization] = await Promise.all([
    aws.sts({ partition: input.partition, region: input.region, credentials: session }).send(new GetCallerIdentityCommand({})),
    readRolePolicies(aws.iam({ partition: input.partition, credentials: session }), input.roleName).then(
      (policies) => ({ policies }),
      (error: unknown) => ({ policyReadError: describeAwsError(error) }),
    ),
    input.readOrganization === true ? readOrganization(aws.organizations({ partition: input.partition, credentials: session })) : undefined,
  ]);
  const observation: VerifyRoleObservation = {
    assumed: true,
    externalIdUsed,
    attempts,
    callerArn: identity.Arn,
    callerAccount: identity.Account,
    assumableWithoutExternalId,
    assumableWithWrongExternalId,
    ...read,
    ...(organization === undefined ? {} : { organization }),
  };
  return observation;
}
