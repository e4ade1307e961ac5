import {
  assertNoErrors,
  TrustgateError,
  validateAccountId,
  validateExternalId,
  validateRegion,
  type RunPhase,
} from '@trustgate/core';
import { accessLevelOf, loadConnectionFor } from '../../auth/connection-access.ts';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { Attachment, AttachmentVerification, SessionMode, Stack } from '../../model/broker-records.ts';
import type { Connection, ConnectionRole } from '../../model/records.ts';
import { newId, nowIso } from '../../store/new-id.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { ConnectionDeps } from '../deps.ts';
import { assumptionRequest } from './assumption-request.ts';
import { loadStack } from './stacks.ts';
import { verifyAttachment } from './verify-attachment.ts';

/** AssumeRole's DurationSeconds range (900 s to a role's largest MaxSessionDuration, 43,200 s). */
export const MIN_DURATION_SECONDS = 900;
/** See {@link MIN_DURATION_SECONDS}. */
export const MAX_DURATION_SECONDS = 43_200;
/** AssumeRole's default session duration, and the attachment's. */
export const DEFAULT_DURATION_SECONDS = 3_600;

/** Input of {@link createAttachment}. */
export interface CreateAttachmentInput {
  connectionId: string;
  /** Accounts of the connection the stack may use; omitted = every account the connection has a role in. */
  accountIds?: string[] | null;
  phases: RunPhase[];
  durationSeconds?: number;
  region?: string | null;
  readOnlySessionPolicy?: boolean;
  sessionMode?: SessionMode;
  assumeOnWorker?: boolean;
  customExternalId?: string | null;
}

/** What the API shows of an attachment. */
export type AttachmentView = Omit<Attachment, 'organizationId'>;

/** The public view of an attachment. */
export function toAttachmentView(a: Attachment): AttachmentView {
  const { organizationId: _organizationId, ...view } = a;
  return view;
}

/** INVALID_INPUT naming the field. */
export function invalid(field: string, message: string): TrustgateError {
  return new TrustgateError('INVALID_INPUT', `${field}: ${message}`, { field });
}

/**
 * The connection's roles in the accounts an attachment covers: the listed accounts (each must hold a role of the
 * connection — one in its scope that was verified at least once), or every role the connection has.
 */
export function coveredRoles(
  connection: Connection,
  roles: ConnectionRole[],
  accountIds: string[] | null,
): ConnectionRole[] {
  if (accountIds === null) {
    if (roles.length === 0)
      throw invalid(
        'connectionId',
        `the connection has no role yet: apply its template and verify it (POST /v1/connections/${connection.id}/verify) before attaching.`,
      );
    return roles;
  }
  if (accountIds.length === 0)
    throw invalid('accountIds', 'list at least one account, or omit accountIds for every account of the connection.');
  return [...new Set(accountIds)].map((accountId, i) => {
    assertNoErrors(validateAccountId(accountId, `accountIds[${i}]`), 'INVALID_ACCOUNT_ID');
    const role = roles.find((r) => r.accountId === accountId);
    if (role === undefined) {
      const known = roles.map((r) => r.accountId).join(', ') || 'none yet';
      throw invalid(
        `accountIds[${i}]`,
        `account ${accountId} is not covered by this connection (its roles are in: ${known}); verify the connection's role in that account first, or leave it out.`,
      );
    }
    return role;
  });
}

/** Checks the settings of a new (or changed) attachment before any AWS call; returns the phases in canonical order. */
export function checkSettings(connection: Connection, input: CreateAttachmentInput): RunPhase[] {
  const phases = (['read', 'write'] as const).filter((p) => input.phases.includes(p));
  if (phases.length === 0 || input.phases.some((p) => p !== 'read' && p !== 'write'))
    throw invalid('phases', 'allow "read" (plan), "write" (apply) or both.');
  const duration = input.durationSeconds ?? DEFAULT_DURATION_SECONDS;
  if (!Number.isInteger(duration) || duration < MIN_DURATION_SECONDS || duration > MAX_DURATION_SECONDS)
    throw invalid(
      'durationSeconds',
      `a whole number of seconds from ${MIN_DURATION_SECONDS} to ${MAX_DURATION_SECONDS} (AssumeRole's range; clamped at issue time to the role's MaxSessionDuration, and to 3,600 when the platform's identity is itself a role session).`,
    );
  if (input.region != null)
    assertNoErrors(validateRegion(input.region, { path: 'region', partition: connection.partition }));
  if (input.customExternalId != null) {
    if (input.assumeOnWorker !== true)
      throw invalid(
        'customExternalId',
        "a custom external ID is allowed only with assumeOnWorker: true. When trustgate assumes the role with its own identity, an external ID a tenant chose would let one tenant make trustgate use another tenant's role (the confused deputy); on the worker, the worker's own identity assumes it.",
      );
    assertNoErrors(validateExternalId(input.customExternalId, 'customExternalId'), 'INVALID_EXTERNAL_ID');
  }
  if (input.readOnlySessionPolicy === true && !phases.includes('read'))
    throw invalid('readOnlySessionPolicy', 'the read-only session policy applies to the read phase: allow "read" too.');
  return phases;
}

/** Loads a stack's attachment (NOT_FOUND when it is not the stack's, or not of the caller's organization). */
export async function loadAttachment(
  deps: ConnectionDeps,
  principal: Principal,
  stackId: string,
  attachmentId: string,
): Promise<{ stack: Stack; attachment: Attachment }> {
  const stack = await loadStack(deps, principal, stackId);
  const attachment = await deps.store.attachments.get(principal.organizationId, attachmentId);
  if (attachment === undefined || attachment.stackId !== stack.id)
    throw new TrustgateError('NOT_FOUND', 'No such attachment.', { field: 'attachmentId' });
  return { stack, attachment };
}

/** VERIFICATION_FAILED naming every failed check and what to change. */
export function verificationFailed(
  verification: AttachmentVerification,
  what = 'The attachment was not made',
): TrustgateError {
  const failed = verification.checks.filter((c) => !c.ok);
  const summary = failed.map((c) => `account ${c.accountId}, ${c.phase}: ${c.reason} ${c.fixHint ?? ''}`.trim());
  return new TrustgateError(
    'VERIFICATION_FAILED',
    `${what}: ${failed.length} of ${verification.checks.length} check(s) failed. ${summary.join(' | ')}`,
    { details: { checks: verification.checks } },
  );
}

/**
 * Attaches a connection to a stack (editor access on the connection, both in the caller's organization). Checks the
 * settings, then — before anything is written — verifies every covered account and allowed phase for real
 * ({@link verifyAttachment}); any failed check is VERIFICATION_FAILED with `details.checks` (each with a fix hint) and
 * nothing is stored. A read-only session policy that cannot fit is POLICY_TOO_LARGE here, not at the first run. With
 * a custom external ID (assume on worker only) the worker's identity assumes the role, which trustgate cannot act
 * as: the attachment is stored unverified (`verification: null`). An OIDC connection's assume-on-worker attachment is
 * verified like any other (its runs assume with the tokens trustgate mints); it takes no custom external ID.
 * Audited as `attachment.create`.
 */
export async function createAttachment(
  deps: ConnectionDeps,
  principal: Principal,
  stackId: string,
  input: CreateAttachmentInput,
): Promise<AttachmentView> {
  requireScope(principal, 'connections:write');
  const stack = await loadStack(deps, principal, stackId);
  const { connection } = await loadConnectionFor(deps.store, principal, input.connectionId, 'editor');
  if (connection.trust.kind === 'oidc' && input.customExternalId != null)
    throw invalid(
      'customExternalId',
      "an OIDC connection's role trusts trustgate's tokens, not an external ID: leave it out (with assumeOnWorker the run gets the token to assume the role with).",
    );
  const phases = checkSettings(connection, input);
  const roles = coveredRoles(
    connection,
    await deps.store.connections.listRoles(connection.id),
    input.accountIds ?? null,
  );
  const existing = await deps.store.attachments.find(principal.organizationId, stack.id, connection.id);
  if (existing !== undefined)
    throw new TrustgateError(
      'CONFLICT',
      `Stack ${stack.slug} is already attached to this connection (attachment ${existing.id}): delete that attachment first.`,
      { field: 'connectionId' },
    );
  const now = nowIso();
  const draft: Attachment = {
    id: newId('att'),
    organizationId: principal.organizationId,
    stackId: stack.id,
    connectionId: connection.id,
    accountIds: input.accountIds == null ? null : roles.map((r) => r.accountId),
    phases,
    durationSeconds: input.durationSeconds ?? DEFAULT_DURATION_SECONDS,
    region: input.region ?? null,
    readOnlySessionPolicy: input.readOnlySessionPolicy ?? false,
    sessionMode: input.sessionMode ?? 'per-run',
    assumeOnWorker: input.assumeOnWorker ?? false,
    customExternalId: input.customExternalId ?? null,
    verification: null,
    createdAt: now,
    updatedAt: now,
  };
  const firstRole = roles[0] as ConnectionRole;
  // POLICY_TOO_LARGE (and any other refusal of the request itself) before any AWS call.
  for (const phase of phases)
    await assumptionRequest({ connection, role: firstRole, attachment: draft, stack, phase, runId: 'check' });
  if (draft.customExternalId === null) {
    draft.verification = await verifyAttachment(deps, { connection, roles, stack, attachment: draft });
    if (draft.verification.checks.some((c) => !c.ok)) throw verificationFailed(draft.verification);
  }
  await deps.store.transaction(async (repos) => {
    await repos.attachments.insert(draft);
    await recordAudit(repos, {
      principal,
      action: 'attachment.create',
      connectionId: connection.id,
      details: {
        attachmentId: draft.id,
        stackId: stack.id,
        slug: stack.slug,
        phases,
        accountIds: draft.accountIds,
        verified: draft.verification !== null,
      },
    });
  });
  return toAttachmentView(draft);
}

/** A stack's attachments the caller can see (token scope `connections:read`; viewer access on each connection). */
export async function listAttachments(
  deps: ConnectionDeps,
  principal: Principal,
  stackId: string,
): Promise<AttachmentView[]> {
  const stack = await loadStack(deps, principal, stackId);
  const all = await deps.store.attachments.listByStack(principal.organizationId, stack.id);
  const visible: AttachmentView[] = [];
  for (const a of all) {
    const connection = await deps.store.connections.get(principal.organizationId, a.connectionId);
    if (connection !== undefined && (await accessLevelOf(deps.store, principal, connection)) !== undefined)
      visible.push(toAttachmentView(a));
  }
  return visible;
}

/** Detaches a connection from a stack (editor access on the connection). Audited as `attachment.delete`. */
export async function deleteAttachment(
  deps: ConnectionDeps,
  principal: Principal,
  stackId: string,
  attachmentId: string,
): Promise<void> {
  const { stack, attachment } = await loadAttachment(deps, principal, stackId, attachmentId);
  await loadConnectionFor(deps.store, principal, attachment.connectionId, 'editor');
  await deps.store.transaction(async (repos) => {
    await repos.attachments.delete(principal.organizationId, attachment.id);
    await recordAudit(repos, {
      principal,
      action: 'attachment.delete',
      connectionId: attachment.connectionId,
      details: { attachmentId: attachment.id, stackId: stack.id, slug: stack.slug },
    });
  });
}

/**
 * Verifies an attachment again, as attaching did (editor access on the connection), and stores the result whatever
 * it is: a failed check shows in `verification.checks` with its fix hint. An attachment with a custom external ID is
 * not verified by trustgate (INVALID_INPUT). Audited as `attachment.verify`.
 */
export async function reverifyAttachment(
  deps: ConnectionDeps,
  principal: Principal,
  stackId: string,
  attachmentId: string,
): Promise<AttachmentView> {
  const { stack, attachment } = await loadAttachment(deps, principal, stackId, attachmentId);
  const { connection } = await loadConnectionFor(deps.store, principal, attachment.connectionId, 'editor');
  if (attachment.customExternalId !== null)
    throw invalid(
      'attachmentId',
      "an attachment with a custom external ID is assumed by the worker's own identity, which trustgate cannot act as; its runs prove it.",
    );
  const roles = coveredRoles(connection, await deps.store.connections.listRoles(connection.id), attachment.accountIds);
  const verification = await verifyAttachment(deps, { connection, roles, stack, attachment });
  const next: Attachment = { ...attachment, verification, updatedAt: nowIso() };
  await deps.store.transaction(async (repos) => {
    await repos.attachments.update(next);
    await recordAudit(repos, {
      principal,
      action: 'attachment.verify',
      connectionId: connection.id,
      details: {
        attachmentId: attachment.id,
        stackId: stack.id,
        ok: verification.checks.every((c) => c.ok),
        failed: verification.checks.filter((c) => !c.ok).map((c) => ({ accountId: c.accountId, phase: c.phase })),
      },
    });
  });
  return toAttachmentView(next);
}
