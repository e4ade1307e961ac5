import { evaluateRequest, type ContextValue, type EvaluationResult, type PolicySet } from '@trustgate/core';
import { accessDenied } from '../protocol/aws-error.ts';
import type { RequestContext } from '../runtime.ts';
import type { SandboxState } from '../state/model.ts';
import type { Caller } from './caller.ts';
import { callerContext, callerPolicies, callerTags, serviceControlPoliciesFor } from './caller-policies.ts';

const KIND_NAMES: Record<string, string> = {
  identity: 'an identity-based policy',
  resource: 'a resource-based policy',
  boundary: 'a permissions boundary',
  session: 'a session policy',
  scp: 'a service control policy',
  rcp: 'a resource control policy',
};

const NO_KIND_NAMES: Record<string, string> = {
  identity: 'no identity-based policy',
  resource: 'no resource-based policy',
  boundary: 'no permissions boundary',
  session: 'no session policy',
  scp: 'no service control policy',
  rcp: 'no resource control policy',
  'no-allow': 'no identity-based policy',
};

/**
 * AWS's AccessDenied message: "User: <arn> is not authorized to perform: <action> on resource: <arn>
 * because no identity-based policy allows the <action> action" or "... with an explicit deny in a
 * <kind>" (IAM User Guide, "Troubleshoot access denied error messages").
 */
export function accessDeniedMessage(options: {
  principalArn: string;
  action: string;
  resource: string;
  result: EvaluationResult;
}): string {
  const { principalArn, action, resource, result } = options;
  const base = `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource}`;
  const m = /^(explicit|implicit)-deny:([a-z-]+)/.exec(result.explanation.reason);
  if (!m) return base;
  if (m[1] === 'explicit') return `${base} with an explicit deny in ${KIND_NAMES[m[2]!] ?? 'a policy'}`;
  return `${base} because ${NO_KIND_NAMES[m[2]!] ?? 'no policy'} allows the ${action} action`;
}

/** Adds extra policies to a caller's set; extra identity policies are appended, other kinds set. */
function mergePolicySets(base: PolicySet, extra: Partial<PolicySet>): PolicySet {
  return { ...base, ...extra, identityPolicies: [...(base.identityPolicies ?? []), ...(extra.identityPolicies ?? [])] };
}

/** Evaluates one request of a caller with core's policy engine; extra policies (a resource policy) may be added. */
export function evaluateCaller(options: {
  state: SandboxState;
  caller: Caller;
  action: string;
  resource: string;
  resourceAccountId?: string;
  context: Record<string, ContextValue>;
  extraPolicies?: Partial<PolicySet>;
}): EvaluationResult {
  const { state, caller } = options;
  const tags: Record<string, string> = {};
  for (const t of callerTags(state, caller)) tags[t.Key] = t.Value;
  return evaluateRequest(
    {
      principal: { arn: caller.arn, accountId: caller.accountId, type: 'AWS', tags },
      action: options.action,
      resource: options.resource,
      ...(options.resourceAccountId ? { resourceAccountId: options.resourceAccountId } : {}),
      context: options.context,
    },
    mergePolicySets(callerPolicies(state, caller), options.extraPolicies ?? {}),
  );
}

/**
 * Authorizes a call of the request's caller with core's policy engine. The account root is allowed
 * everything in its own account; every other caller needs its identity policies (and boundary and session
 * policies) to allow `action` on `resource`. Throws `AccessDenied` (403) with AWS's message otherwise.
 */
export function authorizeCall(
  ctx: RequestContext,
  action: string,
  resource: string,
  extraContext: Record<string, ContextValue> = {},
): void {
  authorizeCaller(
    {
      state: ctx.runtime.store.state,
      caller: ctx.caller,
      accountId: ctx.account.accountId,
      now: ctx.now,
      region: ctx.region,
      sourceIp: ctx.sourceIp,
    },
    action,
    resource,
    extraContext,
  );
}

/**
 * {@link authorizeCall} outside a Query request (S3's REST protocol): `accountId` is the account the call acts
 * in (the root user is allowed everything there); `resourceAccountId` names the resource's owner when its ARN
 * has no account field (S3 buckets and objects).
 */
export function authorizeCaller(
  request: {
    state: SandboxState;
    caller: Caller;
    accountId: string;
    now: Date;
    region: string;
    sourceIp: string;
    resourceAccountId?: string;
  },
  action: string,
  resource: string,
  extraContext: Record<string, ContextValue> = {},
): void {
  const { state, caller } = request;
  // The root user is allowed everything in its own account (never in another's), unless SCPs govern the account.
  if (
    caller.kind === 'root' &&
    caller.accountId === request.accountId &&
    !serviceControlPoliciesFor(state, caller.accountId)
  )
    return;
  const context = {
    ...callerContext(state, caller, { now: request.now, region: request.region, sourceIp: request.sourceIp }),
    ...extraContext,
  };
  // AWS managed policies (`arn:<partition>:iam::aws:policy/...`) are readable by any principal whose identity
  // policies allow it: they are not another account's resources needing a resource-based grant.
  const awsManaged = /^arn:[^:]+:iam::aws:policy\//.test(resource);
  const resourceAccountId = awsManaged ? caller.accountId : request.resourceAccountId;
  const result = evaluateCaller({
    state,
    caller,
    action,
    resource,
    context,
    ...(resourceAccountId ? { resourceAccountId } : {}),
  });
  if (result.decision !== 'Allowed') {
    throw accessDenied(accessDeniedMessage({ principalArn: caller.arn, action, resource, result }));
  }
}
