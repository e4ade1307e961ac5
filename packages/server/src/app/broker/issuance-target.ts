import { partitionInfo, TrustgateError, type RunPhase } from '@trustgate/core';
import { accessLevelOf } from '../../auth/connection-access.ts';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { Attachment, Stack } from '../../model/broker-records.ts';
import { accessAtLeast, type Connection, type ConnectionRole } from '../../model/records.ts';
import type { Store } from '../../store/store.ts';

/** What an issuance names: the stack (ID or slug), phase, and where needed the account, connection and region. */
export interface IssuanceTargetInput {
  stack: string;
  phase: RunPhase;
  accountId?: string;
  connectionId?: string;
  region?: string;
}

/** Everything an issuance acts on, resolved and authorized. */
export interface IssuanceTarget {
  stack: Stack;
  attachment: Attachment;
  connection: Connection;
  role: ConnectionRole;
  accountId: string;
  region: string;
}

/** Role statuses of a role that verification assumed with the connection's external ID. */
const ASSUMED_BY_VERIFICATION: ReadonlySet<string> = new Set(['connected', 'needs-update']);

/** The accounts an attachment lets the stack use: its own list, else the connection's scope (or its known roles). */
function coveredAccounts(attachment: Attachment, connection: Connection, roles: ConnectionRole[]): string[] {
  if (attachment.accountIds !== null) return attachment.accountIds;
  const scope = connection.scope;
  if (scope.kind === 'account') return [scope.accountId];
  if (scope.kind === 'accounts') return scope.accountIds;
  return [...new Set(roles.map((r) => r.accountId))];
}

/** The refusal of a stack outside the token's issue restriction: the same whether or not such a stack exists. */
function outsideRestriction(): TrustgateError {
  return new TrustgateError(
    'FORBIDDEN',
    'This token may not issue credentials for this stack (its issue restriction).',
    {
      field: 'stack',
    },
  );
}

/** Throws FORBIDDEN unless the token's issue restriction (spaces and/or stacks) admits the stack. */
export function checkIssueRestriction(principal: Principal, stack: Stack): void {
  const r = principal.token.issueRestriction;
  if (r === null || r === undefined) return;
  const spaceOk = r.spaceIds === undefined || (stack.spaceId !== null && r.spaceIds.includes(stack.spaceId));
  const stackOk = r.stackIds === undefined || r.stackIds.includes(stack.id);
  if (!spaceOk || !stackOk) throw outsideRestriction();
}

/**
 * Resolves and authorizes an issuance (issue 12): the token carries `credentials:issue`; the stack exists in the
 * caller's organization (else NOT_FOUND) and the token's issue restriction admits it (a restricted token gets the
 * restriction's FORBIDDEN for a missing stack too, so it cannot tell which stacks outside it exist); among the stack's
 * attachments allowing the phase, those on connections where the caller holds at least `user` access (organization
 * admins hold every connection); `connectionId` and `accountId` choose among several (400 naming the field when a choice is
 * needed); the account must be covered by the attachment and have a role of the connection.
 */
export async function resolveIssuanceTarget(
  store: Store,
  principal: Principal,
  input: IssuanceTargetInput,
): Promise<IssuanceTarget> {
  requireScope(principal, 'credentials:issue');
  const org = principal.organizationId;
  // A slug is `[a-z0-9-]` and an ID carries its `stk_` prefix: one lookup, not two.
  const stack = input.stack.includes('_')
    ? await store.stacks.get(org, input.stack)
    : await store.stacks.getBySlug(org, input.stack);
  if (stack === undefined) {
    if (principal.token.issueRestriction != null) throw outsideRestriction();
    throw new TrustgateError('NOT_FOUND', 'No such stack.', { field: 'stack' });
  }
  checkIssueRestriction(principal, stack);
  const attached = (await store.attachments.listByStack(org, stack.id)).filter(
    (a) =>
      a.phases.includes(input.phase) && (input.connectionId === undefined || a.connectionId === input.connectionId),
  );
  if (attached.length === 0)
    throw new TrustgateError(
      'FORBIDDEN',
      `No connection is attached to stack ${stack.slug} for the ${input.phase} phase${input.connectionId === undefined ? '' : ` as ${input.connectionId}`}.`,
      { field: 'phase' },
    );
  const usable: { attachment: Attachment; connection: Connection; roles: ConnectionRole[]; accounts: string[] }[] = [];
  for (const attachment of attached) {
    const connection = await store.connections.get(org, attachment.connectionId);
    if (connection === undefined) continue;
    const level = await accessLevelOf(store, principal, connection);
    if (level === undefined || !accessAtLeast(level, 'user')) continue;
    const roles = await store.connections.listRoles(connection.id);
    const accounts = coveredAccounts(attachment, connection, roles);
    if (input.accountId !== undefined && !accounts.includes(input.accountId)) continue;
    usable.push({ attachment, connection, roles, accounts });
  }
  if (usable.length === 0) {
    throw new TrustgateError(
      'FORBIDDEN',
      input.accountId === undefined
        ? `Issuing for stack ${stack.slug} needs "user" access on a connection attached to it.`
        : `No connection you hold "user" access on is attached to stack ${stack.slug} for account ${input.accountId}.`,
      { field: input.accountId === undefined ? 'stack' : 'accountId' },
    );
  }
  if (usable.length > 1) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `Several connections are attached to stack ${stack.slug} for this phase (${usable.map((u) => u.connection.id).join(', ')}): give connectionId.`,
      { field: 'connectionId' },
    );
  }
  const { attachment, connection, roles, accounts } = usable[0] as (typeof usable)[number];
  let accountId = input.accountId;
  if (accountId === undefined) {
    if (accounts.length !== 1)
      throw new TrustgateError(
        'INVALID_INPUT',
        accounts.length === 0
          ? `Connection ${connection.id} has no verified account yet: verify it first.`
          : `The attachment covers accounts ${accounts.join(', ')}: give accountId.`,
        { field: 'accountId' },
      );
    accountId = accounts[0] as string;
  }
  const role = roles.find((r) => r.accountId === accountId);
  if (role === undefined)
    throw new TrustgateError(
      'VERIFICATION_FAILED',
      `Connection ${connection.id} has no role in account ${accountId} yet: apply its template there and verify it.`,
      { field: 'accountId' },
    );
  // A worker that assumes with an external ID the tenant chose: trustgate never assumes the role itself, so it hands
  // out only a role this connection's own verification assumed (with its external ID). A role a tenant merely named
  // (STS refused the verification) may belong to another tenant and trust the platform's identity, which the worker
  // may hold: handing it out with a chosen ID would make trustgate the confused deputy.
  if (attachment.assumeOnWorker && attachment.customExternalId !== null && !ASSUMED_BY_VERIFICATION.has(role.status))
    throw new TrustgateError(
      'VERIFICATION_FAILED',
      `Connection ${connection.id}'s role in account ${accountId} is ${role.status}: verify it first (trustgate hands a worker with a custom external ID only a role it assumed itself).`,
      { field: 'stack' },
    );
  const region =
    input.region ?? attachment.region ?? connection.region ?? partitionInfo(connection.partition).defaultRegion;
  return { stack, attachment, connection, role, accountId, region };
}
