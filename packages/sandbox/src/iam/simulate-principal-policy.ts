import type { ContextValue, PolicyDocument } from '@trustgate/core';
import { evaluateCaller } from '../auth/authorize.ts';
import type { Caller } from '../auth/caller.ts';
import { callerContext, parsePolicy } from '../auth/caller-policies.ts';
import { AwsError, noSuchEntity } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import type { SessionRecord } from '../state/model.ts';
import { validatePolicyDocument } from './validate-policy.ts';

const DECISIONS = { Allowed: 'allowed', ExplicitlyDenied: 'explicitDeny', ImplicitlyDenied: 'implicitDeny' } as const;

function contextEntries(ctx: RequestContext): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  for (const entry of ctx.params.structList('ContextEntries') ?? []) {
    const name = entry.ContextKeyName;
    if (!name) continue;
    const values = Object.entries(entry)
      .filter(([k]) => k.startsWith('ContextKeyValues.member.'))
      .map(([, v]) => v);
    out[name] = (entry.ContextKeyType ?? '').endsWith('List') ? values : (values[0] ?? '');
  }
  return out;
}

/**
 * `iam:SimulatePrincipalPolicy` (IAM API reference): evaluates the user's or role's policies (plus the
 * PolicyInputList and an optional ResourcePolicy) for each action and resource with core's policy engine,
 * answering `allowed`, `explicitDeny` or `implicitDeny` per pair.
 */
export function simulatePrincipalPolicy(ctx: RequestContext): ActionResult {
  const sourceArn = ctx.params.required('PolicySourceArn');
  const actions = ctx.params.list('ActionNames') ?? [];
  const resources = ctx.params.list('ResourceArns') ?? ['*'];
  const state = ctx.runtime.store.state;
  const m = /^arn:[a-z-]+:iam::(\d{12}):(user|role)\/(?:.*\/)?([^/]+)$/.exec(sourceArn);
  if (!m) throw new AwsError('InvalidInput', `Invalid ARN: ${sourceArn}`, 400);
  const account = state.accounts[m[1]!];
  if (!account || m[1] !== ctx.account.accountId) throw noSuchEntity(`Policy source ${sourceArn} does not exist.`);
  let caller: Caller;
  if (m[2] === 'user') {
    const user = account.users[m[3]!.toLowerCase()];
    if (!user) throw noSuchEntity(`The user with name ${m[3]!} cannot be found.`);
    caller = { kind: 'user', accountId: account.accountId, arn: user.arn, userId: user.userId, user };
  } else {
    const role = account.roles[m[3]!.toLowerCase()];
    if (!role) throw noSuchEntity(`The role with name ${m[3]!} cannot be found.`);
    const session: SessionRecord = {
      accessKeyId: '',
      secretAccessKey: '',
      sessionToken: '',
      expiration: '',
      issuedAt: ctx.now.toISOString(),
      accountId: account.accountId,
      roleName: role.roleName,
      roleArn: role.arn,
      roleId: role.roleId,
      sessionName: 'SimulatePrincipalPolicy',
      assumedRoleArn: role.arn,
      policyArns: [],
      tags: [],
      transitiveTagKeys: [],
      chained: false,
    };
    caller = { kind: 'session', accountId: account.accountId, arn: role.arn, userId: role.roleId, session };
  }
  const extraIdentity: PolicyDocument[] = (ctx.params.list('PolicyInputList') ?? []).map((text) =>
    validatePolicyDocument(text, 'identity'),
  );
  const resourcePolicyText = ctx.params.get('ResourcePolicy');
  const context = {
    ...callerContext(state, caller, { now: ctx.now, region: ctx.region, sourceIp: ctx.sourceIp }),
    ...contextEntries(ctx),
  };
  const results = [];
  for (const action of actions) {
    for (const resource of resources) {
      const result = evaluateCaller({
        state,
        caller,
        action,
        resource,
        context,
        extraPolicies: {
          ...(extraIdentity.length > 0 ? { identityPolicies: [...extraIdentity] } : {}),
          ...(resourcePolicyText ? { resourcePolicy: parsePolicy(resourcePolicyText) } : {}),
        },
      });
      results.push({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: DECISIONS[result.decision],
        MatchedStatements: result.explanation.policies.flatMap((p) =>
          p.statements
            .filter((s) => s.matched)
            .map((s) => ({
              SourcePolicyId: `${p.policy}-${s.policyIndex}`,
              SourcePolicyType:
                p.policy === 'identity' ? 'IAM Policy' : p.policy === 'resource' ? 'Resource Policy' : p.policy,
            })),
        ),
        MissingContextValues: [],
      });
    }
  }
  return { EvaluationResults: results, IsTruncated: false };
}
