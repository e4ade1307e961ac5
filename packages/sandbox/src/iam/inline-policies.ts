import { limitExceeded, noSuchEntity } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import { checkModifiable } from './roles.ts';
import {
  scopeOf,
  checkName,
  documentSize,
  encodeDocument,
  getRoleRecord,
  getUserRecord,
  paginate,
  type IamScope,
} from './iam-common.ts';
import { validatePolicyDocument } from './validate-policy.ts';

/** IAM quotas: the total size of a role's inline policies is 10,240 characters, a user's 2,048. */
export const INLINE_QUOTA = { role: 10240, user: 2048 } as const;

/** An entity that holds inline policies. */
export type InlineOwner = 'role' | 'user';

function owner(
  scope: IamScope,
  kind: InlineOwner,
  name: string,
): { inlinePolicies: Record<string, string>; displayName: string } {
  if (kind === 'role') {
    const role = getRoleRecord(scope, name);
    checkModifiable(role);
    return { inlinePolicies: role.inlinePolicies, displayName: role.roleName };
  }
  const user = getUserRecord(scope, name);
  return { inlinePolicies: user.inlinePolicies, displayName: user.userName };
}

/** `iam:PutRolePolicy` / `iam:PutUserPolicy`: validates the document and the entity's inline size quota. */
export function putInlinePolicyOp(
  scope: IamScope,
  kind: InlineOwner,
  name: string,
  policyName: string,
  document: string,
): void {
  checkName(policyName, 'policyName', 128);
  const entity = owner(scope, kind, name);
  validatePolicyDocument(document, 'identity');
  const others = Object.entries(entity.inlinePolicies)
    .filter(([n]) => n !== policyName)
    .reduce((sum, [, d]) => sum + documentSize(d), 0);
  if (others + documentSize(document) > INLINE_QUOTA[kind]) {
    throw limitExceeded(
      `Maximum policy size of ${INLINE_QUOTA[kind]} bytes exceeded for ${kind} ${entity.displayName}`,
    );
  }
  entity.inlinePolicies[policyName] = document;
}

/** `iam:DeleteRolePolicy` / `iam:DeleteUserPolicy`. */
export function deleteInlinePolicyOp(scope: IamScope, kind: InlineOwner, name: string, policyName: string): void {
  const entity = owner(scope, kind, name);
  if (!(policyName in entity.inlinePolicies))
    throw noSuchEntity(`The ${kind} policy with name ${policyName} cannot be found.`);
  delete entity.inlinePolicies[policyName];
}

function handlers(kind: InlineOwner, nameParam: 'RoleName' | 'UserName') {
  const noun = kind === 'role' ? 'Role' : 'User';
  return {
    [`Put${noun}Policy`]: (ctx: RequestContext): ActionResult => {
      putInlinePolicyOp(
        scopeOf(ctx),
        kind,
        ctx.params.required(nameParam),
        ctx.params.required('PolicyName'),
        ctx.params.required('PolicyDocument'),
      );
      return undefined;
    },
    [`Get${noun}Policy`]: (ctx: RequestContext): ActionResult => {
      const scope = scopeOf(ctx);
      const name = ctx.params.required(nameParam);
      const policyName = ctx.params.required('PolicyName');
      const entity = kind === 'role' ? getRoleRecord(scope, name) : getUserRecord(scope, name);
      const document = entity.inlinePolicies[policyName];
      if (document === undefined) throw noSuchEntity(`The ${kind} policy with name ${policyName} cannot be found.`);
      return {
        [nameParam]: kind === 'role' ? getRoleRecord(scope, name).roleName : getUserRecord(scope, name).userName,
        PolicyName: policyName,
        PolicyDocument: encodeDocument(document),
      };
    },
    [`Delete${noun}Policy`]: (ctx: RequestContext): ActionResult => {
      deleteInlinePolicyOp(scopeOf(ctx), kind, ctx.params.required(nameParam), ctx.params.required('PolicyName'));
      return undefined;
    },
    [`List${noun}Policies`]: (ctx: RequestContext): ActionResult => {
      const scope = scopeOf(ctx);
      const name = ctx.params.required(nameParam);
      const entity = kind === 'role' ? getRoleRecord(scope, name) : getUserRecord(scope, name);
      const { page, ...rest } = paginate(Object.keys(entity.inlinePolicies).sort(), ctx.params);
      return { PolicyNames: page, ...rest };
    },
  };
}

/** Query handlers of the inline policy actions of roles and users. */
export const inlinePolicyHandlers = { ...handlers('role', 'RoleName'), ...handlers('user', 'UserName') };
