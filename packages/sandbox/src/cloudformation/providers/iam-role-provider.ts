import { deleteInlinePolicyOp, putInlinePolicyOp } from '../../iam/inline-policies.ts';
import { attachPolicyOp } from '../../iam/managed-policies.ts';
import {
  createRoleOp,
  deleteRoleOp,
  tagRoleOp,
  updateAssumeRolePolicyOp,
  updateRoleOp,
  setRoleBoundaryOp,
} from '../../iam/roles.ts';
import { getRoleRecord } from '../../iam/iam-common.ts';
import { isAwsError } from '../../protocol/aws-error.ts';
import type { StackResourceRecord } from '../../state/model.ts';
import {
  documentText,
  stringList,
  tagList,
  type ProviderContext,
  type ProvisionResult,
  type ResourceProvider,
} from './provider.ts';

function inlinePolicies(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of (props.Policies as Array<{ PolicyName?: unknown; PolicyDocument?: unknown }> | undefined) ?? []) {
    out[String(p.PolicyName)] = documentText(p.PolicyDocument);
  }
  return out;
}

function result(ctx: ProviderContext, roleName: string): ProvisionResult {
  const role = getRoleRecord(ctx.scope, roleName);
  return { physicalId: role.roleName, ref: role.roleName, attributes: { Arn: role.arn, RoleId: role.roleId } };
}

/** Applies ManagedPolicyArns and Policies, authorizing each call. */
function applyPolicies(
  ctx: ProviderContext,
  roleName: string,
  arn: string,
  previous: Record<string, unknown>,
  props: Record<string, unknown>,
): void {
  const oldArns = stringList(previous.ManagedPolicyArns);
  const newArns = stringList(props.ManagedPolicyArns);
  for (const policyArn of newArns.filter((a) => !oldArns.includes(a))) {
    ctx.authorize('iam:AttachRolePolicy', arn, { 'iam:PolicyARN': policyArn });
    attachPolicyOp(ctx.scope, 'role', roleName, policyArn, true);
  }
  for (const policyArn of oldArns.filter((a) => !newArns.includes(a))) {
    ctx.authorize('iam:DetachRolePolicy', arn, { 'iam:PolicyARN': policyArn });
    attachPolicyOp(ctx.scope, 'role', roleName, policyArn, false);
  }
  const oldInline = inlinePolicies(previous);
  const newInline = inlinePolicies(props);
  for (const [name, doc] of Object.entries(newInline)) {
    if (oldInline[name] === doc) continue;
    ctx.authorize('iam:PutRolePolicy', arn);
    putInlinePolicyOp(ctx.scope, 'role', roleName, name, doc);
  }
  for (const name of Object.keys(oldInline).filter((n) => !(n in newInline))) {
    ctx.authorize('iam:DeleteRolePolicy', arn);
    deleteInlinePolicyOp(ctx.scope, 'role', roleName, name);
  }
}

/** `AWS::IAM::Role`: Ref is the role name; GetAtt Arn and RoleId. */
export const iamRoleProvider: ResourceProvider = {
  required: ['AssumeRolePolicyDocument'],
  replaceOn: ['RoleName', 'Path'],
  async create(props, ctx) {
    const roleName = props.RoleName !== undefined ? String(props.RoleName) : ctx.physicalName(64);
    const path = props.Path !== undefined ? String(props.Path) : '/';
    const arn = `arn:${ctx.scope.state.partition}:iam::${ctx.scope.account.accountId}:role${path}${roleName}`;
    const tags = tagList(props.Tags);
    ctx.authorize('iam:CreateRole', arn, {
      ...(props.PermissionsBoundary !== undefined
        ? { 'iam:PermissionsBoundary': String(props.PermissionsBoundary) }
        : {}),
      ...Object.fromEntries(tags.map((t) => [`aws:RequestTag/${t.Key}`, t.Value])),
      ...(tags.length > 0 ? { 'aws:TagKeys': tags.map((t) => t.Key) } : {}),
    });
    createRoleOp(ctx.scope, {
      roleName,
      path,
      assumeRolePolicyDocument: documentText(props.AssumeRolePolicyDocument),
      tags,
      ...(props.Description !== undefined ? { description: String(props.Description) } : {}),
      ...(props.MaxSessionDuration !== undefined ? { maxSessionDuration: Number(props.MaxSessionDuration) } : {}),
      ...(props.PermissionsBoundary !== undefined ? { permissionsBoundary: String(props.PermissionsBoundary) } : {}),
    });
    try {
      applyPolicies(ctx, roleName, arn, {}, props);
    } catch (error) {
      // CloudFormation's handler cleans up the half-made role before reporting the failure.
      await iamRoleProvider
        .delete({ physicalId: roleName, properties: props } as StackResourceRecord, ctx)
        .catch(() => undefined);
      throw error;
    }
    return result(ctx, roleName);
  },
  async update(previous, props, ctx) {
    const roleName = previous.physicalId;
    const role = getRoleRecord(ctx.scope, roleName);
    const old = previous.properties;
    const newTrust = documentText(props.AssumeRolePolicyDocument);
    if (documentText(old.AssumeRolePolicyDocument) !== newTrust) {
      ctx.authorize('iam:UpdateAssumeRolePolicy', role.arn);
      updateAssumeRolePolicyOp(ctx.scope, roleName, newTrust);
    }
    if (old.Description !== props.Description || old.MaxSessionDuration !== props.MaxSessionDuration) {
      ctx.authorize('iam:UpdateRole', role.arn);
      updateRoleOp(ctx.scope, roleName, {
        description: props.Description === undefined ? '' : String(props.Description),
        maxSessionDuration: props.MaxSessionDuration === undefined ? 3600 : Number(props.MaxSessionDuration),
      });
    }
    if (old.PermissionsBoundary !== props.PermissionsBoundary) {
      ctx.authorize(
        props.PermissionsBoundary === undefined
          ? 'iam:DeleteRolePermissionsBoundary'
          : 'iam:PutRolePermissionsBoundary',
        role.arn,
      );
      setRoleBoundaryOp(
        ctx.scope,
        roleName,
        props.PermissionsBoundary === undefined ? undefined : String(props.PermissionsBoundary),
      );
    }
    if (JSON.stringify(old.Tags ?? []) !== JSON.stringify(props.Tags ?? [])) {
      ctx.authorize('iam:TagRole', role.arn);
      const keep = tagList(props.Tags);
      tagRoleOp(
        ctx.scope,
        roleName,
        keep,
        tagList(old.Tags)
          .map((t) => t.Key)
          .filter((k) => !keep.some((n) => n.Key === k)),
      );
    }
    applyPolicies(ctx, roleName, role.arn, old, props);
    return result(ctx, roleName);
  },
  async delete(resource, ctx) {
    const role = ctx.scope.account.roles[resource.physicalId.toLowerCase()];
    if (!role) return;
    ctx.authorize('iam:DeleteRole', role.arn);
    for (const arn of stringList(resource.properties.ManagedPolicyArns)) {
      if (role.attachedPolicyArns.includes(arn)) attachPolicyOp(ctx.scope, 'role', role.roleName, arn, false);
    }
    for (const name of Object.keys(inlinePolicies(resource.properties))) {
      if (name in role.inlinePolicies) deleteInlinePolicyOp(ctx.scope, 'role', role.roleName, name);
    }
    try {
      deleteRoleOp(ctx.scope, role.roleName);
    } catch (error) {
      if (isAwsError(error) && error.code === 'NoSuchEntity') return;
      throw error;
    }
  },
};
