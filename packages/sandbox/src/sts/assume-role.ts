import type { ContextValue } from '@trustgate/core';
import { accessDeniedMessage, evaluateCaller } from '../auth/authorize.ts';
import { callerContext, parsePolicy } from '../auth/caller-policies.ts';
import { accessDenied, validationError } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import type { Tag } from '../state/model.ts';
import { issueSession, sessionResult } from './issue-session.ts';
import { packedPolicySize, readSessionInputs, requestedSession, requestTagContext } from './session-inputs.ts';

/** Finds a role by ARN in the sandbox (the ARN's path must match too). */
export function findRoleByArn(
  ctx: RequestContext,
  roleArn: string,
): { accountId: string; role: import('../state/model.ts').RoleRecord } | undefined {
  const m = /^arn:([a-z-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!m || m[1] !== ctx.runtime.store.state.partition) return undefined;
  const role = ctx.runtime.store.account(m[2]!)?.roles[m[3]!.toLowerCase()];
  return role && role.arn === roleArn ? { accountId: m[2]!, role } : undefined;
}

/**
 * `sts:AssumeRole` (STS API reference, AssumeRole). The role's trust policy and the caller's identity
 * policies are evaluated together by core's policy engine with the context AWS sets (sts:ExternalId,
 * sts:RoleSessionName, sts:SourceIdentity, aws:RequestTag/*, aws:TagKeys, plus the caller's global keys);
 * session tags also need `sts:TagSession` and a source identity `sts:SetSourceIdentity`. A role that does not
 * exist is denied with the same message as one that does not trust the caller, as AWS does. DurationSeconds
 * defaults to 3,600, may not exceed the role's MaxSessionDuration, nor 3,600 when role chaining.
 */
export function assumeRole(ctx: RequestContext): ActionResult {
  const inputs = readSessionInputs(ctx.params);
  const { caller } = ctx;
  const state = ctx.runtime.store.state;
  // STS's AssumeRole denial never says why (nor whether the role exists).
  const deny = (): never => {
    throw accessDenied(
      `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${inputs.roleArn}`,
    );
  };
  // AWS refuses AssumeRole with root credentials (STS API reference, AssumeRole: "You cannot use AWS account root user credentials to call AssumeRole").
  if (caller.kind === 'root') throw accessDenied('Roles may not be assumed by root accounts.');
  const found = findRoleByArn(ctx, inputs.roleArn);
  if (!found) return deny();
  const { role, accountId } = found;
  const settled =
    role.trustUpdatedAt === undefined ||
    Date.parse(role.trustUpdatedAt) + ctx.runtime.propagationDelayMs <= ctx.now.getTime();
  if (!settled) return deny();
  const chained = caller.kind === 'session';
  const duration = inputs.durationSeconds ?? 3600;
  if (chained && duration > 3600)
    throw validationError(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  const packed = packedPolicySize(inputs);

  // Transitive tags of a chained session carry over and cannot be overridden (IAM User Guide, "Chaining roles with session tags").
  const inherited: Tag[] = chained
    ? caller.session.tags.filter((t) =>
        caller.session.transitiveTagKeys.some((k) => k.toLowerCase() === t.Key.toLowerCase()),
      )
    : [];
  for (const t of inherited) {
    if (inputs.tags.some((n) => n.Key.toLowerCase() === t.Key.toLowerCase())) {
      throw validationError(
        "One or more of the specified transitive tag keys can't be set because they conflict with a transitive tag key from the calling session.",
      );
    }
  }
  const previousSourceIdentity = chained ? caller.session.sourceIdentity : undefined;
  if (
    previousSourceIdentity !== undefined &&
    inputs.sourceIdentity !== undefined &&
    inputs.sourceIdentity !== previousSourceIdentity
  ) {
    return deny();
  }
  const sourceIdentity = inputs.sourceIdentity ?? previousSourceIdentity;
  const tags = [...inherited, ...inputs.tags];

  const context: Record<string, ContextValue> = {
    ...callerContext(state, caller, { now: ctx.now, region: ctx.region, sourceIp: ctx.sourceIp }),
    'sts:RoleSessionName': inputs.roleSessionName,
    ...requestTagContext(tags, inputs.transitiveTagKeys),
  };
  if (inputs.externalId !== undefined) context['sts:ExternalId'] = inputs.externalId;
  if (inputs.sourceIdentity !== undefined) context['sts:SourceIdentity'] = inputs.sourceIdentity;
  const trust = parsePolicy(role.assumeRolePolicyDocument);
  const actions = ['sts:AssumeRole'];
  if (tags.length > 0) actions.push('sts:TagSession');
  if (inputs.sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  for (const action of actions) {
    const result = evaluateCaller({
      state,
      caller,
      action,
      resource: role.arn,
      resourceAccountId: accountId,
      context,
      extraPolicies: { resourcePolicy: trust },
    });
    if (result.decision !== 'Allowed') {
      if (action === 'sts:AssumeRole') deny();
      throw accessDenied(accessDeniedMessage({ principalArn: caller.arn, action, resource: role.arn, result }));
    }
  }
  // Only a caller the role trusts learns its MaxSessionDuration: checked before the trust policy, the error
  // would tell anyone that the role exists (a missing and an untrusting role are denied alike).
  if (duration > role.maxSessionDuration)
    throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  const session = issueSession({
    state,
    accountId,
    role,
    ...requestedSession(inputs, duration),
    now: ctx.now,
    tags,
    transitiveTagKeys: [...(chained ? caller.session.transitiveTagKeys : []), ...inputs.transitiveTagKeys],
    chained,
    sourceArn: caller.arn,
    ...(sourceIdentity !== undefined ? { sourceIdentity } : {}),
  });
  return { ...sessionResult(session), PackedPolicySize: packed, SourceIdentity: sourceIdentity };
}
