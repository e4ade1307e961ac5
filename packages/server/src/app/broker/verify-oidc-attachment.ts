import { roleSessionName, type RunPhase } from '@trustgate/core';
import { retryWithBackoff, type RetryOptions } from '../../aws/retry-with-backoff.ts';
import { describeAwsError, PROBE_RETRY_DEFAULTS } from '../../aws/verify-role.ts';
import { isWebIdentityRefusal, webIdentityAssumer } from '../../aws/verify-web-identity-role.ts';
import { TrustgateError } from '@trustgate/core';
import type { AttachmentPhaseCheck, AttachmentVerification } from '../../model/broker-records.ts';
import { nowIso } from '../../store/new-id.ts';
import { oidcTrustOptions } from '../connections/oidc-trust-options.ts';
import type { ConnectionDeps } from '../deps.ts';
import { subjectTemplatesOf } from '../identity/subject-templates.ts';
import type { VerifyAttachmentInput } from './verify-attachment.ts';
import { runWebIdentityToken } from './web-identity-token.ts';

/** What the customer must change when an OIDC connection's role refused a phase's token. */
function refusedHint(
  input: VerifyAttachmentInput,
  phase: RunPhase,
  issuerUrl: string | undefined,
  templates: readonly string[],
): string {
  const { connection, stack } = input;
  const trust = connection.trust;
  if (trust.kind !== 'oidc') return '';
  const subjects = issuerUrl === undefined ? [] : (oidcTrustOptions(connection, issuerUrl, templates)?.subjects ?? []);
  if (trust.stackIds !== undefined && !trust.stackIds.includes(stack.id))
    return `The role's trust admits only the subjects ${subjects.join(', ')}: add the stack to the connection's trust.stackIds ("${stack.id}", PATCH /v1/connections/${connection.id}), apply the updated template, then attach again.`;
  if (!trust.phases.includes(phase))
    return `The role's trust admits only the ${trust.phases.join(' and ')} phase: set the connection's trust.phases to ["read", "write"] and apply the updated template — or attach without the ${phase} phase.`;
  return `The connection's template trusts this stack and phase, but the role refused its token: apply the connection's current template (update the stack) so its trust admits "StringLike": {"<issuer>:sub": ${JSON.stringify(subjects)}} and the provider lists the audience, then attach again.`;
}

/**
 * Proves an OIDC connection's attachment before it is stored: for each covered account and allowed phase, trustgate
 * mints the token runs of this stack will carry and AssumeRoleWithWebIdentity must accept it (no platform AWS
 * credentials). A refusal (AccessDenied, InvalidIdentityToken, IDPRejectedClaim, ExpiredToken) fails the check with
 * what to change; no answer is asked again within the probe retry, then AWS_ERROR. The role's lock against other
 * stacks, phases, audiences and keys was proved when the connection was verified.
 */
export async function verifyOidcAttachment(
  deps: ConnectionDeps,
  input: VerifyAttachmentInput,
): Promise<AttachmentVerification> {
  const { connection, stack, attachment } = input;
  const region = attachment.region ?? connection.region ?? undefined;
  const sts = deps.aws.sts({
    partition: connection.partition,
    ...(region === undefined ? {} : { region }),
    anonymous: true,
  });
  const retry: RetryOptions = { ...PROBE_RETRY_DEFAULTS, ...deps.probeRetry };
  const { trusted } = await subjectTemplatesOf(deps, connection.organizationId);
  const checks = await Promise.all(
    input.roles.flatMap((role) =>
      attachment.phases.map(async (phase): Promise<AttachmentPhaseCheck> => {
        const assume = webIdentityAssumer(sts, role.roleArn, roleSessionName(`tg-verify-${stack.slug}-${phase}`));
        const token = await runWebIdentityToken(deps, { connection, stack }, { runId: 'attach-verification', phase });
        const result = await retryWithBackoff(
          () => assume(token),
          (e) => !isWebIdentityRefusal(e),
          retry,
        );
        const base = { accountId: role.accountId, phase };
        if (result.ok)
          return { ...base, ok: true, reason: `Assumed with the ${phase} phase's OIDC token of ${stack.slug}.` };
        if (!isWebIdentityRefusal(result.error))
          throw new TrustgateError(
            'AWS_ERROR',
            `AWS did not answer whether the role accepts the attachment's token (${result.attempts} attempt(s)): ${describeAwsError(result.error)}`,
            { cause: result.error },
          );
        return {
          ...base,
          ok: false,
          reason: `The role refused the ${phase} phase's OIDC token of stack ${stack.slug} (${(result.error as Error).name}).`,
          fixHint: refusedHint(input, phase, deps.identity?.issuerUrl, trusted),
        };
      }),
    ),
  );
  return { at: nowIso(), checks };
}
