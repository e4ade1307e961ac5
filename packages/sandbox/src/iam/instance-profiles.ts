import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import { uniqueId } from '../state/ids.ts';
import type { InstanceProfileRecord, Tag } from '../state/model.ts';
import {
  scopeOf,
  checkName,
  checkPath,
  checkTags,
  getRoleRecord,
  iamArn,
  pageUnderPath,
  paginate,
  roleXml,
  tagsXml,
  type IamScope,
} from './iam-common.ts';

/** The instance profile, or `NoSuchEntity` "Instance Profile X cannot be found." */
export function getInstanceProfileRecord(scope: IamScope, name: string): InstanceProfileRecord {
  const profile = scope.account.instanceProfiles[name.toLowerCase()];
  if (!profile) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
  return profile;
}

/** `iam:CreateInstanceProfile`. */
export function createInstanceProfileOp(
  scope: IamScope,
  input: { name: string; path?: string; tags?: Tag[] },
): InstanceProfileRecord {
  checkName(input.name, 'instanceProfileName', 128);
  const path = input.path ?? '/';
  checkPath(path);
  checkTags(input.tags ?? []);
  if (scope.account.instanceProfiles[input.name.toLowerCase()])
    throw entityAlreadyExists(`Instance Profile ${input.name} already exists.`);
  const profile: InstanceProfileRecord = {
    name: input.name,
    id: uniqueId('AIPA'),
    path,
    arn: iamArn(scope, 'instance-profile', path, input.name),
    createDate: scope.now.toISOString(),
    roleNames: [],
    tags: input.tags ?? [],
  };
  scope.account.instanceProfiles[input.name.toLowerCase()] = profile;
  return profile;
}

/** `iam:DeleteInstanceProfile`: its role must be removed first. */
export function deleteInstanceProfileOp(scope: IamScope, name: string): void {
  const profile = getInstanceProfileRecord(scope, name);
  if (profile.roleNames.length > 0)
    throw deleteConflict('Cannot delete entity, must remove roles from instance profile first.');
  delete scope.account.instanceProfiles[name.toLowerCase()];
}

/** `iam:AddRoleToInstanceProfile` (one role per profile) / `iam:RemoveRoleFromInstanceProfile`. */
export function setInstanceProfileRoleOp(scope: IamScope, name: string, roleName: string, add: boolean): void {
  const profile = getInstanceProfileRecord(scope, name);
  const role = getRoleRecord(scope, roleName);
  if (add) {
    if (profile.roleNames.length >= 1)
      throw limitExceeded('Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
    profile.roleNames.push(role.roleName);
  } else {
    if (!profile.roleNames.includes(role.roleName))
      throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
    profile.roleNames = profile.roleNames.filter((r) => r !== role.roleName);
  }
}

function profileXml(
  scope: IamScope,
  profile: InstanceProfileRecord,
): Record<string, import('../protocol/xml.ts').XmlValue> {
  return {
    Path: profile.path,
    InstanceProfileName: profile.name,
    InstanceProfileId: profile.id,
    Arn: profile.arn,
    CreateDate: new Date(profile.createDate),
    Roles: profile.roleNames.map((r) => roleXml(getRoleRecord(scope, r), false)),
    Tags: tagsXml(profile.tags),
  };
}

/** Query handlers of the instance profile actions. */
export const instanceProfileHandlers = {
  CreateInstanceProfile(ctx: RequestContext): ActionResult {
    const scope = scopeOf(ctx);
    const profile = createInstanceProfileOp(scope, {
      name: ctx.params.required('InstanceProfileName'),
      tags: ctx.params.tags() ?? [],
      ...(ctx.params.get('Path') !== undefined ? { path: ctx.params.get('Path')! } : {}),
    });
    return { InstanceProfile: profileXml(scope, profile) };
  },
  GetInstanceProfile(ctx: RequestContext): ActionResult {
    const scope = scopeOf(ctx);
    return {
      InstanceProfile: profileXml(scope, getInstanceProfileRecord(scope, ctx.params.required('InstanceProfileName'))),
    };
  },
  DeleteInstanceProfile(ctx: RequestContext): ActionResult {
    deleteInstanceProfileOp(scopeOf(ctx), ctx.params.required('InstanceProfileName'));
    return undefined;
  },
  AddRoleToInstanceProfile(ctx: RequestContext): ActionResult {
    setInstanceProfileRoleOp(
      scopeOf(ctx),
      ctx.params.required('InstanceProfileName'),
      ctx.params.required('RoleName'),
      true,
    );
    return undefined;
  },
  RemoveRoleFromInstanceProfile(ctx: RequestContext): ActionResult {
    setInstanceProfileRoleOp(
      scopeOf(ctx),
      ctx.params.required('InstanceProfileName'),
      ctx.params.required('RoleName'),
      false,
    );
    return undefined;
  },
  ListInstanceProfiles(ctx: RequestContext): ActionResult {
    const scope = scopeOf(ctx);
    const { page, ...rest } = pageUnderPath(Object.values(ctx.account.instanceProfiles), ctx.params, (p) => p.name);
    return { InstanceProfiles: page.map((p) => profileXml(scope, p)), ...rest };
  },
  ListInstanceProfilesForRole(ctx: RequestContext): ActionResult {
    const scope = scopeOf(ctx);
    const role = getRoleRecord(scope, ctx.params.required('RoleName'));
    const profiles = Object.values(ctx.account.instanceProfiles).filter((p) => p.roleNames.includes(role.roleName));
    const { page, ...rest } = paginate(profiles, ctx.params);
    return { InstanceProfiles: page.map((p) => profileXml(scope, p)), ...rest };
  },
};
