import { assertNoErrors, parseArn, parseRoleArn, validateAccountId, validateRegion } from '../arn/index.ts';
import { TrustgateError, type Finding } from '../errors/index.ts';
import { scopedExternalIdPatterns, validateExternalId, type ScopedExternalIdScope } from '../external-id/index.ts';
import type { Partition } from '../partition/index.ts';
import {
  policySize,
  type ConditionBlock,
  type PolicyDocument,
  type PolicyStatement,
} from '../policy-document/index.ts';
import { servicePrincipal } from './service-principals.ts';

/** AWS's default role trust policy size quota (IAM quotas: 2,048 characters, adjustable to 4,096). */
export const DEFAULT_TRUST_POLICY_LIMIT = 2048;
/** The largest trust policy quota AWS grants on request. */
export const MAX_TRUST_POLICY_LIMIT = 4096;

/**
 * How the caller proves it acts for this customer: exact external IDs (`StringEquals`; give two during a
 * rotation so the old and the new both work until the platform switches), a scoped-ID scope (`StringLike`
 * patterns from {@link scopedExternalIdPatterns}), or `StringLike` patterns as given (for example from
 * `connectionScopedExternalIdPatterns`; each must hold a literal part, and no `$`, which IAM would expand as a
 * policy variable).
 */
export type ExternalIdCondition = { ids: string[] } | { scope: ScopedExternalIdScope } | { patterns: string[] };

/**
 * Actions a platform principal may perform besides `sts:AssumeRole` (IAM User Guide, "Passing session tags in
 * AWS STS" and "Monitor and control actions taken with assumed roles"): `sts:TagSession` to pass session tags,
 * `sts:SetSourceIdentity` to set a source identity. AWS refuses the AssumeRole call that uses either without it.
 */
export type TrustSessionAction = 'sts:TagSession' | 'sts:SetSourceIdentity';

const SESSION_ACTIONS: readonly TrustSessionAction[] = ['sts:TagSession', 'sts:SetSourceIdentity'];

/** Where a service request must come from (confused-deputy prevention, IAM User Guide "The confused deputy problem"). */
export interface ConfusedDeputyCondition {
  /** `aws:SourceAccount` (StringEquals): the customer's account. */
  sourceAccount: string;
  /**
   * `aws:SourceArn` (ArnLike): `account` = the given resource pattern in any region of the account;
   * `region` = only in one region; `resource` = exactly one resource ARN (which must be in `sourceAccount`).
   */
  sourceArn?:
    | { scope: 'account'; service: string; resource: string }
    | { scope: 'region'; region: string; service: string; resource: string }
    | { scope: 'resource'; arn: string };
}

/** One party allowed to assume the role. */
export type TrustPrincipalSpec =
  /** The platform's account root: any principal there whose own policies allow sts:AssumeRole. */
  | { type: 'account'; accountId: string; externalId: ExternalIdCondition; sessionActions?: TrustSessionAction[] }
  /** One platform role (narrower than the account root). */
  | { type: 'role'; roleArn: string; externalId: ExternalIdCondition; sessionActions?: TrustSessionAction[] }
  /** An AWS service (`spotfleet`, `ec2`, ...), partition-correct, with confused-deputy conditions. */
  | { type: 'service'; service: string; confusedDeputy?: ConfusedDeputyCondition }
  /**
   * Web identity: tokens from an OIDC issuer registered as an IAM OIDC provider in the customer's account, so
   * the platform needs no long-lived AWS keys. `aud` must equal one of `audiences`; `sub` must match one of
   * `subjects` (StringLike when a subject holds `*` or `?`, else StringEquals). `sessionActions` adds
   * `sts:TagSession` (session tags in the token's `https://aws.amazon.com/tags` claim) and `sts:SetSourceIdentity`.
   */
  | {
      type: 'oidc';
      accountId: string;
      issuer: string;
      audiences: string[];
      subjects: string[];
      sessionActions?: TrustSessionAction[];
    };

/** Input of {@link buildTrustPolicy}. */
export interface TrustPolicyOptions {
  partition: Partition;
  principals: TrustPrincipalSpec[];
  /** Size limit in characters (default 2,048, at most 4,096 — the account's `AssumeRolePolicySizeQuota`). */
  maxSize?: number;
}

/** A built trust policy with its size and advice (e.g. an unverified China service principal). */
export interface TrustPolicyResult {
  document: PolicyDocument;
  size: number;
  warnings: Finding[];
}

/**
 * Build a role trust policy (IAM User Guide, "Role trust policies"; "Access to AWS accounts owned by third
 * parties"; "Create a role for OpenID Connect federation"). Validates every input and throws a
 * {@link TrustgateError} naming the field (`principals[0].accountId`, `maxSize`, ...); throws
 * `TRUST_POLICY_TOO_LARGE` when the compact JSON exceeds `maxSize`.
 */
export function buildTrustPolicy(options: TrustPolicyOptions): TrustPolicyResult {
  const limit = options.maxSize ?? DEFAULT_TRUST_POLICY_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TRUST_POLICY_LIMIT) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `maxSize: the trust policy limit is 1 to ${MAX_TRUST_POLICY_LIMIT} characters (AWS's default is ${DEFAULT_TRUST_POLICY_LIMIT})`,
      { field: 'maxSize' },
    );
  }
  if (!Array.isArray(options.principals) || options.principals.length === 0) {
    throw new TrustgateError('INVALID_INPUT', 'principals: a trust policy needs at least one principal', {
      field: 'principals',
    });
  }
  const warnings: Finding[] = [];
  const statements = options.principals.map((spec, i) =>
    statementFor(spec, options.partition, `principals[${i}]`, warnings),
  );
  const document: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  const size = policySize(document);
  if (size > limit) {
    throw new TrustgateError(
      'TRUST_POLICY_TOO_LARGE',
      `trustPolicy: ${size} characters exceed the role trust policy limit of ${limit} (AWS counts the JSON without white space; ask AWS to raise AssumeRolePolicySizeQuota up to 4,096, or trust fewer principals or external IDs)`,
      { field: 'trustPolicy', details: { size, limit } },
    );
  }
  return { document, size, warnings };
}

function statementFor(
  spec: TrustPrincipalSpec,
  partition: Partition,
  path: string,
  warnings: Finding[],
): PolicyStatement {
  switch (spec.type) {
    case 'account': {
      assertNoErrors(validateAccountId(spec.accountId, `${path}.accountId`));
      return {
        Sid: 'PlatformAssumeRole',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::${spec.accountId}:root` },
        Action: platformActions(spec.sessionActions, `${path}.sessionActions`),
        Condition: externalIdCondition(spec.externalId, `${path}.externalId`),
      };
    }
    case 'role': {
      const parsed = parseRoleArn(spec.roleArn, { path: `${path}.roleArn`, partition });
      if (!parsed.ok) assertNoErrors(parsed.findings);
      return {
        Sid: 'PlatformRoleAssumeRole',
        Effect: 'Allow',
        Principal: { AWS: spec.roleArn },
        Action: platformActions(spec.sessionActions, `${path}.sessionActions`),
        Condition: externalIdCondition(spec.externalId, `${path}.externalId`),
      };
    }
    case 'service': {
      const sp = servicePrincipal(spec.service, partition);
      if (!sp.verified) {
        warnings.push({
          code: 'UNVERIFIED_SERVICE_PRINCIPAL',
          severity: 'warning',
          message: `${path}.service: no source confirms the China form of "${sp.principal}"; if IAM answers "Invalid principal in policy", try the .amazonaws.com.cn form`,
          path: `${path}.service`,
        });
      }
      const statement: PolicyStatement = {
        Sid: 'ServiceAssumeRole',
        Effect: 'Allow',
        Principal: { Service: sp.principal },
        Action: 'sts:AssumeRole',
      };
      if (spec.confusedDeputy)
        statement.Condition = confusedDeputyCondition(spec.confusedDeputy, partition, `${path}.confusedDeputy`);
      return statement;
    }
    case 'oidc':
      return oidcStatement(spec, partition, path);
    default: {
      const unknown = (spec as { type?: unknown }).type;
      throw new TrustgateError(
        'INVALID_INPUT',
        `${path}.type: unknown principal type ${JSON.stringify(unknown)}; use account, role, service or oidc`,
        { field: `${path}.type` },
      );
    }
  }
}

/** `base` (`sts:AssumeRole`) alone, or with the session actions asked for (deduplicated, in a fixed order). */
function platformActions(
  sessionActions: TrustSessionAction[] | undefined,
  path: string,
  base = 'sts:AssumeRole',
): string | string[] {
  if (sessionActions === undefined) return base;
  if (!Array.isArray(sessionActions))
    throw new TrustgateError('INVALID_INPUT', `${path}: a list of session actions is required`, { field: path });
  sessionActions.forEach((action, i) => {
    if (!SESSION_ACTIONS.includes(action))
      throw new TrustgateError(
        'INVALID_INPUT',
        `${path}[${i}]: ${JSON.stringify(action)} is not a session action; use sts:TagSession or sts:SetSourceIdentity`,
        { field: `${path}[${i}]` },
      );
  });
  const extra = SESSION_ACTIONS.filter((a) => sessionActions.includes(a));
  return extra.length === 0 ? base : [base, ...extra];
}

/**
 * A StringLike pattern for `sts:ExternalId`: external-ID characters plus `*` and `?`, at most 1,224 characters,
 * with at least one character that is not a wildcard (an all-wildcard pattern would admit every caller of the
 * principal, which is what the external ID exists to prevent).
 */
const EXTERNAL_ID_PATTERN_LIKE = /^[\w+=,.@:/*?-]{1,1224}$/;

function externalIdPatterns(patterns: unknown, path: string): string[] {
  if (!Array.isArray(patterns) || patterns.some((p) => typeof p !== 'string'))
    throw new TrustgateError('INVALID_EXTERNAL_ID', `${path}: a list of StringLike patterns is required`, {
      field: path,
    });
  const unique = [...new Set(patterns as string[])];
  if (unique.length === 0)
    throw new TrustgateError('INVALID_EXTERNAL_ID', `${path}: at least one pattern is required`, { field: path });
  unique.forEach((pattern) => {
    const i = (patterns as string[]).indexOf(pattern);
    if (!EXTERNAL_ID_PATTERN_LIKE.test(pattern) || /^[*?]+$/.test(pattern))
      throw new TrustgateError(
        'INVALID_EXTERNAL_ID',
        `${path}[${i}]: ${JSON.stringify(pattern.slice(0, 80))} is not an external-ID pattern (1-1,224 characters of [\\w+=,.@:/-] with * or ?, and not only wildcards)`,
        { field: `${path}[${i}]` },
      );
  });
  return unique;
}

function externalIdCondition(condition: ExternalIdCondition | undefined, path: string): ConditionBlock {
  if (!condition)
    throw new TrustgateError('INVALID_EXTERNAL_ID', `${path}: a platform principal must be bound to an external ID`, {
      field: path,
    });
  if ('patterns' in condition) {
    const patterns = externalIdPatterns(condition.patterns, `${path}.patterns`);
    return { StringLike: { 'sts:ExternalId': patterns.length === 1 ? (patterns[0] as string) : patterns } };
  }
  if ('scope' in condition) {
    const patterns = scopedExternalIdPatterns(condition.scope);
    return { StringLike: { 'sts:ExternalId': patterns.length === 1 ? (patterns[0] as string) : patterns } };
  }
  if (!Array.isArray(condition.ids) || condition.ids.some((id) => typeof id !== 'string')) {
    throw new TrustgateError('INVALID_EXTERNAL_ID', `${path}.ids: a list of external IDs is required`, {
      field: `${path}.ids`,
    });
  }
  const ids = [...new Set(condition.ids)];
  if (ids.length === 0)
    throw new TrustgateError('INVALID_EXTERNAL_ID', `${path}.ids: at least one external ID is required`, {
      field: `${path}.ids`,
    });
  ids.forEach((id, i) => assertNoErrors(validateExternalId(id, `${path}.ids[${i}]`)));
  return { StringEquals: { 'sts:ExternalId': ids.length === 1 ? (ids[0] as string) : ids } };
}

function confusedDeputyCondition(cd: ConfusedDeputyCondition, partition: Partition, path: string): ConditionBlock {
  assertNoErrors(validateAccountId(cd.sourceAccount, `${path}.sourceAccount`));
  const condition: ConditionBlock = { StringEquals: { 'aws:SourceAccount': cd.sourceAccount } };
  const scope = cd.sourceArn;
  if (!scope) return condition;
  let arn: string;
  if (scope.scope === 'resource') {
    const parsed = parseArn(scope.arn, `${path}.sourceArn.arn`);
    if (!parsed.ok) assertNoErrors(parsed.findings);
    else if (parsed.arn.partition !== partition) {
      throw new TrustgateError(
        'INVALID_PARTITION',
        `${path}.sourceArn.arn: the ARN is in partition ${parsed.arn.partition}, the role in ${partition}`,
        { field: `${path}.sourceArn.arn` },
      );
    } else if (parsed.arn.accountId !== cd.sourceAccount) {
      // AWS: when both keys are used, the account in aws:SourceArn must equal aws:SourceAccount.
      throw new TrustgateError(
        'INVALID_ACCOUNT_ID',
        `${path}.sourceArn.arn: the ARN's account ${parsed.arn.accountId} differs from sourceAccount ${cd.sourceAccount}`,
        { field: `${path}.sourceArn.arn` },
      );
    }
    arn = scope.arn;
  } else {
    if (!/^[a-z0-9-]+$/.test(scope.service))
      throw new TrustgateError(
        'INVALID_INPUT',
        `${path}.sourceArn.service: "${scope.service}" is not a service prefix`,
        { field: `${path}.sourceArn.service` },
      );
    if (!scope.resource || /\s/.test(scope.resource))
      throw new TrustgateError(
        'INVALID_INPUT',
        `${path}.sourceArn.resource: a resource pattern such as "spot-fleet-request/sfr-*" is required`,
        { field: `${path}.sourceArn.resource` },
      );
    let region = '*';
    if (scope.scope === 'region') {
      assertNoErrors(validateRegion(scope.region, { path: `${path}.sourceArn.region`, partition }));
      region = scope.region;
    }
    arn = `arn:${partition}:${scope.service}:${region}:${cd.sourceAccount}:${scope.resource}`;
  }
  condition.ArnLike = { 'aws:SourceArn': arn };
  return condition;
}

function oidcStatement(
  spec: Extract<TrustPrincipalSpec, { type: 'oidc' }>,
  partition: Partition,
  path: string,
): PolicyStatement {
  assertNoErrors(validateAccountId(spec.accountId, `${path}.accountId`));
  const issuer = (spec.issuer ?? '').replace(/^https:\/\//, '').replace(/\/$/, '');
  if (!/^[a-z0-9.-]+\.[a-z]{2,}(?:\/[\w.~%-]+)*$/i.test(issuer)) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `${path}.issuer: "${spec.issuer}" is not an OIDC issuer host (for example token.example.com or https://oidc.example.com/id/abc)`,
      { field: `${path}.issuer` },
    );
  }
  for (const key of ['audiences', 'subjects'] as const) {
    if (!Array.isArray(spec[key]) || spec[key].some((v) => typeof v !== 'string')) {
      throw new TrustgateError('INVALID_INPUT', `${path}.${key}: a list of strings is required`, {
        field: `${path}.${key}`,
      });
    }
  }
  const audiences = [...new Set(spec.audiences)];
  const subjects = [...new Set(spec.subjects)];
  if (audiences.length === 0 || audiences.some((a) => a.length === 0 || /[*?]/.test(a))) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `${path}.audiences: at least one exact audience (no wildcards) is required`,
      { field: `${path}.audiences` },
    );
  }
  if (subjects.length === 0 || subjects.some((s) => s.length === 0 || /^[*?]+$/.test(s))) {
    // A missing or all-wildcard sub lets every identity of the issuer in (GitHub OIDC advisories).
    throw new TrustgateError(
      'INVALID_INPUT',
      `${path}.subjects: at least one subject that is not only a wildcard is required`,
      { field: `${path}.subjects` },
    );
  }
  const one = (values: string[]) => (values.length === 1 ? (values[0] as string) : values);
  const exactSubs = subjects.filter((s) => !/[*?]/.test(s));
  const likeSubs = subjects.filter((s) => /[*?]/.test(s));
  if (exactSubs.length > 0 && likeSubs.length > 0) {
    // StringLike with exact values matches them exactly too; keep one operator so the sub is one OR set.
    likeSubs.push(...exactSubs);
    exactSubs.length = 0;
  }
  const condition: ConditionBlock = { StringEquals: { [`${issuer}:aud`]: one(audiences) } };
  if (exactSubs.length > 0)
    (condition.StringEquals as Record<string, string | string[]>)[`${issuer}:sub`] = one(exactSubs);
  else condition.StringLike = { [`${issuer}:sub`]: one(likeSubs) };
  return {
    Sid: 'WebIdentityAssumeRole',
    Effect: 'Allow',
    Principal: { Federated: `arn:${partition}:iam::${spec.accountId}:oidc-provider/${issuer}` },
    Action: platformActions(spec.sessionActions, `${path}.sessionActions`, 'sts:AssumeRoleWithWebIdentity'),
    Condition: condition,
  };
}
