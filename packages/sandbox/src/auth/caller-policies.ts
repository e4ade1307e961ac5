import type { ContextValue, PolicyDocument, PolicySet } from '@trustgate/core';
import { findAwsManagedPolicy } from '../iam/aws-managed-policies.ts';
import { organizationOf } from '../organizations/organization-of.ts';
import type { RoleRecord, SandboxState, Tag } from '../state/model.ts';
import type { Caller } from './caller.ts';

const parsed = new Map<string, PolicyDocument>();

/** Parses a stored (already validated) policy document, cached by its text. */
export function parsePolicy(text: string): PolicyDocument {
  let doc = parsed.get(text);
  if (!doc) {
    doc = JSON.parse(text) as PolicyDocument;
    if (parsed.size > 5000) parsed.clear();
    parsed.set(text, doc);
  }
  return doc;
}

/** The default version of a managed policy (customer managed in any sandbox account, or AWS managed). */
export function managedPolicyDocument(state: SandboxState, arn: string): PolicyDocument | undefined {
  const aws = findAwsManagedPolicy(arn);
  if (aws) return aws.document;
  const m = /^arn:[a-z-]+:iam::(\d{12}):policy\/(?:.*\/)?([^/]+)$/.exec(arn);
  if (!m) return undefined;
  const policy = state.accounts[m[1]!]?.policies[m[2]!.toLowerCase()];
  if (!policy || policy.arn !== arn) return undefined;
  const version = policy.versions.find((v) => v.versionId === policy.defaultVersionId);
  return version ? parsePolicy(version.document) : undefined;
}

const ALLOW_ALL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/**
 * The policies that decide what a caller may do (IAM User Guide, "Policy evaluation logic"): a user's inline
 * and attached policies and boundary; a role session's role policies, the role's boundary, and the session
 * policies passed to AssumeRole (inline `Policy` and `PolicyArns`). The account root is allowed everything
 * by its identity.
 */
export function callerPolicies(state: SandboxState, caller: Caller): PolicySet {
  const scps = serviceControlPoliciesFor(state, caller.accountId);
  const withScps = (set: PolicySet): PolicySet => (scps ? { ...set, serviceControlPolicies: scps } : set);
  const account = state.accounts[caller.accountId];
  if (caller.kind === 'root' || !account) return withScps({ identityPolicies: [ALLOW_ALL] });
  return withScps(entityPolicies(state, caller));
}

/** AWS's default SCP, attached to every organization root (Organizations User Guide, "FullAWSAccess"). */
const FULL_AWS_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/**
 * The SCP levels governing an account: one level (the organization root) with FullAWSAccess and the
 * configured SCPs, for member accounts only — SCPs never restrict the management account.
 */
export function serviceControlPoliciesFor(state: SandboxState, accountId: string): PolicyDocument[][] | undefined {
  const org = state.organization;
  if (!org || accountId === org.managementAccountId || !state.accounts[accountId]) return undefined;
  if (org.memberAccountIds !== undefined && !org.memberAccountIds.includes(accountId)) return undefined;
  return [[FULL_AWS_ACCESS, ...(org.serviceControlPolicies ?? [])]];
}

/**
 * The role a session belongs to: the role of its name only while it is the same role (same unique ID) —
 * a session of a deleted role never gains the permissions of a new role recreated with the same name, as
 * AWS binds sessions to the role's unique ID (`AROA…`).
 */
function sessionRole(
  state: SandboxState,
  session: { accountId: string; roleName: string; roleId: string },
): RoleRecord | undefined {
  const role = state.accounts[session.accountId]?.roles[session.roleName.toLowerCase()];
  return role?.roleId === session.roleId ? role : undefined;
}

function entityPolicies(state: SandboxState, caller: Exclude<Caller, { kind: 'root' }>): PolicySet {
  const entity = caller.kind === 'user' ? caller.user : sessionRole(state, caller.session);
  if (!entity) return { identityPolicies: [] };
  const identityPolicies = [
    ...Object.values(entity.inlinePolicies).map(parsePolicy),
    ...entity.attachedPolicyArns
      .map((arn) => managedPolicyDocument(state, arn))
      .filter((d): d is PolicyDocument => d !== undefined),
  ];
  const set: PolicySet = { identityPolicies };
  if (entity.permissionsBoundaryArn) {
    set.permissionsBoundary = managedPolicyDocument(state, entity.permissionsBoundaryArn) ?? {
      Version: '2012-10-17',
      Statement: [],
    };
  }
  if (caller.kind === 'session') {
    const s = caller.session;
    if (s.sessionPolicy !== undefined || s.policyArns.length > 0) {
      // AWS combines the inline session policy and the managed session policies into one session policy.
      const statements = [
        ...(s.sessionPolicy ? parsePolicy(s.sessionPolicy).Statement : []),
        ...s.policyArns.flatMap((arn) => managedPolicyDocument(state, arn)?.Statement ?? []),
      ];
      set.sessionPolicies = [{ Version: '2012-10-17', Statement: statements }];
    }
  }
  return set;
}

/** The caller's principal tags (user tags, or a session's tags). */
export function callerTags(state: SandboxState, caller: Caller): Tag[] {
  if (caller.kind === 'user') return caller.user.tags;
  if (caller.kind === 'session') {
    const role = sessionRole(state, caller.session);
    const sessionKeys = new Set(caller.session.tags.map((t) => t.Key.toLowerCase()));
    // Session tags override role tags with the same key (IAM User Guide, "Passing session tags in STS").
    return [...(role?.tags ?? []).filter((t) => !sessionKeys.has(t.Key.toLowerCase())), ...caller.session.tags];
  }
  return [];
}

/**
 * The global condition keys AWS puts in every request context for this caller (IAM User Guide, "AWS global
 * condition context keys"): aws:PrincipalArn (a session's role ARN), aws:PrincipalAccount, aws:PrincipalType,
 * aws:userid, aws:username, aws:PrincipalTag/*, aws:SourceIdentity, aws:TokenIssueTime, aws:CurrentTime,
 * aws:EpochTime, aws:SecureTransport (AWS endpoints are HTTPS only), aws:SourceIp, aws:RequestedRegion,
 * aws:PrincipalOrgID when the caller's account belongs to an organization the sandbox models.
 */
export function callerContext(
  state: SandboxState,
  caller: Caller,
  options: { now: Date; region: string; sourceIp: string },
): Record<string, ContextValue> {
  const ctx: Record<string, ContextValue> = {
    'aws:PrincipalAccount': caller.accountId,
    'aws:userid': caller.userId,
    'aws:CurrentTime': options.now,
    'aws:EpochTime': Math.floor(options.now.getTime() / 1000),
    'aws:SecureTransport': true,
    'aws:SourceIp': options.sourceIp,
    'aws:RequestedRegion': options.region,
    'aws:PrincipalIsAWSService': false,
    'aws:ViaAWSService': false,
  };
  if (caller.kind === 'root') {
    ctx['aws:PrincipalArn'] = caller.arn;
    ctx['aws:PrincipalType'] = 'Account';
  } else if (caller.kind === 'user') {
    ctx['aws:PrincipalArn'] = caller.arn;
    ctx['aws:PrincipalType'] = 'User';
    ctx['aws:username'] = caller.user.userName;
  } else {
    ctx['aws:PrincipalArn'] = caller.session.roleArn;
    ctx['aws:PrincipalType'] = 'AssumedRole';
    ctx['aws:TokenIssueTime'] = new Date(caller.session.issuedAt);
    if (caller.session.sourceIdentity) ctx['aws:SourceIdentity'] = caller.session.sourceIdentity;
  }
  for (const tag of callerTags(state, caller)) ctx[`aws:PrincipalTag/${tag.Key}`] = tag.Value;
  const org = organizationOf(state, caller.accountId);
  if (org) ctx['aws:PrincipalOrgID'] = org.id;
  return ctx;
}
