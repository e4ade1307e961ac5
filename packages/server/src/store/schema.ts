import type { Generated } from 'kysely';

/**
 * The database schema trustgate keeps, the same on SQLite and PostgreSQL. Timestamps are ISO 8601 strings,
 * booleans 0/1 integers and structured values JSON text, so one repository code path serves both dialects
 * (as Kysely's own test suite does by looping over its dialects).
 */
export interface Database {
  organizations: OrganizationsTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  spaces: SpacesTable;
  catalogs: CatalogsTable;
  connections: ConnectionsTable;
  connection_roles: ConnectionRolesTable;
  connection_access: ConnectionAccessTable;
  audit_events: AuditEventsTable;
  job_runs: JobRunsTable;
  settings: SettingsTable;
  callback_requests: CallbackRequestsTable;
  stacks: StacksTable;
  attachments: AttachmentsTable;
  signing_keys: SigningKeysTable;
}

/** A customer of the service (a platform's tenant); everything else belongs to one. */
export interface OrganizationsTable {
  id: string;
  name: string;
  created_at: string;
  /** JSON of the organization's OidcSubjectSetting; null = the default subject (0009). */
  oidc_subject: string | null;
}

/** A person in an organization. `role` is the organization-wide role: `admin` or `member`. */
export interface UsersTable {
  id: string;
  organization_id: string;
  email: string;
  name: string;
  role: string;
  created_at: string;
}

/** An API token: only the SHA-256 hash of the secret is stored; `scopes` is a JSON array. */
export interface ApiTokensTable {
  id: string;
  organization_id: string;
  user_id: string;
  name: string;
  token_hash: string;
  scopes: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  /** JSON IssueRestriction (model/broker-records.ts), or null (any stack; every token made before the broker). */
  issue_restriction: string | null;
}

/** A grouping of connections inside an organization (a team, an environment). */
export interface SpacesTable {
  id: string;
  organization_id: string;
  name: string;
  created_at: string;
}

/** An uploaded permission catalog version (the validated source text). */
export interface CatalogsTable {
  id: string;
  organization_id: string;
  name: string;
  version: number;
  source: string;
  file_name: string;
  created_at: string;
}

/** A connection to one or more customer AWS accounts; JSON columns hold structured settings. */
export interface ConnectionsTable {
  id: string;
  organization_id: string;
  space_id: string | null;
  name: string;
  partition: string;
  mode: string;
  scope: string;
  role_name: string;
  region: string | null;
  labels: string;
  selection: string;
  managed_policies: string;
  extra_actions: string;
  catalog_name: string | null;
  external_id: string;
  previous_external_id: string | null;
  status: string;
  status_reason: string;
  issued_policy: string;
  applied_policy: string | null;
  callback_nonce: string | null;
  last_verified_at: string | null;
  /** JSON ExternalIdTrust; rows from before the broker default to `{"kind":"exact"}`. */
  external_id_trust: Generated<string>;
  /** 0/1; rows from before the broker default to 0. */
  session_tagging: Generated<number>;
  sessions_revoked_before: string | null;
  /** The compiler's wildcard mode; rows from before it default to `expand`. */
  wildcards: Generated<string>;
  /** JSON ConnectionTrust; rows from before it default to `{"kind":"external-id"}`. */
  trust: Generated<string>;
  created_at: string;
  updated_at: string;
  record_version: Generated<number>;
}

/** One verified (or failed) role of a connection, per AWS account. `details` is the last verification as JSON. */
export interface ConnectionRolesTable {
  connection_id: string;
  account_id: string;
  role_arn: string;
  status: string;
  status_reason: string;
  details: string;
  verified_at: string | null;
}

/** The access level a user has on a connection: owner, editor, user, viewer. */
export interface ConnectionAccessTable {
  connection_id: string;
  user_id: string;
  level: string;
}

/** One audited action: who (user, token), what, on which connection, when; `details` never holds a secret. */
export interface AuditEventsTable {
  id: string;
  organization_id: string;
  at: string;
  actor_user_id: string | null;
  token_id: string | null;
  action: string;
  connection_id: string | null;
  details: string;
  /** Position in the log's commit order (migration 0010): set by the database when an insert leaves it out. */
  seq: Generated<number | string>;
}

/** The last run of a background job, so a job runs once per period across all service instances. */
export interface JobRunsTable {
  name: string;
  last_run_at: string;
  holder: string;
}

/** Service-wide settings shared by every instance (e.g. the callback-token HMAC key). */
export interface SettingsTable {
  name: string;
  value: string;
}

/**
 * One CloudFormation custom-resource request the callback handled, keyed by StackId + RequestId +
 * LogicalResourceId: `state` is `deciding` while one instance verifies (`holder`, since `claimed_at`), then
 * `answered` with the outcome sent to the ResponseURL (`status` SUCCESS/FAILED, `reason`, `connection_id`), which a
 * repeated delivery of the same request (`request_digest`) re-sends instead of deciding again. Never holds the callback token.
 */
export interface CallbackRequestsTable {
  stack_id: string;
  request_id: string;
  logical_resource_id: string;
  request_type: string;
  state: string;
  holder: string;
  claimed_at: string;
  status: string | null;
  reason: string | null;
  connection_id: string | null;
  answered_at: string | null;
  /** SHA-256 (hex) of the custom-resource request the key was claimed for; another body under the key is refused. */
  request_digest: string;
  /** When the answer reached the ResponseURL; null while undelivered. */
  delivered_at: string | null;
  /**
   * From the claim until the answer is delivered or given up (then null): the (presigned) ResponseURL and the response
   * object — while `deciding`, the ready answer the re-sender sends if the decider stops; once `answered`, the answer.
   */
  response_url: string | null;
  response_body: string | null;
}

/** A platform workload (an IaC stack) of an organization; `slug` is unique in the organization, `labels` JSON. */
export interface StacksTable {
  id: string;
  organization_id: string;
  space_id: string | null;
  slug: string;
  name: string;
  labels: string;
  created_at: string;
  updated_at: string;
}

/**
 * A connection attached to a stack (one per stack and connection, both of the attachment's organization): JSON
 * `account_ids` (null = every account), `phases`, `verification`; booleans 0/1.
 */
export interface AttachmentsTable {
  id: string;
  organization_id: string;
  stack_id: string;
  connection_id: string;
  account_ids: string | null;
  phases: string;
  duration_seconds: number;
  region: string | null;
  read_only_session_policy: number;
  session_mode: string;
  assume_on_worker: number;
  custom_external_id: string | null;
  verification: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * The OIDC issuer's signing keys (issue 13): `generation` is unique (two instances rotating at once make one key),
 * `public_jwk` JSON, `sealed_private_key` AES-256-GCM sealed text; timestamps ISO 8601.
 */
export interface SigningKeysTable {
  kid: string;
  generation: number;
  algorithm: string;
  public_jwk: string;
  sealed_private_key: string;
  created_at: string;
  activates_at: string;
}
