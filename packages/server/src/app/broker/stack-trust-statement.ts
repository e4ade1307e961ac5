import {
  assertNoErrors,
  crossAccountRoleBlueprint,
  oidcSubject,
  renderConsoleJson,
  TrustgateError,
  validateAccountId,
  validateExternalId,
  type BlueprintOptions,
  type PolicyDocument,
  type PolicyStatement,
  type RunPhase,
  type TrustSessionAction,
} from '@trustgate/core';
import { loadConnectionFor } from '../../auth/connection-access.ts';
import type { Principal } from '../../auth/principal.ts';
import type { Attachment, Stack } from '../../model/broker-records.ts';
import type { Connection } from '../../model/records.ts';
import { oidcAudienceOf } from '../connections/oidc-trust-options.ts';
import { platformFor, type ConnectionDeps } from '../deps.ts';
import { subjectTemplatesOf } from '../identity/subject-templates.ts';
import { NO_SPACE } from '../identity/mint-run-token.ts';
import { externalIdFor } from './assumption-request.ts';
import { invalid } from './attachments.ts';
import { loadStack } from './stacks.ts';

/** What the attach dialog asks the example trust statement for: the connection, the phase and the worker settings. */
export interface TrustStatementInput {
  connectionId: string;
  phase: RunPhase;
  assumeOnWorker?: boolean;
  customExternalId?: string | null;
  /** OIDC: the account whose IAM OIDC provider the statement names (default the connection's first role's). */
  accountId?: string;
}

/** The example trust-policy statement for exactly one stack and phase (as Spacelift's attach dialog shows one). */
export interface TrustStatement {
  stackId: string;
  connectionId: string;
  phase: RunPhase;
  trust: 'external-id' | 'oidc';
  /** What runs of the stack in the phase pass as `sts:ExternalId` (external-ID trust). */
  externalId?: string;
  /** The `sub` of the runs' tokens (OIDC trust). */
  subject?: string;
  /** Whether the statement admits this stack in this phase only (no other stack's or phase's run matches it). */
  scopedToStack: boolean;
  statement: PolicyStatement;
  /** The statement as a whole trust policy document. */
  policy: PolicyDocument;
  /** What the reader should know: a connection whose runs all pass one ID, a worker's principal, trust not admitting. */
  notes: string[];
}

/** Placeholder for the principal of an assume-on-worker attachment with a custom external ID (trustgate cannot know it). */
export function workerPrincipalPlaceholder(partition: string): string {
  return `arn:${partition}:iam::<WORKER_ACCOUNT_ID>:role/<worker-role-name>`;
}

function sessionActionsOf(connection: Connection): { sessionActions?: TrustSessionAction[] } {
  return connection.sessionTagging ? { sessionActions: ['sts:TagSession', 'sts:SetSourceIdentity'] } : {};
}

/**
 * The trust statement the connection's deliverables would hold if they trusted exactly one external ID or one OIDC
 * subject: core's cross-account-role blueprint (the one render-deliverables.ts renders every format with), with the
 * connection's partition, role name, policies and session actions, rendered as the console JSON renders it. So the statement
 * the stack page shows and the one the connection's template writes come from the same code.
 */
function blueprintStatement(
  connection: Connection,
  trust: Pick<BlueprintOptions, 'platform' | 'externalIds' | 'oidc' | 'customerAccountId'>,
): PolicyStatement {
  const model = crossAccountRoleBlueprint({
    partition: connection.partition,
    roleName: connection.roleName,
    policies: connection.issuedPolicy.documents,
    managedPolicyArns: connection.issuedPolicy.managedPolicyArns,
    ...trust,
    ...sessionActionsOf(connection),
  });
  const statement = renderConsoleJson(model).roles[0]?.trustPolicy.Statement[0];
  if (statement === undefined) throw new TrustgateError('INTERNAL', 'the blueprint rendered no trust statement');
  return statement;
}

async function oidcStatement(
  deps: ConnectionDeps,
  connection: Connection,
  stack: Stack,
  input: TrustStatementInput,
): Promise<Omit<TrustStatement, 'stackId' | 'connectionId' | 'phase' | 'policy'>> {
  if (input.customExternalId != null)
    throw invalid(
      'customExternalId',
      "an OIDC connection's role trusts trustgate's tokens, not an external ID: leave it out (with assumeOnWorker the run gets the token to assume the role with).",
    );
  const issuer = deps.identity?.issuerUrl;
  if (issuer === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      "trust: this service has no OIDC issuer configured, so an OIDC connection's trust cannot be rendered.",
      { field: 'connectionId' },
    );
  const roles = await deps.store.connections.listRoles(connection.id);
  const accountId =
    input.accountId ?? roles[0]?.accountId ?? (connection.scope.kind === 'account' ? connection.scope.accountId : '');
  if (accountId === '')
    throw invalid(
      'accountId',
      'name the account whose IAM OIDC provider the statement trusts (the connection has no role yet).',
    );
  assertNoErrors(validateAccountId(accountId, 'accountId'), 'INVALID_ACCOUNT_ID');
  const subject = oidcSubject(
    {
      org: connection.organizationId,
      space: stack.spaceId ?? NO_SPACE,
      stack: stack.id,
      stackSlug: stack.slug,
      phase: input.phase,
    },
    (await subjectTemplatesOf(deps, connection.organizationId)).template,
  );
  const statement = blueprintStatement(connection, {
    customerAccountId: accountId,
    oidc: { issuer, audiences: [oidcAudienceOf(connection)], subjects: [subject] },
  });
  const notes: string[] = [];
  const trust = connection.trust;
  if (trust.kind === 'oidc' && !trust.phases.includes(input.phase))
    notes.push(
      `The connection's role trusts ${trust.phases.join(' and ')} runs only: a ${input.phase} run of this stack is refused until its trust allows ${input.phase}.`,
    );
  if (trust.kind === 'oidc' && trust.stackIds !== undefined && !trust.stackIds.includes(stack.id))
    notes.push("The connection's role trusts other stacks only: add this stack to its trust and update the role.");
  return {
    trust: 'oidc',
    subject,
    scopedToStack: true,
    statement,
    notes,
  };
}

function externalIdStatement(
  deps: ConnectionDeps,
  connection: Connection,
  stack: Stack,
  input: TrustStatementInput,
): Omit<TrustStatement, 'stackId' | 'connectionId' | 'phase' | 'policy'> {
  const custom = input.customExternalId ?? null;
  if (custom !== null) {
    if (input.assumeOnWorker !== true)
      throw invalid(
        'customExternalId',
        "a custom external ID is allowed only with assumeOnWorker: true (with trustgate's own identity, an ID a tenant chose would let one tenant use another's role).",
      );
    assertNoErrors(validateExternalId(custom, 'customExternalId'), 'INVALID_EXTERNAL_ID');
  }
  const trust = connection.externalIdTrust;
  // What issuance passes (assumption-request.ts), which reads only the attachment's worker settings.
  const worker: Pick<Attachment, 'assumeOnWorker' | 'customExternalId'> = {
    assumeOnWorker: input.assumeOnWorker === true,
    customExternalId: custom,
  };
  const externalId = externalIdFor({ connection, stack, phase: input.phase, attachment: worker as Attachment });
  const platform = platformFor(deps, connection.partition);
  let statement = blueprintStatement(connection, {
    platform: {
      [connection.partition]: {
        accountId: platform.accountId,
        ...(platform.roleArn === undefined ? {} : { roleArn: platform.roleArn }),
      },
    },
    externalIds: [externalId],
  });
  const notes: string[] = [];
  if (custom !== null) {
    statement = { ...statement, Principal: { AWS: workerPrincipalPlaceholder(connection.partition) } };
    notes.push(
      "The worker's own AWS identity assumes the role with this custom external ID: put its role's ARN as the principal. trustgate cannot act as the worker, so it does not verify this attachment; the runs prove it.",
    );
  } else if (trust.kind === 'exact') {
    notes.push(
      `Every stack and phase of this connection passes the same external ID, so this statement admits any of them. To lock the role to ${stack.slug} in the ${input.phase} phase, give the connection externalIdTrust { kind: "scoped" } (runs then pass <external ID>@<stack>@<phase>) and update the role's trust policy.`,
    );
  } else {
    if (!trust.phases.includes(input.phase))
      notes.push(
        `The connection's role trusts ${trust.phases.join(' and ')} runs only: a ${input.phase} run is refused until its externalIdTrust allows ${input.phase} and the role is updated.`,
      );
    if (trust.stacks !== undefined && !trust.stacks.includes(stack.slug))
      notes.push(
        `The connection's role trusts the stacks ${trust.stacks.join(', ')} only: add ${stack.slug} to its externalIdTrust and update the role.`,
      );
  }
  if (input.assumeOnWorker === true && custom === null)
    notes.push('With assume on worker, the worker calls AssumeRole with these parameters (the issuance answers them).');
  return {
    trust: 'external-id',
    externalId,
    scopedToStack: custom === null && trust.kind === 'scoped',
    statement,
    notes,
  };
}

/**
 * The example trust-policy statement of one stack and phase for a connection (viewer access on it), built by core's
 * cross-account-role blueprint as the connection's deliverables are, around what issuance passes (`externalIdFor` of
 * assumption-request.ts, core's `oidcSubject` as mint-run-token.ts calls it): external-ID trust — the platform's principal with `StringEquals sts:ExternalId` of exactly what the
 * stack's runs in the phase pass (`<ID>@<slug>@<phase>` for scoped trust, the connection's own ID for exact trust, the
 * custom ID on a worker); OIDC trust — the provider with `aud` and the runs' exact `sub`. Writes nothing.
 */
export async function stackTrustStatement(
  deps: ConnectionDeps,
  principal: Principal,
  stackId: string,
  input: TrustStatementInput,
): Promise<TrustStatement> {
  const stack = await loadStack(deps, principal, stackId);
  const { connection } = await loadConnectionFor(deps.store, principal, input.connectionId, 'viewer');
  const made =
    connection.trust.kind === 'oidc'
      ? await oidcStatement(deps, connection, stack, input)
      : externalIdStatement(deps, connection, stack, input);
  return {
    stackId: stack.id,
    connectionId: connection.id,
    phase: input.phase,
    ...made,
    policy: { Version: '2012-10-17', Statement: [made.statement] },
  };
}
