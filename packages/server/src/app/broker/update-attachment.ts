import type { RunPhase } from '@trustgate/core';
import { loadConnectionFor } from '../../auth/connection-access.ts';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { Attachment, AttachmentVerification, SessionMode } from '../../model/broker-records.ts';
import type { ConnectionRole } from '../../model/records.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConnectionDeps } from '../deps.ts';
import { assumptionRequest } from './assumption-request.ts';
import {
  checkSettings,
  coveredRoles,
  invalid,
  loadAttachment,
  toAttachmentView,
  verificationFailed,
  type AttachmentView,
} from './attachments.ts';
import { verifyAttachment } from './verify-attachment.ts';

/**
 * What `PATCH /v1/stacks/:id/attachments/:attachmentId` may change: every setting of the attachment but its stack and
 * connection (which are what it is). A field left out stays; `accountIds: null` = every account of the connection.
 */
export interface UpdateAttachmentInput {
  accountIds?: string[] | null;
  phases?: RunPhase[];
  durationSeconds?: number;
  region?: string | null;
  readOnlySessionPolicy?: boolean;
  sessionMode?: SessionMode;
  assumeOnWorker?: boolean;
  customExternalId?: string | null;
}

/** The settings an update may change, by name (the audit record's `changed` names them). */
const SETTINGS = [
  'accountIds',
  'phases',
  'durationSeconds',
  'region',
  'readOnlySessionPolicy',
  'sessionMode',
  'assumeOnWorker',
  'customExternalId',
] as const satisfies readonly (keyof UpdateAttachmentInput & keyof Attachment)[];

/** A setting as the audit record shows it: a custom external ID only as whether there is one. */
function audited(a: Attachment, key: (typeof SETTINGS)[number]): unknown {
  return key === 'customExternalId' ? a.customExternalId !== null : a[key];
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Why the changed attachment must be proved again before it is stored, or nothing when what runs will ask AWS for can
 * only have narrowed: a phase or an account added (a list widened to every account too), a longer duration (the
 * role's MaxSessionDuration), another region (its STS endpoint), the read-only session policy turned on (it must fit
 * with the tags), or assume on worker / the custom external ID changed (another external ID and delivery). Removing a
 * phase or an account, a shorter duration, the policy turned off or another session mode ask nothing new of the role.
 */
export function reverificationReasons(before: Attachment, after: Attachment): string[] {
  const reasons: string[] = [];
  if (after.phases.some((p) => !before.phases.includes(p))) reasons.push('phases');
  if (
    before.accountIds !== null &&
    (after.accountIds === null || after.accountIds.some((a) => !(before.accountIds as string[]).includes(a)))
  )
    reasons.push('accountIds');
  if (after.durationSeconds > before.durationSeconds) reasons.push('durationSeconds');
  if (after.region !== before.region) reasons.push('region');
  if (after.readOnlySessionPolicy && !before.readOnlySessionPolicy) reasons.push('readOnlySessionPolicy');
  if (after.assumeOnWorker !== before.assumeOnWorker) reasons.push('assumeOnWorker');
  if (after.customExternalId !== before.customExternalId) reasons.push('customExternalId');
  return reasons;
}

/** The stored proof narrowed to what the attachment still covers (checks of removed accounts and phases dropped). */
function narrowedVerification(
  verification: AttachmentVerification | null,
  roles: ConnectionRole[],
  phases: RunPhase[],
): AttachmentVerification | null {
  if (verification === null) return null;
  const accounts = new Set(roles.map((r) => r.accountId));
  return {
    at: verification.at,
    checks: verification.checks.filter((c) => accounts.has(c.accountId) && phases.includes(c.phase)),
  };
}

/** An ISO time later than `previous` (now, or a millisecond after it): every change gives a new `updatedAt`. */
function laterThan(previous: string): string {
  const now = Date.now();
  const before = Date.parse(previous);
  return new Date(Number.isNaN(before) || now > before ? now : before + 1).toISOString();
}

/**
 * Changes an attachment's settings (editor access on its connection; token scope `connections:write`), checked as
 * attaching checks them. When the change asks the role for anything new ({@link reverificationReasons}), the whole
 * attachment is verified again before anything is written, as attaching does: a failed check is VERIFICATION_FAILED
 * with `details.checks` and the attachment stays as it was; a custom external ID leaves it unverified. A narrowing
 * keeps the stored proof of what is still covered. Nothing changed: the attachment as it is, nothing written.
 * Written only if nobody changed the attachment meanwhile (else CONFLICT). Every change gives a later `updatedAt`,
 * which the broker's built requests are keyed by, and moves the store's write epoch, so this instance's next
 * issuance resolves the new settings (another instance within its target memo's TTL, one second by default).
 * Audited as `attachment.update` with each changed setting's old and new value.
 */
export async function updateAttachment(
  deps: ConnectionDeps,
  principal: Principal,
  stackId: string,
  attachmentId: string,
  input: UpdateAttachmentInput,
): Promise<AttachmentView> {
  requireScope(principal, 'connections:write');
  const { stack, attachment } = await loadAttachment(deps, principal, stackId, attachmentId);
  const { connection } = await loadConnectionFor(deps.store, principal, attachment.connectionId, 'editor');
  const merged = { ...attachment };
  for (const key of SETTINGS) if (input[key] !== undefined) Object.assign(merged, { [key]: input[key] });
  if (connection.trust.kind === 'oidc' && merged.customExternalId !== null)
    throw invalid('customExternalId', "an OIDC connection's role trusts trustgate's tokens, not an external ID.");
  if (merged.customExternalId !== null && !merged.assumeOnWorker && input.customExternalId === undefined)
    throw invalid(
      'assumeOnWorker',
      'the attachment has a custom external ID, which is allowed only with assumeOnWorker: true; give customExternalId: null too.',
    );
  const phases = checkSettings(connection, merged);
  const roles = coveredRoles(connection, await deps.store.connections.listRoles(connection.id), merged.accountIds);
  const next: Attachment = {
    ...merged,
    phases,
    accountIds: merged.accountIds === null ? null : roles.map((r) => r.accountId),
  };
  const changed = SETTINGS.filter((k) => !same(attachment[k], next[k]));
  if (changed.length === 0) return toAttachmentView(attachment);
  next.updatedAt = laterThan(attachment.updatedAt);
  // POLICY_TOO_LARGE (and any other refusal of the request itself) before any AWS call.
  for (const phase of phases)
    await assumptionRequest({
      connection,
      role: roles[0] as ConnectionRole,
      attachment: next,
      stack,
      phase,
      runId: 'check',
    });
  const reasons = reverificationReasons(attachment, next);
  if (next.customExternalId !== null) next.verification = null;
  else if (reasons.length === 0) next.verification = narrowedVerification(attachment.verification, roles, phases);
  else {
    next.verification = await verifyAttachment(deps, { connection, roles, stack, attachment: next });
    if (next.verification.checks.some((c) => !c.ok))
      throw verificationFailed(next.verification, 'The attachment was not changed');
  }
  const stored = await deps.store.transaction(async (repos) => {
    const written = await repos.attachments.update(next, { ifUpdatedAt: attachment.updatedAt });
    await recordAudit(repos, {
      principal,
      action: 'attachment.update',
      connectionId: connection.id,
      details: {
        attachmentId: attachment.id,
        stackId: stack.id,
        slug: stack.slug,
        changed: Object.fromEntries(changed.map((k) => [k, { from: audited(attachment, k), to: audited(next, k) }])),
        reverified: next.customExternalId === null && reasons.length > 0,
      },
    });
    return written;
  });
  return toAttachmentView(stored);
}
