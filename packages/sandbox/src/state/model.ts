import type { Partition, PolicyDocument } from '@trustgate/core';
import type { S3BucketRecord } from '../s3/s3-model.ts';

/** An IAM/STS tag. */
export interface Tag {
  Key: string;
  Value: string;
}

/** An IAM role (IAM API reference, `Role` data type). Policy documents are kept as the JSON text given. */
export interface RoleRecord {
  roleName: string;
  roleId: string;
  path: string;
  arn: string;
  createDate: string;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundaryArn?: string;
  tags: Tag[];
  inlinePolicies: Record<string, string>;
  attachedPolicyArns: string[];
  /** When the trust policy was last set (creation or UpdateAssumeRolePolicy), for modelled propagation delay. */
  trustUpdatedAt?: string;
  /** Set for service-linked roles: the service principal that owns it. */
  serviceLinkedTo?: string;
}

/** An IAM user (IAM API reference, `User`). */
export interface UserRecord {
  userName: string;
  userId: string;
  path: string;
  arn: string;
  createDate: string;
  tags: Tag[];
  inlinePolicies: Record<string, string>;
  attachedPolicyArns: string[];
  permissionsBoundaryArn?: string;
}

/** A long-term access key of an IAM user. */
export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  userName: string;
  status: 'Active' | 'Inactive';
  createDate: string;
}

/** One version of a customer managed policy. */
export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  createDate: string;
}

/** A customer managed policy (IAM API reference, `Policy`). */
export interface ManagedPolicyRecord {
  policyName: string;
  policyId: string;
  path: string;
  arn: string;
  description?: string;
  createDate: string;
  updateDate: string;
  defaultVersionId: string;
  versions: PolicyVersionRecord[];
  nextVersion: number;
  tags: Tag[];
}

/** An instance profile (IAM API reference, `InstanceProfile`). */
export interface InstanceProfileRecord {
  name: string;
  id: string;
  path: string;
  arn: string;
  createDate: string;
  roleNames: string[];
  tags: Tag[];
}

/** An IAM OIDC identity provider; `url` is kept without the `https://` scheme, as its ARN is. */
export interface OidcProviderRecord {
  url: string;
  arn: string;
  clientIds: string[];
  thumbprints: string[];
  createDate: string;
  tags: Tag[];
}

/** Temporary credentials issued by STS, and what they were issued for. */
export interface SessionRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: string;
  issuedAt: string;
  accountId: string;
  roleName: string;
  roleArn: string;
  roleId: string;
  sessionName: string;
  /** `arn:<p>:sts::<acct>:assumed-role/<role>/<session>` */
  assumedRoleArn: string;
  sessionPolicy?: string;
  policyArns: string[];
  sourceIdentity?: string;
  tags: Tag[];
  transitiveTagKeys: string[];
  /** True when the session was obtained with another role session's credentials (role chaining). */
  chained: boolean;
  /** The ARN of the identity that called AssumeRole (for `aws:PrincipalArn` of chained sessions, audit). */
  sourceArn?: string;
}

/** One resource of a stack. */
export interface StackResourceRecord {
  logicalId: string;
  type: string;
  physicalId: string;
  status: string;
  statusReason?: string;
  timestamp: string;
  /** Resolved properties the resource was created or last updated with. */
  properties: Record<string, unknown>;
  /** Attribute values for `Fn::GetAtt`, and the value of `Ref`. */
  attributes: Record<string, unknown>;
  ref: string;
}

/** A stack event (CloudFormation API reference, `StackEvent`). */
export interface StackEventRecord {
  eventId: string;
  logicalId: string;
  physicalId: string;
  type: string;
  status: string;
  statusReason?: string;
  timestamp: string;
  properties?: string;
}

/** A CloudFormation stack. */
export interface StackRecord {
  stackId: string;
  stackName: string;
  status: string;
  statusReason?: string;
  creationTime: string;
  lastUpdatedTime?: string;
  deletionTime?: string;
  description?: string;
  templateBody: string;
  parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
  /** Parameter values as given (NoEcho values unmasked), to plan updates and deletes. */
  rawParameters: Array<{ ParameterKey: string; ParameterValue: string }>;
  capabilities: string[];
  tags: Tag[];
  outputs: Array<{ OutputKey: string; OutputValue: string; Description?: string; ExportName?: string }>;
  resources: Record<string, StackResourceRecord>;
  events: StackEventRecord[];
  disableRollback: boolean;
  roleArn?: string;
  notificationArns: string[];
  timeoutInMinutes?: number;
}

/** A stack instance of a StackSet. */
export interface StackInstanceRecord {
  account: string;
  region: string;
  stackId?: string;
  status: string;
  statusReason?: string;
  detailedStatus: string;
}

/** A StackSet operation. */
export interface StackSetOperationRecord {
  operationId: string;
  action: string;
  status: string;
  creationTimestamp: string;
  endTimestamp?: string;
}

/** A StackSet (CloudFormation API reference, `StackSet`). */
export interface StackSetRecord {
  stackSetName: string;
  stackSetId: string;
  arn: string;
  status: 'ACTIVE' | 'DELETED';
  description?: string;
  templateBody: string;
  parameters: Array<{ ParameterKey: string; ParameterValue: string }>;
  capabilities: string[];
  permissionModel: 'SELF_MANAGED' | 'SERVICE_MANAGED';
  /** SELF_MANAGED: the role that assumes the execution roles (default AWSCloudFormationStackSetAdministrationRole in this account). */
  administrationRoleArn?: string;
  /** SELF_MANAGED: the role each target account must hold (default AWSCloudFormationStackSetExecutionRole). */
  executionRoleName?: string;
  tags: Tag[];
  instances: StackInstanceRecord[];
  operations: StackSetOperationRecord[];
}

/** Everything one account holds. Maps are keyed by lower-cased names: IAM names are unique case-insensitively. */
export interface AccountState {
  accountId: string;
  rootAccessKeyId: string;
  rootSecretAccessKey: string;
  roles: Record<string, RoleRecord>;
  users: Record<string, UserRecord>;
  accessKeys: Record<string, AccessKeyRecord>;
  policies: Record<string, ManagedPolicyRecord>;
  instanceProfiles: Record<string, InstanceProfileRecord>;
  oidcProviders: Record<string, OidcProviderRecord>;
  stacks: StackRecord[];
  stackSets: Record<string, StackSetRecord>;
}

/** The whole sandbox; plain JSON so it can be persisted to a file. */
export interface SandboxState {
  version: 1;
  partition: Partition;
  region: string;
  accounts: Record<string, AccountState>;
  sessions: Record<string, SessionRecord>;
  /**
   * The modelled AWS Organization; `serviceControlPolicies` are attached at its root next to FullAWSAccess.
   * `memberAccountIds` (management account included) lists its members; absent, every account is a member.
   */
  organization?: {
    id: string;
    managementAccountId: string;
    rootId: string;
    serviceControlPolicies: PolicyDocument[];
    memberAccountIds?: string[];
    createdAt?: string;
  };
  /** Further organizations (no SCPs), each with its own accounts: accounts of the sandbox outside `organization`. */
  otherOrganizations?: Array<{
    id: string;
    managementAccountId: string;
    rootId: string;
    memberAccountIds: string[];
    createdAt?: string;
  }>;
  /** S3 buckets by name (one namespace for the whole sandbox, as S3's is global), each with its owner and objects. */
  s3Buckets?: Record<string, S3BucketRecord>;
}
