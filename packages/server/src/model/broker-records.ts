import type { RunPhase } from '@trustgate/core';

/** A platform workload (an IaC stack, a scan job) in a space; its slug is unique in the organization. */
export interface Stack {
  id: string;
  organizationId: string;
  spaceId: string | null;
  /** 1-64 characters of `[a-z0-9-]`, starting with a letter or digit: it is part of scoped external IDs. */
  slug: string;
  name: string;
  labels: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/**
 * `per-run`: one STS session per run (CloudTrail names the run; the cache serves that run's refreshes and
 * retries). `shared`: one cached session per stack, phase, account and region, for frequent short runs
 * (CloudTrail names the stack; trustgate's audit maps sessions to runs).
 */
export type SessionMode = 'per-run' | 'shared';

/** Every session mode. */
export const SESSION_MODES: readonly SessionMode[] = ['per-run', 'shared'];

/** The outcome of proving one phase of an attachment in one account at attach time. */
export interface AttachmentPhaseCheck {
  accountId: string;
  phase: RunPhase;
  ok: boolean;
  /** What was found, in words. */
  reason: string;
  /** When not ok: what the customer must change (trust policy condition, role, ...). */
  fixHint?: string;
}

/** What attaching proved: per account and phase, the role was assumed with the phase's ID and refused without it. */
export interface AttachmentVerification {
  at: string;
  checks: AttachmentPhaseCheck[];
}

/** Binds a connection (and, for multi-account connections, some of its accounts) to a stack. */
export interface Attachment {
  id: string;
  organizationId: string;
  stackId: string;
  connectionId: string;
  /** The connection's accounts this stack may use; null = every account of the connection. */
  accountIds: string[] | null;
  /** Phases runs of the stack may ask for (`read` = plan, `write` = apply); at least one. */
  phases: RunPhase[];
  /** Requested session duration, 900-43,200 seconds (default 3,600); clamped at issue time to what AWS allows. */
  durationSeconds: number;
  /** Region of the credentials (AWS_REGION) and of the STS endpoint; null = the connection's region or the partition's default. */
  region: string | null;
  /** When true the read phase carries a session policy that allows only List/Read actions of the connection's integrations. */
  readOnlySessionPolicy: boolean;
  sessionMode: SessionMode;
  /** Assume on worker: the answer carries assumption parameters, never credentials. */
  assumeOnWorker: boolean;
  /** Only with `assumeOnWorker`: the external ID the worker passes (the tenant chose it). */
  customExternalId: string | null;
  verification: AttachmentVerification | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Which external ID form the connection's role trusts. `exact`: `sts:ExternalId` StringEquals the connection's
 * external ID (every connection made before the broker). `scoped`: StringLike patterns of
 * `<connection external ID>@<stack slug>@<read|write>` for any stack (`stacks` omitted) or listed stacks, and
 * both phases or only `read`.
 */
export type ExternalIdTrust = { kind: 'exact' } | { kind: 'scoped'; stacks?: string[]; phases: RunPhase[] };

/**
 * How the connection's role trusts the platform. `external-id` (every connection made before issue 13): the
 * platform's AWS account or role with an external ID, in the form `externalIdTrust` names. `oidc`: trustgate's OIDC
 * issuer (an IAM OIDC provider in the customer's account), `StringEquals <issuer>:aud` = `audience` (default
 * `sts.amazonaws.com`, `sts.amazonaws.com.cn` in aws-cn) and `StringLike <issuer>:sub` for the organization's
 * stacks — any (`stackIds` omitted) or the listed stack IDs — in the listed phases (`['read']` = read only). Stack
 * IDs, not slugs, as in the token's subject: a renamed stack keeps its trust and never passes it to another.
 */
export type ConnectionTrust =
  { kind: 'external-id' } | { kind: 'oidc'; audience?: string; stackIds?: string[]; phases: RunPhase[] };

/**
 * Where an API token may issue credentials, on top of its `credentials:issue` scope: only for stacks in these
 * spaces and/or these stacks (each list, when given, must admit the stack). Null = any stack the user may use.
 */
export interface IssueRestriction {
  spaceIds?: string[];
  stackIds?: string[];
}

/**
 * An assumed-role session for a run, as AWS issued it and the broker caches it: what aws/assume-for-run.ts returns
 * and cache/ stores, named once here because neither of those layers may import the other.
 */
export interface IssuedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ISO 8601: when AWS ends the session. */
  expiration: string;
  /** ISO 8601: when trustgate called STS (what `aws:TokenIssueTime` is compared with on revocation). */
  issuedAt: string;
  /** `arn:<partition>:sts::<account>:assumed-role/<role>/<session name>`. */
  assumedRoleArn: string;
  sessionName: string;
}
