import type { Partition } from '../partition/index.ts';
import type { PolicyDocument } from '../policy-document/index.ts';

/**
 * A value the customer may change when applying a deliverable (CloudFormation parameter, Terraform variable,
 * shell variable). `value` is the default, and it is also how the parameter is spotted: wherever a string in a
 * name or a policy equals `value` exactly, the renderers put a reference to the parameter instead.
 */
export interface TemplateParameter {
  /** PascalCase name (`ExternalId`); Terraform uses snake_case (`external_id`), the shell UPPER_SNAKE. */
  name: string;
  description: string;
  value: string;
  /** Hide the value in the console (CloudFormation NoEcho). */
  noEcho?: boolean;
  /** Regular expression the whole value must match (CloudFormation AllowedPattern, Terraform validation). */
  allowedPattern?: string;
  minLength?: number;
  maxLength?: number;
  /** Allowed values (for switches such as `true` / `false`). */
  allowedValues?: string[];
}

/** An IAM role, optionally with an instance profile of the same name. */
export interface RoleResource {
  kind: 'role';
  /** Logical ID (CloudFormation) / resource label (Terraform): letters and digits. */
  id: string;
  roleName: string;
  path?: string;
  description?: string;
  trustPolicy: PolicyDocument;
  maxSessionDuration?: number;
  /** Policies that exist already (AWS managed, or the customer's): attached, not created. */
  attachedPolicyArns?: string[];
  /** Also create an instance profile named like the role, holding it (what the EC2 console does). */
  instanceProfile?: boolean;
}

/** A customer managed policy created by the deliverable and attached to roles and users of the same deliverable. */
export interface ManagedPolicyResource {
  kind: 'managed-policy';
  id: string;
  policyName: string;
  description?: string;
  document: PolicyDocument;
  /** IDs of roles and users to attach it to. */
  attachTo: string[];
}

/** An IAM user for programmatic access only (no console password), optionally with an access key. */
export interface UserResource {
  kind: 'user';
  id: string;
  userName: string;
  path?: string;
  attachedPolicyArns?: string[];
  /** Create an access key; its secret is shown once and must be stored by the customer. */
  accessKey?: boolean;
}

/**
 * A service-linked role (`AWS::IAM::ServiceLinkedRole`, `aws iam create-service-linked-role`). Creating one that
 * already exists fails, so creation is switched by the parameter `createParameter` (`true` / `false`).
 */
export interface ServiceLinkedRoleResource {
  kind: 'service-linked-role';
  id: string;
  /** `spotfleet.amazonaws.com`. */
  awsServiceName: string;
  /** The name AWS gives it (`AWSServiceRoleForEC2SpotFleet`), used to check whether it exists. */
  roleName: string;
  description?: string;
  createParameter: string;
}

/** Anything a deliverable creates. */
export type DeliverableResource = RoleResource | ManagedPolicyResource | UserResource | ServiceLinkedRoleResource;

/** A value the deliverable reports back. */
export interface DeliverableOutput {
  name: string;
  description: string;
  from: { id: string; attribute: 'Arn' | 'Name' | 'AccessKeyId' | 'SecretArn' };
}

/**
 * Automatic connect: a CloudFormation custom resource that tells the platform the role exists. CloudFormation
 * publishes Create/Update/Delete to `serviceToken` (the platform's SNS topic ARN) with RoleArn, ExternalId,
 * AccountId and `properties`; the platform verifies the role before answering SUCCESS (AWS CloudFormation User
 * Guide, "Custom resources", "Amazon SNS-backed custom resources").
 */
export interface ConnectCallback {
  serviceToken: string;
  properties: Record<string, string>;
}

/** A step the customer runs by hand (for example a KMS grant for a key the platform cannot know). */
export interface ManualStep {
  title: string;
  /** Shell command; `<PLACEHOLDER>`s are for the customer to fill in. */
  command: string;
}

/**
 * What a deliverable creates in the customer's account, independent of the format it is written in. The
 * renderers turn it into CloudFormation (JSON, YAML, StackSet), Terraform, an AWS CLI script and raw JSON.
 */
export interface DeliverableModel {
  /** Blueprint name, e.g. `cross-account-role`. */
  blueprint: string;
  description: string;
  partition: Partition;
  parameters: TemplateParameter[];
  /**
   * The customer's account ID where the documents contain it (e.g. confused-deputy conditions). Renderers
   * replace it with the account the deliverable runs in (`AWS::AccountId`, `aws_caller_identity`), so the same
   * template works in every account of a StackSet.
   */
  customerAccountId?: string;
  /**
   * With no fixed customer account (a StackSet, a connection of several accounts), the reserved ID that stands in
   * the documents for the account the deliverable runs in ({@link ANY_ACCOUNT_PLACEHOLDER}, which is no AWS
   * account). Renderers treat it like `customerAccountId`; the raw JSON shows `<ACCOUNT_ID>`.
   */
  accountPlaceholder?: string;
  resources: DeliverableResource[];
  outputs: DeliverableOutput[];
  /** Warnings for the person applying it (shown as comments, echo lines and in the raw JSON). */
  notes: string[];
  manualSteps: ManualStep[];
  /** Only the cross-account CloudFormation uses it. */
  callback?: ConnectCallback;
  /**
   * The IAM OIDC identity provider the roles' web-identity trust names. Every format creates it in the account it
   * runs in unless told of one that exists (CloudFormation `OidcProviderArn`, Terraform `oidc_provider_arn`, the
   * script's `TRUSTGATE_OIDC_PROVIDER_ARN` or the provider of that URL it finds); the roles' `Federated` principal
   * becomes a reference to it.
   */
  oidcProvider?: OidcProviderSpec;
}

/**
 * The account ID that stands for "the account the deliverable runs in" when none is fixed. AWS account IDs are
 * 12 digits and AWS issues none of all zeros, so it cannot clash with a real account in a document.
 */
export const ANY_ACCOUNT_PLACEHOLDER = '000000000000';

/** An IAM OIDC identity provider: the issuer URL (`https://`, as IAM registers it) and its client IDs (audiences). */
export interface OidcProviderSpec {
  url: string;
  clientIds: string[];
}
