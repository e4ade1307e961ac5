import type { ContextValue } from '@trustgate/core';
import type { RequestContext, ServiceActions } from '../runtime.ts';
import { instanceProfileHandlers } from './instance-profiles.ts';
import { inlinePolicyHandlers } from './inline-policies.ts';
import { managedPolicyHandlers } from './managed-policies.ts';
import { oidcProviderHandlers } from './oidc-providers.ts';
import { roleHandlers } from './roles.ts';
import { serviceLinkedRoleHandlers } from './service-linked-roles.ts';
import { simulatePrincipalPolicy } from './simulate-principal-policy.ts';
import { userHandlers } from './users.ts';

type Handler = ServiceActions[string]['handler'];

function base(ctx: RequestContext): string {
  return `arn:${ctx.runtime.store.state.partition}:iam::${ctx.account.accountId}:`;
}

/** The ARN of a named entity for authorization: the existing entity's ARN (with its path), or the one it will get. */
function entityArn(kind: 'role' | 'user' | 'instance-profile', param: string) {
  return (ctx: RequestContext): string => {
    const name =
      ctx.params.get(param) ?? (kind === 'user' && ctx.caller.kind === 'user' ? ctx.caller.user.userName : '');
    const map =
      kind === 'role' ? ctx.account.roles : kind === 'user' ? ctx.account.users : ctx.account.instanceProfiles;
    const existing = map[name.toLowerCase()];
    return existing?.arn ?? `${base(ctx)}${kind}${ctx.params.get('Path') ?? '/'}${name}`;
  };
}

const roleArn = entityArn('role', 'RoleName');
const userArn = entityArn('user', 'UserName');
const profileArn = entityArn('instance-profile', 'InstanceProfileName');
const policyArn = (ctx: RequestContext): string => ctx.params.get('PolicyArn') ?? '';
const newPolicyArn = (ctx: RequestContext): string =>
  `${base(ctx)}policy${ctx.params.get('Path') ?? '/'}${ctx.params.get('PolicyName') ?? ''}`;
const listArn =
  (kind: string) =>
  (ctx: RequestContext): string =>
    `${base(ctx)}${kind}${ctx.params.get('PathPrefix') ?? '/'}`;
const oidcArn = (ctx: RequestContext): string =>
  ctx.params.get('OpenIDConnectProviderArn') ??
  `${base(ctx)}oidc-provider/${(ctx.params.get('Url') ?? '').replace(/^https:\/\//, '')}`;
const slrArn = (ctx: RequestContext): string => {
  const service = ctx.params.get('AWSServiceName');
  return service ? `${base(ctx)}role/aws-service-role/${service}/*` : roleArn(ctx);
};

const HANDLERS: Record<string, Handler> = {
  ...roleHandlers,
  ...inlinePolicyHandlers,
  ...managedPolicyHandlers,
  ...userHandlers,
  ...instanceProfileHandlers,
  ...oidcProviderHandlers,
  ...serviceLinkedRoleHandlers,
  SimulatePrincipalPolicy: simulatePrincipalPolicy,
};

/** The resource each IAM action is authorized on (Service Authorization Reference, "Actions defined by IAM"). */
const RESOURCES: Record<string, (ctx: RequestContext) => string> = {
  ListRoles: listArn('role'),
  ListUsers: listArn('user'),
  ListInstanceProfiles: listArn('instance-profile'),
  ListPolicies: () => '*',
  ListOpenIDConnectProviders: () => '*',
  CreatePolicy: newPolicyArn,
  GetServiceLinkedRoleDeletionStatus: slrArn,
  CreateServiceLinkedRole: slrArn,
  SimulatePrincipalPolicy: (ctx) => ctx.params.get('PolicySourceArn') ?? '*',
};

function resourceOf(action: string): (ctx: RequestContext) => string {
  const explicit = RESOURCES[action];
  if (explicit) return explicit;
  if (/OpenIDConnectProvider/.test(action)) return oidcArn;
  if (/InstanceProfile/.test(action)) return profileArn;
  if (/Role/.test(action)) return roleArn;
  if (/User|AccessKey/.test(action)) return userArn;
  if (/Polic/.test(action)) return policyArn;
  return () => '*';
}

/**
 * The condition keys IAM sets for a call (Service Authorization Reference, "Condition keys for IAM"):
 * aws:ResourceTag/* and iam:ResourceTag/* of the role or user acted on, aws:RequestTag/* and aws:TagKeys
 * for tags in the request, iam:PolicyARN for attach/detach, iam:PermissionsBoundary for boundaries and for
 * creating principals with one, iam:AWSServiceName for service-linked roles.
 */
function iamContext(action: string, ctx: RequestContext): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  const p = ctx.params;
  const roleName = p.get('RoleName');
  const userName = p.get('UserName');
  const target =
    /Role|InstanceProfile/.test(action) && roleName
      ? ctx.account.roles[roleName.toLowerCase()]
      : /User|AccessKey/.test(action) && userName
        ? ctx.account.users[userName.toLowerCase()]
        : undefined;
  for (const t of target?.tags ?? []) {
    out[`aws:ResourceTag/${t.Key}`] = t.Value;
    out[`iam:ResourceTag/${t.Key}`] = t.Value;
  }
  const tags = p.tags();
  if (tags && tags.length > 0) {
    for (const t of tags) out[`aws:RequestTag/${t.Key}`] = t.Value;
    out['aws:TagKeys'] = tags.map((t) => t.Key);
  }
  const untagKeys = p.list('TagKeys');
  if (untagKeys && untagKeys.length > 0) out['aws:TagKeys'] = untagKeys;
  if (/^(Attach|Detach)(Role|User)Policy$/.test(action)) out['iam:PolicyARN'] = p.get('PolicyArn') ?? '';
  const boundary = p.get('PermissionsBoundary');
  if (boundary !== undefined) out['iam:PermissionsBoundary'] = boundary;
  const service = p.get('AWSServiceName');
  if (service !== undefined) out['iam:AWSServiceName'] = service;
  return out;
}

/** The IAM actions the sandbox serves, each authorized as `iam:<Action>` on its resource for non-root callers. */
export const IAM_ACTIONS: ServiceActions = Object.fromEntries(
  Object.entries(HANDLERS).map(([action, handler]) => {
    const resource = resourceOf(action);
    return [
      action,
      {
        handler,
        authorize: (ctx: RequestContext) => ({
          action: `iam:${action}`,
          resource: resource(ctx),
          context: iamContext(action, ctx),
        }),
      },
    ];
  }),
);
