import { TrustgateError } from '@trustgate/core';
import { callbackTokenMatches, newCallbackNonce } from '../../auth/callback-token.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { verifyAndRecord } from '../connections/verify-connection.ts';
import type { ConnectionDeps } from '../deps.ts';
import { auditableRoleArn, auditableStackId, NOT_AN_ARN } from './auditable-fields.ts';
import type { CallbackOutcome, CustomResourceRequest } from './custom-resource-request.ts';

/**
 * At most this many refused callbacks (invalid token) are audited per connection and hour: anyone who knows a
 * connection ID can make its stack-less refusals, and each would otherwise add an event to the owner's log.
 */
export const REFUSALS_AUDITED_PER_HOUR = 20;

async function refusalAuditAllowed(
  deps: ConnectionDeps,
  organizationId: string,
  connectionId: string,
): Promise<boolean> {
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const recent = await deps.store.audit.list({ organizationId, connectionId, limit: 200 });
  return (
    recent.filter(
      (e) => e.at >= since && e.action === 'connection.callback' && e.details.refusal === 'invalid-callback-token',
    ).length < REFUSALS_AUDITED_PER_HOUR
  );
}

/** Runs bookkeeping that must not change an answer already decided; a failure goes to the operator's log. */
async function afterDecision(
  deps: ConnectionDeps,
  what: string,
  request: CustomResourceRequest,
  work: () => Promise<unknown>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.log?.warn(
      { err: error, stackId: auditableStackId(request.StackId), requestId: request.RequestId },
      `callback: ${what} failed; the answer stands`,
    );
  }
}

/** What {@link auditCallback} records of a Create or Update callback. */
interface CallbackAudit {
  request: CustomResourceRequest;
  /** The request's StackId as {@link auditableStackId} gives it. */
  stackId: string;
  answer: CallbackOutcome['status'];
  /** Why the callback was refused before any verification, when it was. */
  refusal?: 'invalid-callback-token';
  /** The request's RoleArn as sent; only one that parses as a role ARN is recorded. */
  roleArn: string;
}

/** Records a Create or Update callback's answer in the connection's organization's audit log. */
function auditCallback(
  deps: ConnectionDeps,
  connection: { id: string; organizationId: string },
  audit: CallbackAudit,
): Promise<void> {
  return recordAudit(deps.store, {
    principal: null,
    organizationId: connection.organizationId,
    action: 'connection.callback',
    connectionId: connection.id,
    details: {
      requestType: audit.request.RequestType,
      stackId: audit.stackId,
      answer: audit.answer,
      ...(audit.refusal && { refusal: audit.refusal }),
      roleArn: auditableRoleArn(audit.roleArn),
    },
  });
}

async function decide(deps: ConnectionDeps, request: CustomResourceRequest): Promise<CallbackOutcome> {
  const props = request.ResourceProperties;
  const connectionId = typeof props.ConnectionId === 'string' ? props.ConnectionId : '';
  const token = typeof props.CallbackToken === 'string' ? props.CallbackToken : '';
  const connection = connectionId === '' ? undefined : await deps.store.connections.getAnyOrganization(connectionId);
  const tokenOk =
    connection !== undefined &&
    callbackTokenMatches(deps.callbackSecret, connection.id, connection.callbackNonce, token);
  const stackId = auditableStackId(request.StackId);
  if (request.RequestType === 'Delete') {
    // Never block a stack's deletion; record it when the request is authentic.
    if (connection !== undefined && tokenOk) {
      await afterDecision(deps, 'the audit', request, () =>
        recordAudit(deps.store, {
          principal: null,
          organizationId: connection.organizationId,
          action: 'connection.callback-delete',
          connectionId: connection.id,
          details: { stackId },
        }),
      );
    }
    return {
      status: 'SUCCESS',
      reason: 'Nothing to undo.',
      ...(connection === undefined ? {} : { connectionId: connection.id }),
    };
  }
  const roleArn = typeof props.RoleArn === 'string' ? props.RoleArn : '';
  if (connection === undefined || !tokenOk) {
    const refused: CallbackOutcome = {
      status: 'FAILED',
      reason: 'The callback token is not valid for this connection (it is used once; download the current template).',
    };
    // Audited when the connection exists (the audit log is per organization), capped per hour; the token itself is
    // never recorded, nor the request's free text: only a RoleArn / StackId that parse as such.
    if (connection !== undefined) {
      await afterDecision(deps, 'the audit', request, async () => {
        if (!(await refusalAuditAllowed(deps, connection.organizationId, connection.id))) return;
        await auditCallback(deps, connection, {
          request,
          stackId,
          answer: refused.status,
          refusal: 'invalid-callback-token',
          roleArn,
        });
      });
    }
    return refused;
  }
  let outcome: CallbackOutcome;
  try {
    const { role } = await verifyAndRecord(deps, connection, roleArn, stackId === NOT_AN_ARN ? {} : { stackId });
    outcome =
      role.status === 'connected'
        ? { status: 'SUCCESS', reason: role.statusReason, connectionId: connection.id }
        : { status: 'FAILED', reason: `${role.status}: ${role.statusReason}`, connectionId: connection.id };
  } catch (error) {
    outcome = {
      status: 'FAILED',
      reason: error instanceof TrustgateError ? error.message : 'Verification failed unexpectedly.',
      connectionId: connection.id,
    };
  }
  // The verification is recorded: from here on, a failure is logged and the answer stays the one that matches it.
  if (outcome.status === 'SUCCESS') {
    // One-time: the token dies with this use; templates rendered from now on carry a new one.
    await afterDecision(deps, 'spending the callback token', request, async () => {
      const fresh = (await deps.store.connections.getAnyOrganization(connection.id)) ?? connection;
      await deps.store.connections.update({ ...fresh, callbackNonce: newCallbackNonce() });
    });
  }
  await afterDecision(deps, 'the audit', request, () =>
    auditCallback(deps, connection, { request, stackId, answer: outcome.status, roleArn }),
  );
  return outcome;
}

/** {@link decide}, never throwing: a failure before the verification is recorded answers FAILED (and is logged). */
export async function decideOrFail(deps: ConnectionDeps, request: CustomResourceRequest): Promise<CallbackOutcome> {
  try {
    return await decide(deps, request);
  } catch (error) {
    deps.log?.warn(
      { err: error, stackId: auditableStackId(request.StackId), requestId: request.RequestId },
      'callback: the request could not be decided; answering FAILED',
    );
    return {
      status: 'FAILED',
      reason:
        'trustgate could not decide this request (an internal error); update or re-create the stack to try again.',
    };
  }
}
