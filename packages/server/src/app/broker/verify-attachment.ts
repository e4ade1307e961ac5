import { randomBytes } from 'node:crypto';
import {
  connectionScopedExternalId,
  connectionScopedExternalIdPatterns,
  roleSessionName,
  sessionDuration,
  TrustgateError,
  type RunPhase,
} from '@trustgate/core';
import type { StsPort } from '../../aws/aws-clients.ts';
import { retryWithBackoff, type RetryOptions } from '../../aws/retry-with-backoff.ts';
import {
  describeAwsError,
  isRefusal,
  probe,
  PROBE_RETRY_DEFAULTS,
  stsAssumer,
  wrongExternalId,
} from '../../aws/verify-role.ts';
import type { Attachment, AttachmentPhaseCheck, AttachmentVerification, Stack } from '../../model/broker-records.ts';
import type { Connection, ConnectionRole } from '../../model/records.ts';
import { nowIso } from '../../store/new-id.ts';
import { platformFor, type ConnectionDeps } from '../deps.ts';
import { assumptionRequest, type AssumptionRequest } from './assumption-request.ts';
import { verifyOidcAttachment } from './verify-oidc-attachment.ts';
import { loadSts } from '../../aws/sdk.ts';

/** Input of {@link verifyAttachment}. */
export interface VerifyAttachmentInput {
  connection: Connection;
  /** The connection's roles in the accounts the attachment covers. */
  roles: ConnectionRole[];
  stack: Stack;
  /** The attachment as it will be stored (phases, duration, session policy, mode). */
  attachment: Attachment;
}

/** What STS answered a phase's assumption. */
type PhaseOutcome = { kind: 'assumed' } | { kind: 'refused'; error: string } | { kind: 'invalid'; error: string };

/** A failure that says nothing about the role (throttling, a 5xx, a timeout, the network): worth asking again. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (/Throttl|TooManyRequests|RequestLimitExceeded|Timeout|TimedOut/i.test(error.name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status === 429 || status >= 500;
}

/**
 * STS refused the request itself with a 4xx that is about the request (a session policy too large once packed, a
 * malformed tag, a region not enabled): an answer, but not a trust refusal. The platform's own credentials refused
 * (`InvalidClientTokenId`, `ExpiredToken`, `SignatureDoesNotMatch`) say nothing about the customer's role.
 */
function isRequestProblem(error: unknown): boolean {
  return (
    error instanceof Error &&
    !isTransient(error) &&
    !isRefusal(error) &&
    !/InvalidClientTokenId|ExpiredToken|SignatureDoesNotMatch|UnrecognizedClient|IncompleteSignature/i.test(error.name)
  );
}

/**
 * Assumes the role as the platform with one phase's request, for the duration runs will ask (clamped as issuance
 * clamps it): a duration over the role's MaxSessionDuration is then reported at attach time, not at the first run.
 */
async function assumePhase(
  sts: StsPort,
  request: AssumptionRequest,
  durationSeconds: number,
  retry: RetryOptions,
): Promise<PhaseOutcome> {
  const { AssumeRoleCommand } = await loadSts();
  const result = await retryWithBackoff(
    () =>
      sts.send(
        new AssumeRoleCommand({
          RoleArn: request.roleArn,
          RoleSessionName: request.roleSessionName,
          DurationSeconds: durationSeconds,
          ExternalId: request.externalId,
          ...(request.policy === undefined ? {} : { Policy: request.policy }),
          ...(request.sourceIdentity === undefined ? {} : { SourceIdentity: request.sourceIdentity }),
          ...(request.tags === undefined
            ? {}
            : { Tags: Object.entries(request.tags).map(([Key, Value]) => ({ Key, Value })) }),
        }),
        retry.signal === undefined ? {} : { abortSignal: retry.signal },
      ),
    isTransient,
    retry,
  );
  if (result.ok) return { kind: 'assumed' };
  if (isRefusal(result.error) && /identity-based polic/i.test(describeAwsError(result.error))) {
    // The platform's own policies lack sts:AssumeRole, sts:TagSession or sts:SetSourceIdentity: not the customer's.
    throw new TrustgateError(
      'AWS_ERROR',
      "The platform's own AWS identity may not make this call (its identity policy must allow sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity); the service's operator must fix it.",
      { cause: result.error },
    );
  }
  // AccessDenied's message names the platform's own principal, which is the operator's business: the code suffices.
  if (isRefusal(result.error)) return { kind: 'refused', error: (result.error as Error).name };
  if (isRequestProblem(result.error)) return { kind: 'invalid', error: describeAwsError(result.error) };
  throw new TrustgateError(
    'AWS_ERROR',
    `AWS did not answer whether the role can be assumed for the attachment (${result.attempts} attempt(s)): ${describeAwsError(result.error)}`,
    { cause: result.error },
  );
}

/** The StringLike patterns the connection's deliverables put in the role's trust policy (scoped trust only). */
function trustedPatterns(connection: Connection): string[] {
  const trust = connection.externalIdTrust;
  if (trust.kind !== 'scoped') return [connection.externalId];
  return connectionScopedExternalIdPatterns({
    externalId: connection.externalId,
    ...(trust.stacks === undefined ? {} : { stacks: trust.stacks }),
    phases: trust.phases,
  });
}

const SESSION_ACTIONS_HINT = ' and allow sts:TagSession and sts:SetSourceIdentity (the connection tags sessions)';

/** What the customer must change when the role refused a phase's external ID. */
export function refusedHint(connection: Connection, stack: Stack, phase: RunPhase, externalId: string): string {
  const trust = connection.externalIdTrust;
  const tagging = connection.sessionTagging ? SESSION_ACTIONS_HINT : '';
  if (trust.kind === 'exact') {
    return `The role's trust policy must admit the platform with "StringEquals": {"sts:ExternalId": "${externalId}"}${tagging}: apply the connection's current template (update the stack), then attach again.`;
  }
  const admits = `The trust policy admits only ${trustedPatterns(connection).join(', ')}`;
  if (trust.stacks !== undefined && !trust.stacks.includes(stack.slug)) {
    return `${admits}; add ${externalId}: give the connection's externalIdTrust.stacks "${stack.slug}" (PATCH /v1/connections/${connection.id}), apply the updated template, then attach again.`;
  }
  if (!trust.phases.includes(phase)) {
    return `${admits} (read only); add ${externalId}: set the connection's externalIdTrust.phases to ["read", "write"] and apply the updated template — or attach with phases ["read"].`;
  }
  return `The connection's template trusts ${externalId}, but the role refused it: apply the connection's current template (update the stack) so its trust policy admits "StringLike": {"sts:ExternalId": ${JSON.stringify(trustedPatterns(connection))}}${tagging}, then attach again.`;
}

/** One account's insecurity and lock probes: each that was admitted, with what to change. */
async function probeAccount(
  sts: StsPort,
  input: VerifyAttachmentInput,
  role: ConnectionRole,
  retry: RetryOptions,
): Promise<{ reason: string; fixHint: string }[]> {
  const { connection, stack, attachment } = input;
  const assume = stsAssumer(sts, role.roleArn, roleSessionName(`tg-verify-${stack.slug}-probe`));
  const trust = connection.externalIdTrust;
  const scopedId = (slug: string, phase: RunPhase) =>
    connectionScopedExternalId({ externalId: connection.externalId, stackSlug: slug, phase });
  const firstPhase = attachment.phases[0] ?? 'read';
  const otherStack = `tg-wrong-${randomBytes(6).toString('hex')}`;
  const [without, wrong, wrongStack, wrongPhase] = await Promise.all([
    probe(assume, undefined, retry),
    probe(assume, wrongExternalId(), retry),
    trust.kind === 'scoped' && trust.stacks !== undefined
      ? probe(assume, scopedId(otherStack, firstPhase), retry)
      : undefined,
    trust.kind === 'scoped' && !trust.phases.includes('write') && !attachment.phases.includes('write')
      ? probe(assume, scopedId(stack.slug, 'write'), retry)
      : undefined,
  ]);
  const problems: { reason: string; fixHint: string }[] = [];
  const reapply = "apply the connection's current template (update the stack), which does this";
  if (without === 'assumable' || wrong === 'assumable') {
    const how = without === 'assumable' ? 'without any external ID' : 'with a wrong external ID';
    problems.push({
      reason: `The role can be assumed ${how}: any customer of this platform could make it act in this account (the confused-deputy problem).`,
      fixHint: `Every statement of the trust policy that trusts the platform must require the external ID (${trustedPatterns(connection).join(', ')}): ${reapply}.`,
    });
  }
  if (wrongStack === 'assumable') {
    problems.push({
      reason: `The role admitted the external ID of another stack (${otherStack}), though the connection trusts only stacks ${trust.kind === 'scoped' ? (trust.stacks ?? []).join(', ') : ''}.`,
      fixHint: `The trust policy must admit only ${trustedPatterns(connection).join(', ')}: ${reapply}.`,
    });
  }
  if (wrongPhase === 'assumable') {
    problems.push({
      reason: 'The role admitted the write phase, though the connection trusts only the read phase.',
      fixHint: `The trust policy must admit only ${trustedPatterns(connection).join(', ')}: ${reapply}.`,
    });
  }
  return problems;
}

/** One (account, phase) check from its assumption and its account's probes. */
/** The session duration issuance will ask for the request: the attachment's, clamped (chained sessions: one hour). */
function runDuration(deps: ConnectionDeps, connection: Connection, request: AssumptionRequest): number {
  const chained = deps.broker?.chainedSessions ?? platformFor(deps, connection.partition).roleArn !== undefined;
  return sessionDuration({ requestedSeconds: request.durationSeconds, chained }).seconds;
}

function phaseCheck(
  input: VerifyAttachmentInput,
  role: ConnectionRole,
  phase: RunPhase,
  request: AssumptionRequest,
  outcome: PhaseOutcome,
  problems: { reason: string; fixHint: string }[],
): AttachmentPhaseCheck {
  const base = { accountId: role.accountId, phase };
  if (outcome.kind === 'refused') {
    return {
      ...base,
      ok: false,
      reason: `The role refused the ${phase} phase's external ID ${request.externalId} (${outcome.error}).`,
      fixHint: refusedHint(input.connection, input.stack, phase, request.externalId),
    };
  }
  if (outcome.kind === 'invalid') {
    return {
      ...base,
      ok: false,
      reason: `STS refused the ${phase} phase's request: ${outcome.error}.`,
      fixHint:
        phase === 'read' && request.policy !== undefined
          ? 'The read-only session policy does not fit with the session tags: attach without readOnlySessionPolicy, or select fewer integrations.'
          : /MaxSessionDuration/i.test(outcome.error)
            ? `The role's maximum session duration is below the attachment's ${request.durationSeconds} s: attach with a shorter durationSeconds, or raise the role's MaxSessionDuration.`
            : 'Check the attachment settings (region, duration) against the role.',
    };
  }
  const first = problems[0];
  if (first !== undefined) {
    return {
      ...base,
      ok: false,
      reason: problems.map((p) => p.reason).join(' '),
      fixHint: first.fixHint,
    };
  }
  return {
    ...base,
    ok: true,
    reason: `Assumed with ${request.externalId}; refused without an external ID and with a wrong one${input.connection.externalIdTrust.kind === 'scoped' ? ', and the trust form holds' : ''}.`,
  };
}

/**
 * Proves an attachment before it is stored (issue 12, "Attaching verifies like Spacelift"): for each covered account
 * and each allowed phase, the platform assumes the role with that phase's request (external ID, session policy,
 * source identity and tags as runs will send them) — it must work; for each account, assuming it without an
 * external ID and with a wrong one must be refused; for scoped trust, another stack's ID (when the connection trusts
 * listed stacks) and the write phase (when it trusts read only) must be refused too, which proves the lock. A probe
 * or an assumption AWS gives no answer (throttling, 5xx, timeout) is asked again within the deps' probe retry and
 * then throws AWS_ERROR: never read as secure. Returns every check; the caller decides.
 */
export async function verifyAttachment(
  deps: ConnectionDeps,
  input: VerifyAttachmentInput,
): Promise<AttachmentVerification> {
  const { connection, stack, attachment } = input;
  if (connection.trust.kind === 'oidc') return verifyOidcAttachment(deps, input);
  const region = attachment.region ?? connection.region ?? undefined;
  const sts = deps.aws.sts({ partition: connection.partition, ...(region === undefined ? {} : { region }) });
  const stop = new AbortController();
  const retry: RetryOptions = { ...PROBE_RETRY_DEFAULTS, ...deps.probeRetry, signal: stop.signal };
  try {
    const perAccount = await Promise.all(
      input.roles.map(async (role) => {
        const requests = await Promise.all(
          attachment.phases.map(async (phase) => {
            const request = await assumptionRequest({
              connection,
              role,
              attachment,
              stack,
              phase,
              runId: 'attach-verification',
              ...(region === undefined ? {} : { region }),
            });
            return { ...request, roleSessionName: roleSessionName(`tg-verify-${stack.slug}-${phase}`) };
          }),
        );
        const [outcomes, probes] = await Promise.all([
          Promise.all(requests.map((r) => assumePhase(sts, r, runDuration(deps, connection, r), retry))),
          probeAccount(sts, input, role, retry),
        ]);
        return attachment.phases.map((phase, i) =>
          phaseCheck(input, role, phase, requests[i] as AssumptionRequest, outcomes[i] as PhaseOutcome, probes),
        );
      }),
    );
    return { at: nowIso(), checks: perAccount.flat() };
  } finally {
    stop.abort();
  }
}
