import { AwsError, deleteConflict, entityAlreadyExists, limitExceeded } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import { uniqueId } from '../state/ids.ts';
import type { RoleRecord, Tag } from '../state/model.ts';
import { constraintError } from '../sts/session-inputs.ts';
import {
  scopeOf,
  checkName,
  checkPath,
  checkTags,
  findAttachablePolicy,
  getRoleRecord,
  iamArn,
  pageUnderPath,
  retag,
  roleXml,
  tagsXml,
  documentSize,
  type IamScope,
} from './iam-common.ts';
import { orphanPrincipal } from './orphan-principals.ts';
import { principalExistsIn } from './principal-exists.ts';
import { validatePolicyDocument } from './validate-policy.ts';

/** Input of {@link createRoleOp}. */
export interface CreateRoleInput {
  roleName: string;
  assumeRolePolicyDocument: string;
  path?: string;
  description?: string;
  maxSessionDuration?: number;
  permissionsBoundary?: string;
  tags?: Tag[];
  serviceLinkedTo?: string;
}

/** IAM quota: a role trust policy may have 2,048 characters by default (ACLSizePerRole). */
export const TRUST_POLICY_QUOTA = 2048;

/** Validates a trust policy as CreateRole / UpdateAssumeRolePolicy do (grammar, principals, size). */
export function checkTrustPolicy(scope: IamScope, document: string): void {
  validatePolicyDocument(document, 'trust', principalExistsIn(scope.state));
  if (documentSize(document) > TRUST_POLICY_QUOTA)
    throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_QUOTA}`);
}

function checkMaxSessionDuration(value: number): void {
  if (value < 3600)
    throw constraintError(String(value), 'maxSessionDuration', 'Member must have value greater than or equal to 3600');
  if (value > 43200)
    throw constraintError(String(value), 'maxSessionDuration', 'Member must have value less than or equal to 43200');
}

/** `iam:CreateRole` (IAM API reference, CreateRole). */
export function createRoleOp(scope: IamScope, input: CreateRoleInput): RoleRecord {
  checkName(input.roleName, 'roleName', 64);
  const path = input.path ?? '/';
  checkPath(path);
  if (input.maxSessionDuration !== undefined) checkMaxSessionDuration(input.maxSessionDuration);
  if (input.description !== undefined && input.description.length > 1000)
    throw constraintError(input.description, 'description', 'Member must have length less than or equal to 1000');
  checkTags(input.tags ?? []);
  if (scope.account.roles[input.roleName.toLowerCase()])
    throw entityAlreadyExists(`Role with name ${input.roleName} already exists.`);
  checkTrustPolicy(scope, input.assumeRolePolicyDocument);
  if (input.permissionsBoundary) findAttachablePolicy(scope, input.permissionsBoundary);
  if (Object.keys(scope.account.roles).length >= 1000)
    throw limitExceeded('Cannot exceed quota for RolesPerAccount: 1000');
  const role: RoleRecord = {
    roleName: input.roleName,
    roleId: uniqueId('AROA'),
    path,
    arn: iamArn(scope, 'role', path, input.roleName),
    createDate: scope.now.toISOString(),
    assumeRolePolicyDocument: input.assumeRolePolicyDocument,
    trustUpdatedAt: scope.now.toISOString(),
    maxSessionDuration: input.maxSessionDuration ?? 3600,
    tags: input.tags ?? [],
    inlinePolicies: {},
    attachedPolicyArns: [],
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.permissionsBoundary ? { permissionsBoundaryArn: input.permissionsBoundary } : {}),
    ...(input.serviceLinkedTo ? { serviceLinkedTo: input.serviceLinkedTo } : {}),
  };
  scope.account.roles[input.roleName.toLowerCase()] = role;
  return role;
}

/** Refuses changes to service-linked roles, which only their service may modify. */
export function checkModifiable(role: RoleRecord): void {
  if (role.serviceLinkedTo) {
    throw new AwsError(
      'UnmodifiableEntity',
      `Cannot perform the operation on the protected role '${role.roleName}' - this role is only modifiable by AWS`,
      400,
    );
  }
}

/** `iam:DeleteRole`: the role must have no inline or attached policies and be in no instance profile. */
export function deleteRoleOp(scope: IamScope, roleName: string, options: { serviceLinked?: boolean } = {}): void {
  const role = getRoleRecord(scope, roleName);
  if (!options.serviceLinked) checkModifiable(role);
  if (Object.keys(role.inlinePolicies).length > 0)
    throw deleteConflict('Cannot delete entity, must delete policies first.');
  if (role.attachedPolicyArns.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  if (
    Object.values(scope.account.instanceProfiles).some((p) =>
      p.roleNames.some((r) => r.toLowerCase() === roleName.toLowerCase()),
    )
  ) {
    throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  }
  delete scope.account.roles[roleName.toLowerCase()];
  orphanPrincipal(scope.state, role.arn, role.roleId);
}

/** `iam:UpdateAssumeRolePolicy`. */
export function updateAssumeRolePolicyOp(scope: IamScope, roleName: string, document: string): void {
  const role = getRoleRecord(scope, roleName);
  checkModifiable(role);
  checkTrustPolicy(scope, document);
  role.assumeRolePolicyDocument = document;
  role.trustUpdatedAt = scope.now.toISOString();
}

/** `iam:UpdateRole` (description and maximum session duration). */
export function updateRoleOp(
  scope: IamScope,
  roleName: string,
  input: { description?: string; maxSessionDuration?: number },
): RoleRecord {
  const role = getRoleRecord(scope, roleName);
  if (input.maxSessionDuration !== undefined) {
    checkMaxSessionDuration(input.maxSessionDuration);
    role.maxSessionDuration = input.maxSessionDuration;
  }
  if (input.description !== undefined) role.description = input.description;
  return role;
}

/** `iam:TagRole` / `iam:UntagRole`. */
export function tagRoleOp(scope: IamScope, roleName: string, add: Tag[], removeKeys: string[] = []): void {
  retag(getRoleRecord(scope, roleName), add, removeKeys);
}

/** `iam:PutRolePermissionsBoundary` / `iam:DeleteRolePermissionsBoundary` (undefined removes). */
export function setRoleBoundaryOp(scope: IamScope, roleName: string, arn: string | undefined): void {
  const role = getRoleRecord(scope, roleName);
  checkModifiable(role);
  if (arn === undefined) delete role.permissionsBoundaryArn;
  else {
    findAttachablePolicy(scope, arn);
    role.permissionsBoundaryArn = arn;
  }
}

/** Query handlers of the role actions. */
export const roleHandlers = {
  CreateRole(ctx: RequestContext): ActionResult {
    const p = ctx.params;
    const role = createRoleOp(scopeOf(ctx), {
      roleName: p.required('RoleName'),
      assumeRolePolicyDocument: p.required('AssumeRolePolicyDocument'),
      ...(p.get('Path') !== undefined ? { path: p.get('Path')! } : {}),
      ...(p.get('Description') !== undefined ? { description: p.get('Description')! } : {}),
      ...(p.int('MaxSessionDuration') !== undefined ? { maxSessionDuration: p.int('MaxSessionDuration')! } : {}),
      ...(p.get('PermissionsBoundary') !== undefined ? { permissionsBoundary: p.get('PermissionsBoundary')! } : {}),
      tags: p.tags() ?? [],
    });
    return { Role: roleXml(role, false) };
  },
  GetRole(ctx: RequestContext): ActionResult {
    return { Role: roleXml(getRoleRecord(scopeOf(ctx), ctx.params.required('RoleName')), true) };
  },
  DeleteRole(ctx: RequestContext): ActionResult {
    deleteRoleOp(scopeOf(ctx), ctx.params.required('RoleName'));
    return undefined;
  },
  ListRoles(ctx: RequestContext): ActionResult {
    const { page, ...rest } = pageUnderPath(Object.values(ctx.account.roles), ctx.params, (r) => r.roleName);
    return { Roles: page.map((r) => ({ ...roleXml(r, false), Tags: undefined })), ...rest };
  },
  UpdateRole(ctx: RequestContext): ActionResult {
    const p = ctx.params;
    updateRoleOp(scopeOf(ctx), p.required('RoleName'), {
      ...(p.get('Description') !== undefined ? { description: p.get('Description')! } : {}),
      ...(p.int('MaxSessionDuration') !== undefined ? { maxSessionDuration: p.int('MaxSessionDuration')! } : {}),
    });
    return {};
  },
  UpdateRoleDescription(ctx: RequestContext): ActionResult {
    const role = updateRoleOp(scopeOf(ctx), ctx.params.required('RoleName'), {
      description: ctx.params.required('Description'),
    });
    return { Role: roleXml(role, false) };
  },
  UpdateAssumeRolePolicy(ctx: RequestContext): ActionResult {
    updateAssumeRolePolicyOp(scopeOf(ctx), ctx.params.required('RoleName'), ctx.params.required('PolicyDocument'));
    return undefined;
  },
  TagRole(ctx: RequestContext): ActionResult {
    tagRoleOp(scopeOf(ctx), ctx.params.required('RoleName'), ctx.params.tags() ?? []);
    return undefined;
  },
  UntagRole(ctx: RequestContext): ActionResult {
    tagRoleOp(scopeOf(ctx), ctx.params.required('RoleName'), [], ctx.params.list('TagKeys') ?? []);
    return undefined;
  },
  ListRoleTags(ctx: RequestContext): ActionResult {
    const role = getRoleRecord(scopeOf(ctx), ctx.params.required('RoleName'));
    return { Tags: tagsXml(role.tags) ?? [], IsTruncated: false };
  },
  PutRolePermissionsBoundary(ctx: RequestContext): ActionResult {
    setRoleBoundaryOp(scopeOf(ctx), ctx.params.required('RoleName'), ctx.params.required('PermissionsBoundary'));
    return undefined;
  },
  DeleteRolePermissionsBoundary(ctx: RequestContext): ActionResult {
    setRoleBoundaryOp(scopeOf(ctx), ctx.params.required('RoleName'), undefined);
    return undefined;
  },
};
