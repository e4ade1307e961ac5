import {
  connectionScopedExternalId,
  loadAwsActionList,
  readOnlySessionPolicy,
  roleSessionName,
  SESSION_POLICY_MAX_CHARS,
  sourceIdentity,
  TrustgateError,
  type RunPhase,
} from '@trustgate/core';
import type { Attachment, Stack } from '../../model/broker-records.ts';
import type { Connection, ConnectionRole } from '../../model/records.ts';

/**
 * The session tag keys a run's session carries when the connection allows tagging (`sts:TagSession`): CloudTrail and
 * the customer's policies (`aws:PrincipalTag/trustgate:stack`) see the stack, phase and run.
 */
export const SESSION_TAG_KEYS = { stack: 'trustgate:stack', phase: 'trustgate:phase', run: 'trustgate:run' } as const;

/**
 * Characters STS's packed-policy limit spends on each tag beyond its key and value. Measured against AWS's packing
 * nowhere (it is a binary format AWS does not publish); a margin, so a read-phase policy that fits on its own is not
 * refused with PackedPolicyTooLarge once the tags ride along.
 */
const TAG_OVERHEAD_CHARS = 16;

/** What one AssumeRole call of a run asks for: the parameters STS takes (and a worker receives in assume-on-worker mode). */
export interface AssumptionRequest {
  roleArn: string;
  /** The external ID the call passes (exact form, scoped form, or the attachment's custom ID on a worker). */
  externalId: string;
  /** 2-64 characters of `[\w+=,.@-]`: `tg-<stack>-<run>` per run, `tg-<stack>-<phase>` shared. */
  roleSessionName: string;
  /** What the attachment asks for; clamped at issue time to what AWS allows (core's sessionDuration). */
  durationSeconds: number;
  /** The read phase's session policy (compact JSON, as STS's `Policy` takes it), with `readOnlySessionPolicy`. */
  policy?: string;
  /** Only when the connection allows `sts:SetSourceIdentity`. */
  sourceIdentity?: string;
  /** Only when the connection allows `sts:TagSession`: stack, phase and (per run) the run. */
  tags?: Record<string, string>;
}

/** Input of {@link assumptionRequest}. */
export interface AssumptionRequestInput {
  connection: Connection;
  /** The connection's role in the account the run acts in. */
  role: ConnectionRole;
  attachment: Attachment;
  stack: Stack;
  phase: RunPhase;
  /** The run; required for `per-run` sessions, unused by `shared` ones. */
  runId?: string;
  /** The region the credentials are for (the STS endpoint's region); not part of the call itself. */
  region?: string;
}

/**
 * A session tag value within AWS's rules (tag values: up to 256 characters of letters, digits, white space and
 * `_ . : / = + - @`, IAM User Guide "Tagging AWS STS sessions"): other characters become `_`.
 */
function tagValue(text: string): string {
  const cleaned = text.replace(/[^\p{L}\p{N}\p{Z}_.:/=+\-@]/gu, '_').slice(0, 256);
  return cleaned.length === 0 ? '_' : cleaned;
}

/** The external ID a run of `stack` in `phase` passes for this attachment. */
export function externalIdFor(
  input: Pick<AssumptionRequestInput, 'connection' | 'attachment' | 'stack' | 'phase'>,
): string {
  const { connection, attachment, stack, phase } = input;
  if (attachment.assumeOnWorker && attachment.customExternalId !== null) return attachment.customExternalId;
  if (connection.externalIdTrust.kind === 'scoped')
    return connectionScopedExternalId({ externalId: connection.externalId, stackSlug: stack.slug, phase });
  return connection.externalId;
}

/** The session tags of a run (`runId` omitted for shared sessions). */
export function sessionTags(stack: Stack, phase: RunPhase, runId?: string): Record<string, string> {
  return {
    [SESSION_TAG_KEYS.stack]: tagValue(stack.slug),
    [SESSION_TAG_KEYS.phase]: phase,
    ...(runId === undefined ? {} : { [SESSION_TAG_KEYS.run]: tagValue(runId) }),
  };
}

/** Characters the tags take from the session policy's room (see {@link TAG_OVERHEAD_CHARS}). */
function tagRoom(tags: Record<string, string> | undefined): number {
  if (tags === undefined) return 0;
  return Object.entries(tags).reduce((n, [k, v]) => n + k.length + v.length + TAG_OVERHEAD_CHARS, 0);
}

/**
 * What a run's AssumeRole call asks for (issue 12): the role of the account, the phase's external ID (the
 * connection's ID as is for exact trust, `<id>@<stack>@<phase>` for scoped trust, the attachment's custom ID in
 * assume-on-worker mode), a role session name that names the run (`per-run`) or the stack and phase (`shared`) within
 * AWS's rules, the attachment's duration, the read phase's session policy when the attachment asks for it — only the
 * List/Read actions among the connection's integrations' actions and its extra actions (throws POLICY_TOO_LARGE when
 * it cannot fit, leaving room for the tags) — and SourceIdentity and session tags only when the connection's trust
 * policy allows `sts:SetSourceIdentity` and `sts:TagSession`.
 * Throws INVALID_INPUT when a per-run session has no run ID.
 */
export async function assumptionRequest(input: AssumptionRequestInput): Promise<AssumptionRequest> {
  const { connection, role, attachment, stack, phase, runId } = input;
  const perRun = attachment.sessionMode === 'per-run';
  if (perRun && (runId === undefined || runId.length === 0)) {
    throw new TrustgateError('INVALID_INPUT', 'A per-run session needs the run ID.', { field: 'runId' });
  }
  const label = perRun ? `tg-${stack.slug}-${runId ?? ''}` : `tg-${stack.slug}-${phase}`;
  const tags = connection.sessionTagging ? sessionTags(stack, phase, perRun ? runId : undefined) : undefined;
  let policy: string | undefined;
  if (phase === 'read' && attachment.readOnlySessionPolicy) {
    const scoped = readOnlySessionPolicy({
      actions: [
        ...new Set([...connection.issuedPolicy.requiredActions.flatMap((r) => r.actions), ...connection.extraActions]),
      ],
      actionList: await loadAwsActionList(),
      partition: connection.partition,
      maxChars: SESSION_POLICY_MAX_CHARS - tagRoom(tags),
    });
    policy = JSON.stringify(scoped.document);
  }
  return {
    roleArn: role.roleArn,
    externalId: externalIdFor(input),
    roleSessionName: roleSessionName(label),
    durationSeconds: attachment.durationSeconds,
    ...(policy === undefined ? {} : { policy }),
    ...(connection.sessionTagging ? { sourceIdentity: sourceIdentity(label) } : {}),
    ...(tags === undefined ? {} : { tags }),
  };
}
