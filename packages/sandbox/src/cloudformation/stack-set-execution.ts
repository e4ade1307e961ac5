import { evaluateRequest } from '@trustgate/core';
import type { Caller } from '../auth/caller.ts';
import { parsePolicy } from '../auth/caller-policies.ts';
import { issueSession } from '../sts/issue-session.ts';
import type { SandboxState } from '../state/model.ts';

/** Default role names of self-managed StackSets (CloudFormation User Guide, "Grant self-managed permissions"). */
export const STACK_SET_ROLE_DEFAULTS = {
  administrationRoleName: 'AWSCloudFormationStackSetAdministrationRole',
  executionRoleName: 'AWSCloudFormationStackSetExecutionRole',
} as const;

/**
 * The identity a StackSet instance is provisioned as in a target account, or AWS's failure reason.
 * SERVICE_MANAGED: only the organization's management account deploys, as a full-access identity of the
 * member account (AWS's service-linked `stacksets-exec-*` role; modelled as the member's root, so its SCPs
 * still apply). SELF_MANAGED: the administration role must exist in the StackSet's account and the target
 * account's execution role must trust it (evaluated by core's engine); the stack is then provisioned as a
 * session of the execution role, so its permissions decide — no account can deploy into another that
 * has not opted in.
 */
export function stackSetExecutionCaller(options: {
  state: SandboxState;
  permissionModel: 'SELF_MANAGED' | 'SERVICE_MANAGED';
  adminAccountId: string;
  targetAccountId: string;
  administrationRoleArn?: string;
  executionRoleName?: string;
  now: Date;
}): { caller: Caller } | { reason: string } {
  const { state, adminAccountId, targetAccountId, now } = options;
  const p = state.partition;
  const target = state.accounts[targetAccountId];
  if (!target)
    return {
      reason: `Account ${targetAccountId} should have '${STACK_SET_ROLE_DEFAULTS.executionRoleName}' role with trust relationship to Role '${STACK_SET_ROLE_DEFAULTS.administrationRoleName}'.`,
    };
  if (options.permissionModel === 'SERVICE_MANAGED') {
    return {
      caller: {
        kind: 'root',
        accountId: targetAccountId,
        arn: `arn:${p}:iam::${targetAccountId}:root`,
        userId: targetAccountId,
      },
    };
  }
  const adminRoleArn =
    options.administrationRoleArn ??
    `arn:${p}:iam::${adminAccountId}:role/${STACK_SET_ROLE_DEFAULTS.administrationRoleName}`;
  const adminRoleName = adminRoleArn.split('/').pop()!;
  const executionRoleName = options.executionRoleName ?? STACK_SET_ROLE_DEFAULTS.executionRoleName;
  const adminRole = state.accounts[adminAccountId]?.roles[adminRoleName.toLowerCase()];
  if (!adminRole || adminRole.arn !== adminRoleArn) {
    return {
      reason: `Account ${adminAccountId} should have '${adminRoleName}' role with trust relationship to CloudFormation service.`,
    };
  }
  const executionRole = target.roles[executionRoleName.toLowerCase()];
  const untrusted = `Account ${targetAccountId} should have '${executionRoleName}' role with trust relationship to Role '${adminRoleName}'.`;
  if (!executionRole) return { reason: untrusted };
  const sessionArn = `arn:${p}:sts::${adminAccountId}:assumed-role/${adminRole.roleName}/${targetAccountId}`;
  const trust = evaluateRequest(
    {
      principal: { arn: sessionArn, accountId: adminAccountId, type: 'AWS', tags: {} },
      action: 'sts:AssumeRole',
      resource: executionRole.arn,
      resourceAccountId: targetAccountId,
      context: {
        'aws:PrincipalArn': adminRole.arn,
        'aws:PrincipalAccount': adminAccountId,
        'aws:PrincipalType': 'AssumedRole',
        'aws:CurrentTime': now,
        'aws:SecureTransport': true,
      },
    },
    // The administration role's own permission to assume the execution role is not modelled: only the trust decides.
    {
      identityPolicies: [
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] },
      ],
      resourcePolicy: parsePolicy(executionRole.assumeRolePolicyDocument),
    },
  );
  if (trust.decision !== 'Allowed') return { reason: untrusted };
  const session = issueSession({
    state,
    accountId: targetAccountId,
    role: executionRole,
    sessionName: `stacksets-${adminAccountId}`,
    durationSeconds: 3600,
    now,
    policyArns: [],
    tags: [],
    transitiveTagKeys: [],
    chained: true,
    sourceArn: sessionArn,
  });
  return {
    caller: {
      kind: 'session',
      accountId: targetAccountId,
      arn: session.assumedRoleArn,
      userId: `${session.roleId}:${session.sessionName}`,
      session,
    },
  };
}
