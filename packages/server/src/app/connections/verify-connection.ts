import { connectionScopedExternalId, parseRoleArn, assertNoErrors, TrustgateError } from '@trustgate/core';
import { loadConnectionFor } from '../../auth/connection-access.ts';
import { observeOidcRole, oidcInsecureHint } from './verify-oidc-role.ts';
import type { Principal } from '../../auth/principal.ts';
import { verifyRole, type VerifyRoleObservation } from '../../aws/verify-role.ts';
import type { RetryOptions } from '../../aws/retry-with-backoff.ts';
import { nowIso } from '../../store/new-id.ts';
import { platformFor, type ConnectionDeps } from '../deps.ts';
import { toConnectionView, type ConnectionView } from './connection-view.ts';
import { findMissingActions } from './find-missing-actions.ts';
import { observedPolicies } from './connection-drift.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { subjectTemplatesOf } from '../identity/subject-templates.ts';
import type { Connection, ConnectionRole, ConnectionStatus, RoleVerification } from '../../model/records.ts';

/** Worst first: a connection's status is the worst status of its roles. */
const SEVERITY: ConnectionStatus[] = ['insecure', 'broken', 'needs-update', 'pending', 'connected'];

/**
 * Checks a role ARN against a connection before any AWS call: syntax, partition (a role cannot be assumed
 * across partitions) and account within the connection's scope. Throws INVALID_ARN / INVALID_PARTITION /
 * INVALID_INPUT naming `roleArn`. An organization scope admits any account here: membership cannot be read
 * from an ARN, so verification asks Organizations with the role's session and judges it ({@link judgeObservation}).
 */
export function checkRoleArnForConnection(
  connection: Connection,
  roleArn: string,
): { accountId: string; roleName: string } {
  const parsed = parseRoleArn(roleArn, { path: 'roleArn', partition: connection.partition });
  if (!parsed.ok) {
    assertNoErrors(parsed.findings, 'INVALID_ARN');
    throw new TrustgateError('INVALID_ARN', 'The role ARN is not valid.', { field: 'roleArn' });
  }
  const { accountId, roleName } = parsed.role;
  const scope = connection.scope;
  const inScope =
    scope.kind === 'account'
      ? scope.accountId === accountId
      : scope.kind === 'accounts'
        ? scope.accountIds.includes(accountId)
        : true;
  if (!inScope) {
    throw new TrustgateError('INVALID_INPUT', `Account ${accountId} is not within this connection's scope.`, {
      field: 'roleArn',
    });
  }
  return { accountId, roleName };
}

/** The stack slug a scoped connection is verified with when it trusts any stack. */
export const VERIFY_STACK_SLUG = 'trustgate-verify';

/**
 * The external ID verification assumes a connection's role with: the ID itself for exact trust; for scoped trust, the
 * scoped form of the first trusted stack (any stack: {@link VERIFY_STACK_SLUG}) and the first trusted phase, which the
 * connection's trust policy admits.
 */
export function verificationExternalId(connection: Connection, externalId: string): string {
  const trust = connection.externalIdTrust;
  if (trust.kind === 'exact') return externalId;
  return connectionScopedExternalId({
    externalId,
    stackSlug: trust.stacks?.[0] ?? VERIFY_STACK_SLUG,
    phase: trust.phases[0] ?? 'read',
  });
}

/** How to fix a trust policy that lets the role be assumed without the right external ID (or OIDC token). */
function insecureHint(
  connection: Connection,
  observation: VerifyRoleObservation,
  issuerUrl?: string,
  templates?: readonly string[],
): string {
  if (observation.acceptedProbes !== undefined)
    return oidcInsecureHint(connection, observation.acceptedProbes, issuerUrl, templates);
  const how = observation.assumableWithoutExternalId ? 'without any external ID' : 'with a wrong external ID';
  if (connection.externalIdTrust.kind === 'scoped') {
    return (
      `The role can be assumed ${how}, so any customer of this platform could make it act in your account (the confused-deputy problem). ` +
      `Fix the role's trust policy: the statement trusting the platform must carry "Condition": {"StringLike": {"sts:ExternalId": ...}} with only the connection's patterns (${connection.externalId}@<stack>@<phase>), ` +
      'and no other statement may trust the platform without it — or re-apply the template, which does this.'
    );
  }
  return (
    `The role can be assumed ${how}, so any customer of this platform could make it act in your account (the confused-deputy problem). ` +
    `Fix the role's trust policy: the statement trusting the platform must carry "Condition": {"StringEquals": {"sts:ExternalId": "${connection.externalId}"}} ` +
    '(and no other statement may trust the platform without it) — or re-apply the template, which does this.'
  );
}

/**
 * For an organization-scoped connection, what is wrong with the account's membership, failing closed: the
 * account must belong to the scope's organization as Organizations tells the role's own session. Another
 * organization or none is `broken`; a membership that could not be read (the role lacks
 * `organizations:DescribeOrganization`, or an SCP denies it) is never `connected` but `needs-update`. OU
 * membership (`organizationalUnitIds`) is not checked.
 */
function organizationProblem(
  connection: Connection,
  accountId: string,
  observation: VerifyRoleObservation,
): { status: 'broken' | 'needs-update'; reason: string } | undefined {
  const scope = connection.scope;
  if (scope.kind !== 'organization') return undefined;
  const org = observation.organization;
  if (org?.kind === 'member' && org.organizationId === scope.organizationId) return undefined;
  if (org?.kind === 'member') {
    return {
      status: 'broken',
      reason: `Account ${accountId} belongs to organization ${org.organizationId}, not ${scope.organizationId}: this connection covers only accounts of ${scope.organizationId}.`,
    };
  }
  if (org?.kind === 'none') {
    return {
      status: 'broken',
      reason: `Account ${accountId} is not in any organization, so it is not in ${scope.organizationId}: this connection covers only accounts of ${scope.organizationId}.`,
    };
  }
  const why = org === undefined ? 'it was not asked' : org.error;
  return {
    status: 'needs-update',
    reason: `Could not check that account ${accountId} belongs to organization ${scope.organizationId} (${why}): the role needs organizations:DescribeOrganization, which the current template grants. Update the stack.`,
  };
}

/** Turns what AWS said into a role's verification result. */
export function judgeObservation(
  connection: Connection,
  accountId: string,
  observation: VerifyRoleObservation,
  issuerUrl?: string,
  templates?: readonly string[],
): RoleVerification {
  const proof = connection.trust.kind === 'oidc' ? "trustgate's OIDC token" : 'the external ID';
  const base = { attempts: observation.attempts, missing: [] as RoleVerification['missing'] };
  if (!observation.assumed) {
    return {
      ...base,
      status: 'broken',
      reason: `The role could not be assumed with ${proof} after ${observation.attempts} attempt(s): ${observation.assumeError ?? 'unknown error'}.`,
    };
  }
  const common = {
    ...base,
    ...(observation.callerArn === undefined ? {} : { callerArn: observation.callerArn }),
    ...(observation.externalIdUsed === undefined ? {} : { externalIdUsed: observation.externalIdUsed }),
  };
  if (observation.callerAccount !== accountId) {
    return {
      ...common,
      status: 'broken',
      reason: `AWS reports the session in account ${observation.callerAccount ?? 'unknown'}, not ${accountId}.`,
    };
  }
  const missing =
    observation.policies === undefined
      ? []
      : findMissingActions({
          issued: connection.issuedPolicy,
          identityPolicies: observation.policies.identityPolicies.map((p) => p.document),
          ...(observation.policies.permissionsBoundary === undefined
            ? {}
            : { permissionsBoundary: observation.policies.permissionsBoundary }),
          principalArn:
            observation.callerArn ?? `arn:${connection.partition}:iam::${accountId}:role/${connection.roleName}`,
        });
  const attached = new Set(observation.policies?.attachedPolicyArns ?? []);
  const missingManaged =
    observation.policies === undefined
      ? []
      : connection.issuedPolicy.managedPolicyArns.filter((arn) => !attached.has(arn));
  const found = {
    ...common,
    missing,
    ...(missingManaged.length > 0 ? { missingManagedPolicies: missingManaged } : {}),
  };
  if (observation.assumableWithoutExternalId || observation.assumableWithWrongExternalId) {
    return {
      ...found,
      status: 'insecure',
      reason:
        observation.acceptedProbes !== undefined
          ? `The role's trust policy accepts tokens it must refuse: ${observation.acceptedProbes.join(', ')}.`
          : "The role's trust policy does not require the external ID.",
      fixHint: insecureHint(connection, observation, issuerUrl, templates),
    };
  }
  const membership = organizationProblem(connection, accountId, observation);
  if (membership !== undefined) return { ...(membership.status === 'broken' ? common : found), ...membership };
  if (observation.policies === undefined) {
    return {
      ...common,
      status: 'needs-update',
      reason: `The role's policies could not be read (${observation.policyReadError ?? 'unknown'}); it needs the IAM read actions on itself that the template grants. Update the stack.`,
    };
  }
  if (missingManaged.length > 0) {
    return {
      ...found,
      status: 'needs-update',
      reason: `The role lacks the managed policies ${missingManaged.join(', ')}${missing.length > 0 ? ` and ${missing.reduce((n, m) => n + m.actions.length, 0)} action(s)` : ''}. Update the stack with the current template.`,
    };
  }
  if (missing.length > 0) {
    const count = missing.reduce((n, m) => n + m.actions.length, 0);
    return {
      ...found,
      status: 'needs-update',
      reason: `The role lacks ${count} action(s) the selected integrations need (${missing.map((m) => `${m.productId}/${m.integrationId}`).join(', ')}). Update the stack with the current template.`,
    };
  }
  if (observation.externalIdUsed === 'previous') {
    return {
      ...common,
      status: 'needs-update',
      reason:
        'The role still accepts only the previous external ID: update the stack with the current template to finish the rotation.',
    };
  }
  return {
    ...common,
    status: 'connected',
    reason:
      connection.trust.kind === 'oidc'
        ? "Verified: assumed with trustgate's OIDC token; another organization's, stack's or phase's token, another audience, an expired token and an unknown key refused; every required action is allowed."
        : 'Verified: assumed with the external ID, refused without it, and every required action is allowed.',
  };
}

/**
 * The connection-level status and reason from its roles: the worst role status; while an account of the
 * scope (`account` / `accounts`) has no role yet, at best `pending`.
 */
export function aggregateStatus(
  roles: Pick<ConnectionRole, 'status' | 'statusReason' | 'accountId'>[],
  expectedAccounts: string[] = [],
): { status: ConnectionStatus; reason: string } {
  const waiting = expectedAccounts.filter((a) => !roles.some((r) => r.accountId === a));
  const all = [
    ...roles,
    ...waiting.map((accountId) => ({
      accountId,
      status: 'pending' as const,
      statusReason: 'No role has been verified in this account yet.',
    })),
  ];
  if (all.length === 0) return { status: 'pending', reason: 'No role has been verified yet.' };
  const worst = [...all].sort((a, b) => SEVERITY.indexOf(a.status) - SEVERITY.indexOf(b.status))[0];
  if (worst === undefined || worst.status === 'connected')
    return { status: 'connected', reason: `All ${all.length} role(s) verified.` };
  return {
    status: worst.status,
    reason: all.length === 1 ? worst.statusReason : `Account ${worst.accountId}: ${worst.statusReason}`,
  };
}

/**
 * Verifies one role of a connection for real and stores the result: while AWS is not yet ready the role's
 * reason says that verification is waiting; the connection's status becomes the worst of its roles; a
 * verified connection records the permissions it was verified with and, after a rotation, drops the old
 * external ID. Returns the stored role.
 */
export async function verifyAndRecord(
  deps: ConnectionDeps,
  connection: Connection,
  roleArn: string,
  origin: { stackId?: string } = {},
): Promise<{ connection: Connection; role: ConnectionRole }> {
  const { accountId, roleName } = checkRoleArnForConnection(connection, roleArn);
  // External-ID trust is verified as the platform: without its identity in the partition (an OIDC-only deployment), a
  // clear 400 before any AWS call, never the SDK's default credential chain.
  if (connection.trust.kind !== 'oidc') platformFor(deps, connection.partition);
  const roleRow = (
    status: ConnectionStatus,
    reason: string,
    details: RoleVerification | null,
    verifiedAt: string | null,
  ): ConnectionRole => ({
    connectionId: connection.id,
    accountId,
    roleArn,
    status,
    statusReason: reason,
    details,
    verifiedAt,
  });
  const retry: RetryOptions = {
    ...deps.verifyRetry,
    onRetry: async ({ attempt, delayMs }) => {
      await deps.store.connections.putRole(
        roleRow(
          'pending',
          `Waiting for AWS: the role is not assumable yet (attempt ${attempt}); retrying in ${delayMs} ms.`,
          null,
          null,
        ),
      );
    },
  };
  const observation: VerifyRoleObservation =
    connection.trust.kind === 'oidc'
      ? await observeOidcRole(deps, connection, { roleArn, roleName, retry })
      : await verifyRole(deps.aws, {
          partition: connection.partition,
          ...(connection.region === null ? {} : { region: connection.region }),
          roleArn,
          roleName,
          accountId,
          externalId: verificationExternalId(connection, connection.externalId),
          previousExternalId:
            connection.previousExternalId === null
              ? null
              : verificationExternalId(connection, connection.previousExternalId),
          sessionName: `trustgate-verify-${connection.id}`.slice(0, 64),
          readOrganization: connection.scope.kind === 'organization',
          retry,
          ...(deps.probeRetry === undefined ? {} : { probeRetry: deps.probeRetry }),
        });
  const known = (await deps.store.connections.listRoles(connection.id)).find(
    (r) => r.accountId === accountId && r.roleArn === roleArn,
  );
  const stackId = origin.stackId ?? known?.details?.stackId;
  const templates = await subjectTemplatesOf(deps, connection.organizationId); // the OIDC hint's sub patterns
  const verdict = {
    ...judgeObservation(connection, accountId, observation, deps.identity?.issuerUrl, templates.trusted),
    ...(stackId === undefined ? {} : { stackId }),
    ...(observation.policies === undefined ? {} : { observed: observedPolicies(observation.policies) }),
  };
  const role = roleRow(verdict.status, verdict.reason, verdict, nowIso());
  await deps.store.connections.putRole(role);
  deps.metrics?.verification(role.status);
  const roles = await deps.store.connections.listRoles(connection.id);
  for (let attempt = 0; ; attempt++) {
    const reread = await deps.store.connections.getAnyOrganization(connection.id);
    const current = reread ?? connection;
    const scope = current.scope;
    const { status, reason } = aggregateStatus(
      roles,
      scope.kind === 'account' ? [scope.accountId] : scope.kind === 'accounts' ? scope.accountIds : [],
    );
    const next: Connection = { ...current, status, statusReason: reason, lastVerifiedAt: role.verifiedAt };
    if (status === 'connected') {
      next.appliedPolicy = current.issuedPolicy;
      if (verdict.externalIdUsed === 'current') next.previousExternalId = null;
    }
    try {
      return { connection: await deps.store.connections.update(next), role };
    } catch (error) {
      if (!(error instanceof TrustgateError && error.code === 'CONFLICT') || attempt >= 3) throw error;
    }
  }
}

/**
 * Manual verification (editor access): with `roleArn`, verifies that role (the customer pasted it, and may give
 * the `stackId` that created it, for update-stack links); without, re-verifies every role the connection has. Audited.
 */
export async function verifyConnection(
  deps: ConnectionDeps,
  principal: Principal,
  id: string,
  input: { roleArn?: string; stackId?: string },
): Promise<ConnectionView> {
  const { connection, level } = await loadConnectionFor(deps.store, principal, id, 'editor');
  const arns =
    input.roleArn !== undefined ? [input.roleArn] : (await deps.store.connections.listRoles(id)).map((r) => r.roleArn);
  if (arns.length === 0)
    throw new TrustgateError('INVALID_INPUT', 'Paste the role ARN the template created.', { field: 'roleArn' });
  if (input.roleArn !== undefined) {
    const { accountId } = checkRoleArnForConnection(connection, input.roleArn);
    if (input.stackId !== undefined && input.stackId.split(':')[4] !== accountId) {
      throw new TrustgateError('INVALID_INPUT', "The stack is not in the role's account.", { field: 'stackId' });
    }
  }
  let latest = connection;
  for (const arn of arns)
    latest = (
      await verifyAndRecord(
        deps,
        latest,
        arn,
        input.stackId === undefined || input.roleArn === undefined ? {} : { stackId: input.stackId },
      )
    ).connection;
  await recordAudit(deps.store, {
    principal,
    action: 'connection.verify',
    connectionId: id,
    details: { roleArns: arns, status: latest.status },
  });
  return toConnectionView(latest, await deps.store.connections.listRoles(id), level);
}
