import type { PolicyDocument } from '../policy-document/index.ts';

/**
 * A value of the request context. Strings, numbers, booleans and dates are single values; an array is a
 * multivalued key, even when it has one element (IAM User Guide, "Single-valued vs. multivalued context
 * keys"). The global keys AWS documents as multivalued (`aws:TagKeys`, `aws:CalledVia`, `aws:PrincipalOrgPaths`,
 * ...) are multivalued even when given as one value. Dates are compared as instants; numbers and booleans as
 * their text.
 */
export type ContextValue = string | number | boolean | Date | Array<string | number | boolean>;

/** Who makes a request: an IAM identity (AWS), an AWS service principal or a federated identity provider. */
export type PrincipalType = 'AWS' | 'Service' | 'Federated';

/** The request to authorize, as AWS's request context describes it (IAM User Guide, "Request context"). */
export interface EvaluationRequest {
  principal: {
    /**
     * `arn:aws:iam::111122223333:user/name`, `...:role/path/name`, `arn:aws:sts::111122223333:assumed-role/name/session`,
     * `...:federated-user/name`, `...:root`; a service name (`ec2.amazonaws.com`) for type Service; an identity
     * provider (`cognito-identity.amazonaws.com`, `arn:aws:iam::111122223333:oidc-provider/...`) for type Federated.
     */
    arn: string;
    /** Derived from the ARN when absent. */
    accountId?: string;
    /** Default `AWS`. */
    type?: PrincipalType;
    /** The principal's tags: they become `aws:PrincipalTag/<key>` unless the context sets those keys. */
    tags?: Record<string, string>;
    /**
     * True when the principal belongs to the organization's management account: SCPs do not apply to it
     * (AWS Organizations User Guide, "Service control policies"). Default false.
     */
    managementAccount?: boolean;
  };
  /** `service:Action`, e.g. `sts:AssumeRole`. Compared case-insensitively. */
  action: string;
  /** The resource ARN, or `*` for actions that support no resource-level permissions. */
  resource: string;
  /** Derived from the resource ARN when it has one; otherwise the principal's account. */
  resourceAccountId?: string;
  /** Context keys, e.g. `sts:ExternalId`, `aws:SourceIp`, `aws:RequestTag/team`. Key names are case-insensitive. */
  context?: Record<string, ContextValue>;
}

/**
 * The policies that apply to one request (IAM User Guide, "Policy evaluation logic"). Each list may be
 * absent: no boundary means no boundary applies, no SCP levels means the account is not governed by SCPs.
 */
export interface PolicySet {
  /** Inline and managed policies of the principal (for a role session: of the role). */
  identityPolicies?: PolicyDocument[];
  /** The resource's policy, e.g. a role's trust policy for `sts:AssumeRole`, a bucket or key policy. */
  resourcePolicy?: PolicyDocument;
  permissionsBoundary?: PolicyDocument;
  sessionPolicies?: PolicyDocument[];
  /** One list per level of the organization (root, OU..., account); every level must allow. */
  serviceControlPolicies?: PolicyDocument[][];
  /** One list per level; every level must allow. */
  resourceControlPolicies?: PolicyDocument[][];
}

/** The three answers of AWS's evaluation. */
export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** The kinds of policy the evaluator distinguishes. */
export type PolicyKind = 'identity' | 'resource' | 'boundary' | 'session' | 'scp' | 'rcp';

/**
 * How the principal of a request matched a resource-policy statement's Principal element:
 * `direct` names this very principal (its user, session or federated-user ARN, a service, a provider, or `*`);
 * `role-of-session` names the role of an assumed-role session; `user-of-session` the IAM user behind a
 * federated-user session; `account` names the principal's account (`111122223333` or `...:root`).
 */
export type PrincipalMatchKind = 'direct' | 'role-of-session' | 'user-of-session' | 'account';

/** The outcome of one condition (one operator and one key) of a statement. */
export interface ConditionOutcome {
  operator: string;
  key: string;
  /** The policy's values with policy variables resolved (unresolvable variables are left as written). */
  policyValues: string[];
  /** The request's values, or undefined when the key is not in the request context. */
  requestValues: string[] | undefined;
  matched: boolean;
  /** Why it failed or matched without a comparison, e.g. `key missing`, `unresolved variable ${aws:username}`. */
  note?: string;
}

/** One statement that applied to the request's action (and resource and principal). */
export interface StatementOutcome {
  policy: PolicyKind;
  /** Index of the policy within its list (for SCPs and RCPs: the index within its level). */
  policyIndex: number;
  /** SCP/RCP level (0 = root), when applicable. */
  level?: number;
  statementIndex: number;
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** True when action, resource, principal and every condition matched. */
  matched: boolean;
  /** For resource and RCP statements: how the principal matched. */
  principalMatch?: PrincipalMatchKind;
  /** Every condition of the statement with its outcome (empty when the statement has none). */
  conditions: ConditionOutcome[];
}

/** The result of one policy kind for the request. */
export interface PolicyKindResult {
  policy: PolicyKind;
  /** `NotApplicable` when no policy of this kind was given or it does not apply to this principal. */
  result: Decision | 'NotApplicable';
  /**
   * Statements whose action, resource and principal matched the request (so only their conditions decided),
   * matched or not. Statements that never applied to this action or resource are left out.
   */
  statements: StatementOutcome[];
}

/** Why the decision was made: which statements matched, which conditions failed with what values. */
export interface Explanation {
  sameAccount: boolean;
  principalAccountId: string | undefined;
  resourceAccountId: string | undefined;
  /** One short, stable reason code, e.g. `explicit-deny:identity`, `allow:identity`, `implicit-deny:scp`. */
  reason: string;
  /** Sentences a person can read, in order. */
  summary: string[];
  /** Per policy kind. */
  policies: PolicyKindResult[];
}

/** The decision and its explanation. */
export interface EvaluationResult {
  decision: Decision;
  explanation: Explanation;
}
