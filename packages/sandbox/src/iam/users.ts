import { deleteConflict, entityAlreadyExists, limitExceeded, noSuchEntity } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import { accessKeyId, secretAccessKey, uniqueId } from '../state/ids.ts';
import type { AccessKeyRecord, Tag, UserRecord } from '../state/model.ts';
import { orphanPrincipal } from './orphan-principals.ts';
import {
  scopeOf,
  checkName,
  checkPath,
  checkTags,
  findAttachablePolicy,
  getUserRecord,
  iamArn,
  pageUnderPath,
  retag,
  tagsXml,
  userXml,
  type IamScope,
} from './iam-common.ts';

/** `iam:CreateUser`. */
export function createUserOp(
  scope: IamScope,
  input: { userName: string; path?: string; permissionsBoundary?: string; tags?: Tag[] },
): UserRecord {
  checkName(input.userName, 'userName', 64);
  const path = input.path ?? '/';
  checkPath(path);
  checkTags(input.tags ?? []);
  if (scope.account.users[input.userName.toLowerCase()])
    throw entityAlreadyExists(`User with name ${input.userName} already exists.`);
  if (input.permissionsBoundary) findAttachablePolicy(scope, input.permissionsBoundary);
  const user: UserRecord = {
    userName: input.userName,
    userId: uniqueId('AIDA'),
    path,
    arn: iamArn(scope, 'user', path, input.userName),
    createDate: scope.now.toISOString(),
    tags: input.tags ?? [],
    inlinePolicies: {},
    attachedPolicyArns: [],
    ...(input.permissionsBoundary ? { permissionsBoundaryArn: input.permissionsBoundary } : {}),
  };
  scope.account.users[input.userName.toLowerCase()] = user;
  return user;
}

/** `iam:DeleteUser`: no access keys, inline or attached policies may remain. */
export function deleteUserOp(scope: IamScope, userName: string): void {
  const user = getUserRecord(scope, userName);
  if (Object.values(scope.account.accessKeys).some((k) => k.userName === user.userName))
    throw deleteConflict('Cannot delete entity, must delete access keys first.');
  if (Object.keys(user.inlinePolicies).length > 0)
    throw deleteConflict('Cannot delete entity, must delete policies first.');
  if (user.attachedPolicyArns.length > 0) throw deleteConflict('Cannot delete entity, must detach all policies first.');
  delete scope.account.users[userName.toLowerCase()];
  orphanPrincipal(scope.state, user.arn, user.userId);
}

/** `iam:CreateAccessKey` (at most 2 per user). */
export function createAccessKeyOp(scope: IamScope, userName: string): AccessKeyRecord {
  const user = getUserRecord(scope, userName);
  if (Object.values(scope.account.accessKeys).filter((k) => k.userName === user.userName).length >= 2) {
    throw limitExceeded('Cannot exceed quota for AccessKeysPerUser: 2');
  }
  const key: AccessKeyRecord = {
    accessKeyId: accessKeyId('AKIA'),
    secretAccessKey: secretAccessKey(),
    userName: user.userName,
    status: 'Active',
    createDate: scope.now.toISOString(),
  };
  scope.account.accessKeys[key.accessKeyId] = key;
  return key;
}

/** `iam:DeleteAccessKey`. */
export function deleteAccessKeyOp(scope: IamScope, userName: string, keyId: string): void {
  const key = scope.account.accessKeys[keyId];
  if (!key || key.userName.toLowerCase() !== userName.toLowerCase())
    throw noSuchEntity(`The Access Key with id ${keyId} cannot be found.`);
  delete scope.account.accessKeys[keyId];
}

/** The user a key action applies to: the named one, or the caller itself when it is an IAM user. */
function userNameOf(ctx: RequestContext): string {
  const name = ctx.params.get('UserName');
  if (name !== undefined) return name;
  if (ctx.caller.kind === 'user') return ctx.caller.user.userName;
  return ctx.params.required('UserName');
}

/** Query handlers of the user and access key actions. */
export const userHandlers = {
  CreateUser(ctx: RequestContext): ActionResult {
    const p = ctx.params;
    const user = createUserOp(scopeOf(ctx), {
      userName: p.required('UserName'),
      tags: p.tags() ?? [],
      ...(p.get('Path') !== undefined ? { path: p.get('Path')! } : {}),
      ...(p.get('PermissionsBoundary') !== undefined ? { permissionsBoundary: p.get('PermissionsBoundary')! } : {}),
    });
    return { User: userXml(user) };
  },
  GetUser(ctx: RequestContext): ActionResult {
    const name = ctx.params.get('UserName');
    if (name === undefined && ctx.caller.kind === 'root') {
      return { User: { UserId: ctx.caller.accountId, Arn: ctx.caller.arn, CreateDate: new Date(0) } };
    }
    return { User: userXml(getUserRecord(scopeOf(ctx), userNameOf(ctx))) };
  },
  DeleteUser(ctx: RequestContext): ActionResult {
    deleteUserOp(scopeOf(ctx), ctx.params.required('UserName'));
    return undefined;
  },
  ListUsers(ctx: RequestContext): ActionResult {
    const { page, ...rest } = pageUnderPath(Object.values(ctx.account.users), ctx.params, (u) => u.userName);
    return { Users: page.map((u) => ({ ...userXml(u), Tags: undefined })), ...rest };
  },
  TagUser(ctx: RequestContext): ActionResult {
    retag(getUserRecord(scopeOf(ctx), ctx.params.required('UserName')), ctx.params.tags() ?? []);
    return undefined;
  },
  UntagUser(ctx: RequestContext): ActionResult {
    retag(getUserRecord(scopeOf(ctx), ctx.params.required('UserName')), [], ctx.params.list('TagKeys') ?? []);
    return undefined;
  },
  ListUserTags(ctx: RequestContext): ActionResult {
    const user = getUserRecord(scopeOf(ctx), ctx.params.required('UserName'));
    return { Tags: tagsXml(user.tags) ?? [], IsTruncated: false };
  },
  PutUserPermissionsBoundary(ctx: RequestContext): ActionResult {
    const scope = scopeOf(ctx);
    const user = getUserRecord(scope, ctx.params.required('UserName'));
    const arn = ctx.params.required('PermissionsBoundary');
    findAttachablePolicy(scope, arn);
    user.permissionsBoundaryArn = arn;
    return undefined;
  },
  DeleteUserPermissionsBoundary(ctx: RequestContext): ActionResult {
    const user = getUserRecord(scopeOf(ctx), ctx.params.required('UserName'));
    delete user.permissionsBoundaryArn;
    return undefined;
  },
  CreateAccessKey(ctx: RequestContext): ActionResult {
    const key = createAccessKeyOp(scopeOf(ctx), userNameOf(ctx));
    return {
      AccessKey: {
        UserName: key.userName,
        AccessKeyId: key.accessKeyId,
        Status: key.status,
        SecretAccessKey: key.secretAccessKey,
        CreateDate: new Date(key.createDate),
      },
    };
  },
  DeleteAccessKey(ctx: RequestContext): ActionResult {
    deleteAccessKeyOp(scopeOf(ctx), userNameOf(ctx), ctx.params.required('AccessKeyId'));
    return undefined;
  },
  UpdateAccessKey(ctx: RequestContext): ActionResult {
    const id = ctx.params.required('AccessKeyId');
    const status = ctx.params.required('Status');
    const key = ctx.account.accessKeys[id];
    if (!key || key.userName.toLowerCase() !== userNameOf(ctx).toLowerCase())
      throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
    key.status = status === 'Inactive' ? 'Inactive' : 'Active';
    return undefined;
  },
  ListAccessKeys(ctx: RequestContext): ActionResult {
    const user = getUserRecord(scopeOf(ctx), userNameOf(ctx));
    const keys = Object.values(ctx.account.accessKeys).filter((k) => k.userName === user.userName);
    return {
      AccessKeyMetadata: keys.map((k) => ({
        UserName: k.userName,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        CreateDate: new Date(k.createDate),
      })),
      IsTruncated: false,
    };
  },
};
