import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import { uniqueId } from '../state/ids.ts';
import type { ManagedPolicyRecord, Tag } from '../state/model.ts';
import { AWS_MANAGED_POLICIES } from './aws-managed-policies.ts';
import { checkModifiable } from './roles.ts';
import {
  scopeOf,
  attachmentCount,
  checkArn,
  checkName,
  checkPath,
  checkTags,
  documentSize,
  encodeDocument,
  findAttachablePolicy,
  getRoleRecord,
  getUserRecord,
  iamArn,
  paginate,
  policyXml,
  type IamScope,
} from './iam-common.ts';
import { validatePolicyDocument } from './validate-policy.ts';

/** IAM quotas: managed policy document 6,144 characters; 5 versions; 10 managed policies attached per role or user. */
export const MANAGED_POLICY_QUOTA = { size: 6144, versions: 5, attachedPerEntity: 10 } as const;

/** `iam:CreatePolicy`. */
export function createPolicyOp(
  scope: IamScope,
  input: { policyName: string; document: string; path?: string; description?: string; tags?: Tag[] },
): ManagedPolicyRecord {
  checkName(input.policyName, 'policyName', 128);
  const path = input.path ?? '/';
  checkPath(path);
  checkTags(input.tags ?? []);
  if (scope.account.policies[input.policyName.toLowerCase()]) {
    throw entityAlreadyExists(`A policy called ${input.policyName} already exists. Duplicate names are not allowed.`);
  }
  validatePolicyDocument(input.document, 'identity');
  if (documentSize(input.document) > MANAGED_POLICY_QUOTA.size)
    throw limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_QUOTA.size}`);
  const now = scope.now.toISOString();
  const policy: ManagedPolicyRecord = {
    policyName: input.policyName,
    policyId: uniqueId('ANPA'),
    path,
    arn: iamArn(scope, 'policy', path, input.policyName),
    createDate: now,
    updateDate: now,
    defaultVersionId: 'v1',
    versions: [{ versionId: 'v1', document: input.document, createDate: now }],
    nextVersion: 2,
    tags: input.tags ?? [],
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
  scope.account.policies[input.policyName.toLowerCase()] = policy;
  return policy;
}

/** A customer managed policy of this account by ARN, or `NoSuchEntity`. */
export function getPolicyRecord(scope: IamScope, arn: string): ManagedPolicyRecord {
  checkArn(arn);
  const name = arn.split('/').pop() ?? '';
  const policy = scope.account.policies[name.toLowerCase()];
  if (!policy || policy.arn !== arn) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

/** `iam:DeletePolicy`: not while attached, nor while it has non-default versions. */
export function deletePolicyOp(scope: IamScope, arn: string): void {
  const policy = getPolicyRecord(scope, arn);
  if (attachmentCount(scope.account, arn) > 0) throw deleteConflict('Cannot delete a policy attached to entities.');
  if (policy.versions.length > 1) {
    throw deleteConflict(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    );
  }
  delete scope.account.policies[policy.policyName.toLowerCase()];
}

/** `iam:CreatePolicyVersion`. */
export function createPolicyVersionOp(scope: IamScope, arn: string, document: string, setAsDefault: boolean): string {
  const policy = getPolicyRecord(scope, arn);
  validatePolicyDocument(document, 'identity');
  if (documentSize(document) > MANAGED_POLICY_QUOTA.size)
    throw limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_QUOTA.size}`);
  if (policy.versions.length >= MANAGED_POLICY_QUOTA.versions) {
    throw limitExceeded(
      'A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.',
    );
  }
  const versionId = `v${policy.nextVersion++}`;
  policy.versions.push({ versionId, document, createDate: scope.now.toISOString() });
  if (setAsDefault) policy.defaultVersionId = versionId;
  policy.updateDate = scope.now.toISOString();
  return versionId;
}

/** `iam:DeletePolicyVersion` (not the default one). */
export function deletePolicyVersionOp(scope: IamScope, arn: string, versionId: string): void {
  const policy = getPolicyRecord(scope, arn);
  if (!policy.versions.some((v) => v.versionId === versionId))
    throw noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not deletable.`);
  if (policy.defaultVersionId === versionId) throw deleteConflict('Cannot delete the default version of a policy.');
  policy.versions = policy.versions.filter((v) => v.versionId !== versionId);
}

/** `iam:Attach{Role,User}Policy` / `iam:Detach{Role,User}Policy`. */
export function attachPolicyOp(
  scope: IamScope,
  kind: 'role' | 'user',
  name: string,
  arn: string,
  attach: boolean,
): void {
  const entity = kind === 'role' ? getRoleRecord(scope, name) : getUserRecord(scope, name);
  if (kind === 'role') checkModifiable(getRoleRecord(scope, name));
  if (attach) {
    findAttachablePolicy(scope, arn);
    if (entity.attachedPolicyArns.includes(arn)) return;
    if (entity.attachedPolicyArns.length >= MANAGED_POLICY_QUOTA.attachedPerEntity) {
      throw limitExceeded(
        `Cannot exceed quota for PoliciesPer${kind === 'role' ? 'Role' : 'User'}: ${MANAGED_POLICY_QUOTA.attachedPerEntity}`,
      );
    }
    entity.attachedPolicyArns.push(arn);
  } else {
    checkArn(arn);
    if (!entity.attachedPolicyArns.includes(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
    entity.attachedPolicyArns = entity.attachedPolicyArns.filter((a) => a !== arn);
  }
}

/** Creation date the sandbox reports for AWS managed policies (it does not track AWS's version history). */
const AWS_MANAGED_DATE = '2015-02-06T18:39:46Z';

function awsManaged(ctx: RequestContext, arn: string): (typeof AWS_MANAGED_POLICIES)[number] | undefined {
  return AWS_MANAGED_POLICIES.find(
    (m) => arn === `arn:${ctx.runtime.store.state.partition}:iam::aws:policy${m.path}${m.name}`,
  );
}

function attachedList(ctx: RequestContext, kind: 'role' | 'user'): ActionResult {
  const scope = scopeOf(ctx);
  const entity =
    kind === 'role'
      ? getRoleRecord(scope, ctx.params.required('RoleName'))
      : getUserRecord(scope, ctx.params.required('UserName'));
  const { page, ...rest } = paginate(entity.attachedPolicyArns, ctx.params);
  return { AttachedPolicies: page.map((arn) => ({ PolicyName: arn.split('/').pop(), PolicyArn: arn })), ...rest };
}

/** `Attach{Role,User}Policy` (`attach`) and `Detach{Role,User}Policy`. */
function attachment(ctx: RequestContext, kind: 'role' | 'user', attach: boolean): ActionResult {
  attachPolicyOp(
    scopeOf(ctx),
    kind,
    ctx.params.required(kind === 'role' ? 'RoleName' : 'UserName'),
    ctx.params.required('PolicyArn'),
    attach,
  );
  return undefined;
}

/** Query handlers of the managed policy actions. */
export const managedPolicyHandlers = {
  CreatePolicy(ctx: RequestContext): ActionResult {
    const p = ctx.params;
    const policy = createPolicyOp(scopeOf(ctx), {
      policyName: p.required('PolicyName'),
      document: p.required('PolicyDocument'),
      tags: p.tags() ?? [],
      ...(p.get('Path') !== undefined ? { path: p.get('Path')! } : {}),
      ...(p.get('Description') !== undefined ? { description: p.get('Description')! } : {}),
    });
    return { Policy: { ...policyXml(policy, 0), Description: undefined } };
  },
  GetPolicy(ctx: RequestContext): ActionResult {
    const arn = ctx.params.required('PolicyArn');
    const aws = awsManaged(ctx, arn);
    if (aws) {
      return {
        Policy: {
          PolicyName: aws.name,
          PolicyId:
            'ANPA' +
            aws.name
              .toUpperCase()
              .replace(/[^A-Z2-7]/g, 'A')
              .padEnd(17, 'A')
              .slice(0, 17),
          Arn: arn,
          Path: aws.path,
          DefaultVersionId: 'v1',
          AttachmentCount: attachmentCount(ctx.account, arn),
          PermissionsBoundaryUsageCount: 0,
          IsAttachable: true,
          CreateDate: new Date(AWS_MANAGED_DATE),
          UpdateDate: new Date(AWS_MANAGED_DATE),
        },
      };
    }
    const policy = getPolicyRecord(scopeOf(ctx), arn);
    return { Policy: policyXml(policy, attachmentCount(ctx.account, policy.arn)) };
  },
  DeletePolicy(ctx: RequestContext): ActionResult {
    deletePolicyOp(scopeOf(ctx), ctx.params.required('PolicyArn'));
    return undefined;
  },
  ListPolicies(ctx: RequestContext): ActionResult {
    const scopeParam = ctx.params.get('Scope') ?? 'All';
    const onlyAttached = ctx.params.bool('OnlyAttached') ?? false;
    const prefix = ctx.params.get('PathPrefix') ?? '/';
    const p = ctx.runtime.store.state.partition;
    const local =
      scopeParam === 'AWS'
        ? []
        : Object.values(ctx.account.policies).map((policy) =>
            policyXml(policy, attachmentCount(ctx.account, policy.arn)),
          );
    const aws =
      scopeParam === 'Local'
        ? []
        : AWS_MANAGED_POLICIES.map((m) => {
            const arn = `arn:${p}:iam::aws:policy${m.path}${m.name}`;
            return {
              PolicyName: m.name,
              Arn: arn,
              Path: m.path,
              DefaultVersionId: 'v1',
              AttachmentCount: attachmentCount(ctx.account, arn),
              IsAttachable: true,
            };
          });
    const all = [...local, ...aws]
      .filter((x) => String(x.Path).startsWith(prefix) && (!onlyAttached || Number(x.AttachmentCount) > 0))
      .map((x) => ({ ...x, Description: undefined, Tags: undefined }));
    const { page, ...rest } = paginate(all, ctx.params);
    return { Policies: page, ...rest };
  },
  CreatePolicyVersion(ctx: RequestContext): ActionResult {
    const arn = ctx.params.required('PolicyArn');
    const versionId = createPolicyVersionOp(
      scopeOf(ctx),
      arn,
      ctx.params.required('PolicyDocument'),
      ctx.params.bool('SetAsDefault') ?? false,
    );
    const policy = getPolicyRecord(scopeOf(ctx), arn);
    const v = policy.versions.find((x) => x.versionId === versionId)!;
    return {
      PolicyVersion: {
        VersionId: versionId,
        IsDefaultVersion: policy.defaultVersionId === versionId,
        CreateDate: new Date(v.createDate),
      },
    };
  },
  GetPolicyVersion(ctx: RequestContext): ActionResult {
    const arn = ctx.params.required('PolicyArn');
    const versionId = ctx.params.required('VersionId');
    const aws = awsManaged(ctx, arn);
    if (aws) {
      if (versionId !== 'v1')
        throw noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
      return {
        PolicyVersion: {
          Document: encodeDocument(JSON.stringify(aws.document)),
          VersionId: 'v1',
          IsDefaultVersion: true,
          CreateDate: new Date(AWS_MANAGED_DATE),
        },
      };
    }
    const policy = getPolicyRecord(scopeOf(ctx), arn);
    const v = policy.versions.find((x) => x.versionId === versionId);
    if (!v) throw noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
    return {
      PolicyVersion: {
        Document: encodeDocument(v.document),
        VersionId: v.versionId,
        IsDefaultVersion: policy.defaultVersionId === v.versionId,
        CreateDate: new Date(v.createDate),
      },
    };
  },
  ListPolicyVersions(ctx: RequestContext): ActionResult {
    if (awsManaged(ctx, ctx.params.required('PolicyArn')))
      return {
        Versions: [{ VersionId: 'v1', IsDefaultVersion: true, CreateDate: new Date(AWS_MANAGED_DATE) }],
        IsTruncated: false,
      };
    const policy = getPolicyRecord(scopeOf(ctx), ctx.params.required('PolicyArn'));
    const versions = [...policy.versions].reverse().map((v) => ({
      VersionId: v.versionId,
      IsDefaultVersion: policy.defaultVersionId === v.versionId,
      CreateDate: new Date(v.createDate),
    }));
    const { page, ...rest } = paginate(versions, ctx.params);
    return { Versions: page, ...rest };
  },
  DeletePolicyVersion(ctx: RequestContext): ActionResult {
    deletePolicyVersionOp(scopeOf(ctx), ctx.params.required('PolicyArn'), ctx.params.required('VersionId'));
    return undefined;
  },
  SetDefaultPolicyVersion(ctx: RequestContext): ActionResult {
    const arn = ctx.params.required('PolicyArn');
    const versionId = ctx.params.required('VersionId');
    const policy = getPolicyRecord(scopeOf(ctx), arn);
    if (!policy.versions.some((v) => v.versionId === versionId))
      throw noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`);
    policy.defaultVersionId = versionId;
    return undefined;
  },
  AttachRolePolicy: (ctx: RequestContext): ActionResult => attachment(ctx, 'role', true),
  DetachRolePolicy: (ctx: RequestContext): ActionResult => attachment(ctx, 'role', false),
  AttachUserPolicy: (ctx: RequestContext): ActionResult => attachment(ctx, 'user', true),
  DetachUserPolicy: (ctx: RequestContext): ActionResult => attachment(ctx, 'user', false),
  ListAttachedRolePolicies: (ctx: RequestContext): ActionResult => attachedList(ctx, 'role'),
  ListAttachedUserPolicies: (ctx: RequestContext): ActionResult => attachedList(ctx, 'user'),
  ListEntitiesForPolicy(ctx: RequestContext): ActionResult {
    const arn = ctx.params.required('PolicyArn');
    if (!arn.includes(':iam::aws:')) getPolicyRecord(scopeOf(ctx), arn);
    const roles = Object.values(ctx.account.roles)
      .filter((r) => r.attachedPolicyArns.includes(arn))
      .map((r) => ({ RoleName: r.roleName, RoleId: r.roleId }));
    const users = Object.values(ctx.account.users)
      .filter((u) => u.attachedPolicyArns.includes(arn))
      .map((u) => ({ UserName: u.userName, UserId: u.userId }));
    return { PolicyRoles: roles, PolicyUsers: users, PolicyGroups: [], IsTruncated: false };
  },
};
