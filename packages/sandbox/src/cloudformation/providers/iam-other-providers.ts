import {
  getInstanceProfileRecord,
  createInstanceProfileOp,
  deleteInstanceProfileOp,
  setInstanceProfileRoleOp,
} from '../../iam/instance-profiles.ts';
import { deleteInlinePolicyOp, putInlinePolicyOp } from '../../iam/inline-policies.ts';
import {
  attachPolicyOp,
  createPolicyOp,
  createPolicyVersionOp,
  deletePolicyOp,
  deletePolicyVersionOp,
  getPolicyRecord,
} from '../../iam/managed-policies.ts';
import { createServiceLinkedRoleOp } from '../../iam/service-linked-roles.ts';
import { deleteRoleOp, updateRoleOp } from '../../iam/roles.ts';
import { createAccessKeyOp, createUserOp, deleteAccessKeyOp, deleteUserOp } from '../../iam/users.ts';
import { getUserRecord } from '../../iam/iam-common.ts';
import { isAwsError } from '../../protocol/aws-error.ts';
import { documentText, stringList, tagList, type ProviderContext, type ResourceProvider } from './provider.ts';

const arnBase = (ctx: ProviderContext): string =>
  `arn:${ctx.scope.state.partition}:iam::${ctx.scope.account.accountId}:`;

async function ignoreMissing(fn: () => void): Promise<void> {
  try {
    fn();
  } catch (error) {
    if (isAwsError(error) && error.code === 'NoSuchEntity') return;
    throw error;
  }
}

function setAttachments(
  ctx: ProviderContext,
  arn: string,
  kind: 'role' | 'user',
  oldNames: string[],
  newNames: string[],
): void {
  for (const name of newNames.filter((n) => !oldNames.includes(n))) {
    ctx.authorize(kind === 'role' ? 'iam:AttachRolePolicy' : 'iam:AttachUserPolicy', `${arnBase(ctx)}${kind}/${name}`, {
      'iam:PolicyARN': arn,
    });
    attachPolicyOp(ctx.scope, kind, name, arn, true);
  }
  for (const name of oldNames.filter((n) => !newNames.includes(n))) {
    ctx.authorize(kind === 'role' ? 'iam:DetachRolePolicy' : 'iam:DetachUserPolicy', `${arnBase(ctx)}${kind}/${name}`, {
      'iam:PolicyARN': arn,
    });
    attachPolicyOp(ctx.scope, kind, name, arn, false);
  }
}

/** `AWS::IAM::ManagedPolicy`: Ref is the policy ARN; GetAtt PolicyArn, PolicyId, DefaultVersionId. Document changes create a new default version. */
export const iamManagedPolicyProvider: ResourceProvider = {
  required: ['PolicyDocument'],
  replaceOn: ['ManagedPolicyName', 'Path', 'Description'],
  async create(props, ctx) {
    const name = props.ManagedPolicyName !== undefined ? String(props.ManagedPolicyName) : ctx.physicalName(128);
    const path = props.Path !== undefined ? String(props.Path) : '/';
    ctx.authorize('iam:CreatePolicy', `${arnBase(ctx)}policy${path}${name}`);
    const policy = createPolicyOp(ctx.scope, {
      policyName: name,
      path,
      document: documentText(props.PolicyDocument),
      ...(props.Description !== undefined ? { description: String(props.Description) } : {}),
    });
    setAttachments(ctx, policy.arn, 'role', [], stringList(props.Roles));
    setAttachments(ctx, policy.arn, 'user', [], stringList(props.Users));
    return {
      physicalId: policy.arn,
      ref: policy.arn,
      attributes: { PolicyArn: policy.arn, PolicyId: policy.policyId, DefaultVersionId: policy.defaultVersionId },
    };
  },
  async update(previous, props, ctx) {
    const arn = previous.physicalId;
    const doc = documentText(props.PolicyDocument);
    if (documentText(previous.properties.PolicyDocument) !== doc) {
      ctx.authorize('iam:CreatePolicyVersion', arn);
      const policy = getPolicyRecord(ctx.scope, arn);
      if (policy.versions.length >= 5) {
        const oldest = policy.versions.find((v) => v.versionId !== policy.defaultVersionId)!;
        deletePolicyVersionOp(ctx.scope, arn, oldest.versionId);
      }
      createPolicyVersionOp(ctx.scope, arn, doc, true);
    }
    setAttachments(ctx, arn, 'role', stringList(previous.properties.Roles), stringList(props.Roles));
    setAttachments(ctx, arn, 'user', stringList(previous.properties.Users), stringList(props.Users));
    const policy = getPolicyRecord(ctx.scope, arn);
    return {
      physicalId: arn,
      ref: arn,
      attributes: { PolicyArn: arn, PolicyId: policy.policyId, DefaultVersionId: policy.defaultVersionId },
    };
  },
  async delete(resource, ctx) {
    const arn = resource.physicalId;
    const policy = ctx.scope.account.policies[arn.split('/').pop()!.toLowerCase()];
    if (!policy) return;
    ctx.authorize('iam:DeletePolicy', arn);
    for (const entity of [...Object.values(ctx.scope.account.roles), ...Object.values(ctx.scope.account.users)]) {
      entity.attachedPolicyArns = entity.attachedPolicyArns.filter((a) => a !== arn);
    }
    policy.versions = policy.versions.filter((v) => v.versionId === policy.defaultVersionId);
    await ignoreMissing(() => deletePolicyOp(ctx.scope, arn));
  },
};

/** `AWS::IAM::Policy`: an inline policy put on each listed role and user; Ref is a generated ID. */
export const iamPolicyProvider: ResourceProvider = {
  required: ['PolicyDocument', 'PolicyName'],
  replaceOn: [],
  async create(props, ctx) {
    const name = String(props.PolicyName);
    const doc = documentText(props.PolicyDocument);
    const roles = stringList(props.Roles);
    const users = stringList(props.Users);
    if (roles.length + users.length === 0 && stringList(props.Groups).length === 0) {
      throw new Error('At least one of [Groups,Roles,Users] must be non-empty.');
    }
    for (const r of roles) {
      ctx.authorize('iam:PutRolePolicy', `${arnBase(ctx)}role/${r}`);
      putInlinePolicyOp(ctx.scope, 'role', r, name, doc);
    }
    for (const u of users) {
      ctx.authorize('iam:PutUserPolicy', `${arnBase(ctx)}user/${u}`);
      putInlinePolicyOp(ctx.scope, 'user', u, name, doc);
    }
    const id = ctx.physicalName(64);
    return { physicalId: id, ref: id, attributes: { Id: id } };
  },
  async update(previous, props, ctx) {
    await iamPolicyProvider.delete(previous, ctx);
    const created = await iamPolicyProvider.create(props, ctx);
    return {
      ...created,
      physicalId: previous.physicalId,
      ref: previous.physicalId,
      attributes: { Id: previous.physicalId },
    };
  },
  async delete(resource, ctx) {
    const name = String(resource.properties.PolicyName);
    for (const r of stringList(resource.properties.Roles))
      await ignoreMissing(() => deleteInlinePolicyOp(ctx.scope, 'role', r, name));
    for (const u of stringList(resource.properties.Users))
      await ignoreMissing(() => deleteInlinePolicyOp(ctx.scope, 'user', u, name));
  },
};

/** `AWS::IAM::User`: Ref is the user name; GetAtt Arn. */
export const iamUserProvider: ResourceProvider = {
  required: [],
  replaceOn: ['UserName', 'Path'],
  async create(props, ctx) {
    const name = props.UserName !== undefined ? String(props.UserName) : ctx.physicalName(64);
    const path = props.Path !== undefined ? String(props.Path) : '/';
    ctx.authorize(
      'iam:CreateUser',
      `${arnBase(ctx)}user${path}${name}`,
      props.PermissionsBoundary !== undefined ? { 'iam:PermissionsBoundary': String(props.PermissionsBoundary) } : {},
    );
    const user = createUserOp(ctx.scope, {
      userName: name,
      path,
      tags: tagList(props.Tags),
      ...(props.PermissionsBoundary !== undefined ? { permissionsBoundary: String(props.PermissionsBoundary) } : {}),
    });
    for (const arn of stringList(props.ManagedPolicyArns)) attachPolicyOp(ctx.scope, 'user', name, arn, true);
    for (const p of (props.Policies as Array<{ PolicyName?: unknown; PolicyDocument?: unknown }> | undefined) ?? []) {
      putInlinePolicyOp(ctx.scope, 'user', name, String(p.PolicyName), documentText(p.PolicyDocument));
    }
    return { physicalId: name, ref: name, attributes: { Arn: user.arn } };
  },
  async update(previous, props, ctx) {
    const name = previous.physicalId;
    const user = getUserRecord(ctx.scope, name);
    const oldArns = stringList(previous.properties.ManagedPolicyArns);
    const newArns = stringList(props.ManagedPolicyArns);
    for (const arn of newArns.filter((a) => !oldArns.includes(a))) attachPolicyOp(ctx.scope, 'user', name, arn, true);
    for (const arn of oldArns.filter((a) => !newArns.includes(a))) attachPolicyOp(ctx.scope, 'user', name, arn, false);
    user.inlinePolicies = {};
    for (const p of (props.Policies as Array<{ PolicyName?: unknown; PolicyDocument?: unknown }> | undefined) ?? []) {
      putInlinePolicyOp(ctx.scope, 'user', name, String(p.PolicyName), documentText(p.PolicyDocument));
    }
    user.tags = tagList(props.Tags);
    return { physicalId: name, ref: name, attributes: { Arn: user.arn } };
  },
  async delete(resource, ctx) {
    const user = ctx.scope.account.users[resource.physicalId.toLowerCase()];
    if (!user) return;
    ctx.authorize('iam:DeleteUser', user.arn);
    user.attachedPolicyArns = [];
    user.inlinePolicies = {};
    await ignoreMissing(() => deleteUserOp(ctx.scope, user.userName));
  },
};

/** `AWS::IAM::AccessKey`: Ref is the access key ID; GetAtt SecretAccessKey. */
export const iamAccessKeyProvider: ResourceProvider = {
  required: ['UserName'],
  replaceOn: ['UserName', 'Serial'],
  async create(props, ctx) {
    const userName = String(props.UserName);
    ctx.authorize('iam:CreateAccessKey', `${arnBase(ctx)}user/${userName}`);
    const key = createAccessKeyOp(ctx.scope, userName);
    if (props.Status === 'Inactive') key.status = 'Inactive';
    return { physicalId: key.accessKeyId, ref: key.accessKeyId, attributes: { SecretAccessKey: key.secretAccessKey } };
  },
  async update(previous, props, ctx) {
    const key = ctx.scope.account.accessKeys[previous.physicalId];
    if (key) key.status = props.Status === 'Inactive' ? 'Inactive' : 'Active';
    return { physicalId: previous.physicalId, ref: previous.physicalId, attributes: previous.attributes };
  },
  async delete(resource, ctx) {
    ctx.authorize('iam:DeleteAccessKey', `${arnBase(ctx)}user/${String(resource.properties.UserName)}`);
    await ignoreMissing(() => deleteAccessKeyOp(ctx.scope, String(resource.properties.UserName), resource.physicalId));
  },
};

/** `AWS::IAM::InstanceProfile`: Ref is the profile name; GetAtt Arn. */
export const iamInstanceProfileProvider: ResourceProvider = {
  required: ['Roles'],
  replaceOn: ['InstanceProfileName', 'Path'],
  async create(props, ctx) {
    const name = props.InstanceProfileName !== undefined ? String(props.InstanceProfileName) : ctx.physicalName(128);
    const path = props.Path !== undefined ? String(props.Path) : '/';
    ctx.authorize('iam:CreateInstanceProfile', `${arnBase(ctx)}instance-profile${path}${name}`);
    const profile = createInstanceProfileOp(ctx.scope, { name, path });
    for (const role of stringList(props.Roles)) {
      ctx.authorize('iam:AddRoleToInstanceProfile', profile.arn);
      setInstanceProfileRoleOp(ctx.scope, name, role, true);
    }
    return { physicalId: name, ref: name, attributes: { Arn: profile.arn } };
  },
  async update(previous, props, ctx) {
    const profile = getInstanceProfileRecord(ctx.scope, previous.physicalId);
    for (const role of [...profile.roleNames]) setInstanceProfileRoleOp(ctx.scope, profile.name, role, false);
    for (const role of stringList(props.Roles)) setInstanceProfileRoleOp(ctx.scope, profile.name, role, true);
    return { physicalId: profile.name, ref: profile.name, attributes: { Arn: profile.arn } };
  },
  async delete(resource, ctx) {
    const profile = ctx.scope.account.instanceProfiles[resource.physicalId.toLowerCase()];
    if (!profile) return;
    ctx.authorize('iam:DeleteInstanceProfile', profile.arn);
    profile.roleNames = [];
    await ignoreMissing(() => deleteInstanceProfileOp(ctx.scope, profile.name));
  },
};

/** `AWS::IAM::ServiceLinkedRole`: Ref is the role name. */
export const iamServiceLinkedRoleProvider: ResourceProvider = {
  required: ['AWSServiceName'],
  replaceOn: ['AWSServiceName', 'CustomSuffix'],
  async create(props, ctx) {
    const serviceName = String(props.AWSServiceName);
    ctx.authorize('iam:CreateServiceLinkedRole', `${arnBase(ctx)}role/aws-service-role/${serviceName}/*`, {
      'iam:AWSServiceName': serviceName,
    });
    const role = createServiceLinkedRoleOp(ctx.scope, {
      serviceName,
      ...(props.CustomSuffix !== undefined ? { customSuffix: String(props.CustomSuffix) } : {}),
      ...(props.Description !== undefined ? { description: String(props.Description) } : {}),
    });
    return { physicalId: role.roleName, ref: role.roleName, attributes: {} };
  },
  async update(previous, props, ctx) {
    updateRoleOp(ctx.scope, previous.physicalId, {
      description: props.Description === undefined ? '' : String(props.Description),
    });
    return { physicalId: previous.physicalId, ref: previous.physicalId, attributes: {} };
  },
  async delete(resource, ctx) {
    ctx.authorize(
      'iam:DeleteServiceLinkedRole',
      `${arnBase(ctx)}role/aws-service-role/${String(resource.properties.AWSServiceName)}/${resource.physicalId}`,
    );
    await ignoreMissing(() => deleteRoleOp(ctx.scope, resource.physicalId, { serviceLinked: true }));
  },
};
