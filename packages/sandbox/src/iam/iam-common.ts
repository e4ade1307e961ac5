import { policySize } from '@trustgate/core';
import { AwsError, limitExceeded, noSuchEntity } from '../protocol/aws-error.ts';
import type { QueryParams } from '../protocol/query-params.ts';
import type { RequestContext } from '../runtime.ts';
import type { XmlValue } from '../protocol/xml.ts';
import { constraintError } from '../sts/session-inputs.ts';
import type { AccountState, ManagedPolicyRecord, RoleRecord, SandboxState, Tag, UserRecord } from '../state/model.ts';
import { findAwsManagedPolicy } from './aws-managed-policies.ts';

/** The state an IAM operation works on: the whole sandbox, the account it acts in, and the time. */
export interface IamScope {
  state: SandboxState;
  account: AccountState;
  now: Date;
}

/** The {@link IamScope} a query handler's request acts on. */
export function scopeOf(ctx: RequestContext): IamScope {
  return { state: ctx.runtime.store.state, account: ctx.account, now: ctx.now };
}

const NAME = /^[\w+=,.@-]+$/;

/** Checks an IAM entity name against the API model (`[\w+=,.@-]+`, 1 to `max` characters). */
export function checkName(value: string, member: string, max: number): void {
  if (value.length < 1) throw constraintError(value, member, 'Member must have length greater than or equal to 1');
  if (value.length > max) throw constraintError(value, member, `Member must have length less than or equal to ${max}`);
  if (!NAME.test(value))
    throw constraintError(value, member, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
}

/** Checks an IAM path: `/` or `/segments/`, 1-512 printable ASCII characters. */
export function checkPath(path: string): void {
  if (path.length > 512) throw constraintError(path, 'path', 'Member must have length less than or equal to 512');
  if (!/^(\/|\/[\u0021-\u007E]+\/)$/.test(path)) {
    throw new AwsError(
      'ValidationError',
      'The specified value for path is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.',
      400,
    );
  }
}

/** Checks tags (IAM quotas: 50 tags, key 1-128, value 0-256, keys unique case-insensitively). */
export function checkTags(tags: Tag[], existing: Tag[] = []): void {
  for (const t of tags) {
    if (t.Key.length < 1 || t.Key.length > 128)
      throw constraintError(t.Key, 'tags.member.key', 'Member must have length less than or equal to 128');
    if (t.Value.length > 256)
      throw constraintError(t.Value, 'tags.member.value', 'Member must have length less than or equal to 256');
  }
  const keys = tags.map((t) => t.Key.toLowerCase());
  if (new Set(keys).size !== keys.length)
    throw new AwsError(
      'InvalidInput',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      400,
    );
  const merged = new Set([...existing.map((t) => t.Key.toLowerCase()), ...keys]);
  if (merged.size > 50) throw limitExceeded('The number of tags has reached the maximum limit.');
}

/** Adds or replaces tags by key (case-insensitive). */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const keys = new Set(added.map((t) => t.Key.toLowerCase()));
  return [...existing.filter((t) => !keys.has(t.Key.toLowerCase())), ...added];
}

/**
 * `Tag*` / `Untag*` of a role or user: adds or replaces `add` (checked against the quotas with the tags it
 * has), then removes the keys `removeKeys` (case-insensitive).
 */
export function retag(entity: { tags: Tag[] }, add: Tag[], removeKeys: string[] = []): void {
  checkTags(add, entity.tags);
  const remove = new Set(removeKeys.map((k) => k.toLowerCase()));
  entity.tags = mergeTags(entity.tags, add).filter((t) => !remove.has(t.Key.toLowerCase()));
}

/** `arn:<partition>:iam::<account>:<kind><path><name>` */
export function iamArn(scope: IamScope, kind: string, path: string, name: string): string {
  return `arn:${scope.state.partition}:iam::${scope.account.accountId}:${kind}${path}${name}`;
}

/** The role, or `NoSuchEntity` "The role with name X cannot be found." */
export function getRoleRecord(scope: IamScope, roleName: string): RoleRecord {
  const role = scope.account.roles[roleName.toLowerCase()];
  if (!role) throw noSuchEntity(`The role with name ${roleName} cannot be found.`);
  return role;
}

/** The user, or `NoSuchEntity` "The user with name X cannot be found." */
export function getUserRecord(scope: IamScope, userName: string): UserRecord {
  const user = scope.account.users[userName.toLowerCase()];
  if (!user) throw noSuchEntity(`The user with name ${userName} cannot be found.`);
  return user;
}

/** Checks an ARN parameter is an ARN at all (`InvalidInput` "ARN x is not valid."). */
export function checkArn(arn: string): void {
  if (!/^arn:[a-z-]+:[a-z0-9-]*:[a-z0-9-]*:[0-9a-z]*:.+$/.test(arn))
    throw new AwsError('InvalidInput', `ARN ${arn} is not valid.`, 400);
}

/** A managed policy of this account by ARN (customer managed), or an AWS managed one, for attaching. */
export function findAttachablePolicy(scope: IamScope, arn: string): { arn: string; customer?: ManagedPolicyRecord } {
  checkArn(arn);
  if (findAwsManagedPolicy(arn) && arn.startsWith(`arn:${scope.state.partition}:`)) return { arn };
  const m = /^arn:[a-z-]+:iam::(\d{12}):policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  const policy = m && m[1] === scope.account.accountId ? scope.account.policies[m[2]!.toLowerCase()] : undefined;
  if (!policy || policy.arn !== arn) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return { arn, customer: policy };
}

/** The size AWS counts for a policy document (characters without white space). */
export function documentSize(text: string): number {
  return policySize(JSON.parse(text));
}

/** IAM returns policy documents URL-encoded (RFC 3986) inside its XML responses. */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text);
}

/** Marker/MaxItems pagination (IAM API reference, "Pagination"); the marker is an opaque offset. */
export function paginate<T>(items: T[], params: QueryParams): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const maxItems = params.int('MaxItems') ?? 100;
  if (maxItems < 1 || maxItems > 1000)
    throw constraintError(String(maxItems), 'maxItems', 'Member must have value less than or equal to 1000');
  const marker = params.get('Marker');
  const start = marker ? Number.parseInt(Buffer.from(marker, 'base64').toString('utf8'), 10) || 0 : 0;
  const page = items.slice(start, start + maxItems);
  const truncated = start + maxItems < items.length;
  return {
    page,
    IsTruncated: truncated,
    ...(truncated ? { Marker: Buffer.from(String(start + maxItems)).toString('base64') } : {}),
  };
}

/** One page (`paginate`) of a `List*` action's records under `PathPrefix` (default `/`), sorted by name. */
export function pageUnderPath<T extends { path: string }>(
  records: T[],
  params: QueryParams,
  nameOf: (record: T) => string,
): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const prefix = params.get('PathPrefix') ?? '/';
  return paginate(
    records.filter((r) => r.path.startsWith(prefix)).sort((a, b) => nameOf(a).localeCompare(nameOf(b))),
    params,
  );
}

/** Tags as XML (`<Tags><member><Key/><Value/></member></Tags>`); omitted when empty, as IAM does. */
export function tagsXml(tags: Tag[]): XmlValue {
  return tags.length > 0 ? tags.map((t) => ({ Key: t.Key, Value: t.Value })) : undefined;
}

/** The `Role` structure of IAM responses; `full` adds what only GetRole returns (tags, last used). */
export function roleXml(role: RoleRecord, full: boolean): Record<string, XmlValue> {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: new Date(role.createDate),
    AssumeRolePolicyDocument: encodeDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    PermissionsBoundary: role.permissionsBoundaryArn
      ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: role.permissionsBoundaryArn }
      : undefined,
    Tags: tagsXml(role.tags),
    RoleLastUsed: full ? {} : undefined,
  };
}

/** The `User` structure of IAM responses. */
export function userXml(user: UserRecord): Record<string, XmlValue> {
  return {
    Path: user.path,
    UserName: user.userName,
    UserId: user.userId,
    Arn: user.arn,
    CreateDate: new Date(user.createDate),
    PermissionsBoundary: user.permissionsBoundaryArn
      ? { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: user.permissionsBoundaryArn }
      : undefined,
    Tags: tagsXml(user.tags),
  };
}

/** The `Policy` structure of IAM responses. */
export function policyXml(policy: ManagedPolicyRecord, attachmentCount: number): Record<string, XmlValue> {
  return {
    PolicyName: policy.policyName,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: policy.defaultVersionId,
    AttachmentCount: attachmentCount,
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: policy.description,
    CreateDate: new Date(policy.createDate),
    UpdateDate: new Date(policy.updateDate),
    Tags: tagsXml(policy.tags),
  };
}

/** How many roles and users of the account have the policy attached. */
export function attachmentCount(account: AccountState, arn: string): number {
  return [...Object.values(account.roles), ...Object.values(account.users)].filter((e) =>
    e.attachedPolicyArns.includes(arn),
  ).length;
}
