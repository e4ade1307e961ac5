import type { ScopedExternalIdScope } from '../external-id/index.ts';
import type { Partition } from '../partition/index.ts';
import type { PolicyDocument } from '../policy-document/index.ts';
import type { ConnectCallback } from '../templates/index.ts';
import type { ConfusedDeputyCondition, TrustSessionAction } from '../trust/index.ts';
import type { PlatformIdentities } from '../trust/index.ts';

/** A permissions policy to create (for example one document of the policy compiler's output). */
export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

/**
 * Options all blueprints read; each blueprint uses the ones it needs and names a missing required one in its
 * error (`platform`, `customerAccountId`, ...).
 */
export interface BlueprintOptions {
  partition: Partition;
  /** The platform's identities per partition (cross-account role). */
  platform?: PlatformIdentities;
  /** External ID(s) the platform passes; give two while rotating. Generated when absent. */
  externalIds?: string[];
  /** Trust scoped external IDs (`acct@integration@stack@phase`) instead of exact ones. */
  externalIdScope?: ScopedExternalIdScope;
  /**
   * Trust these `sts:ExternalId` StringLike patterns instead (for example `connectionScopedExternalIdPatterns`:
   * `<connection external ID>@*@read`); wins over `externalIdScope` and `externalIds`.
   */
  externalIdPatterns?: string[];
  /** Also allow the platform (or, with `oidc`, its tokens) `sts:TagSession` / `sts:SetSourceIdentity`. */
  sessionActions?: TrustSessionAction[];
  /** Trust the platform's OIDC tokens instead of its AWS account (the provider lives in the customer account). */
  oidc?: { issuer: string; audiences: string[]; subjects: string[] };
  /** The customer's account (required by blueprints whose conditions name it). */
  customerAccountId?: string;
  roleName?: string;
  rolePath?: string;
  /** Permissions policies to create and attach (the compiler's documents). */
  policies?: NamedPolicy[];
  /** Existing policies to attach (AWS managed or the customer's). */
  managedPolicyArns?: string[];
  /** Role MaxSessionDuration, 3,600-43,200 seconds. */
  maxSessionDuration?: number;
  /** Trust policy size limit (default 2,048; at most 4,096). */
  maxTrustPolicySize?: number;
  /** Automatic connect through a CloudFormation custom resource (cross-account role). */
  callback?: ConnectCallback;
  /** spot-fleet: how narrowly the tagging role trusts Spot Fleet requests (default: any region of the account). */
  spotFleetSourceArn?: ConfusedDeputyCondition['sourceArn'];
  /** spot-fleet: the customer managed KMS key of encrypted AMIs or EBS snapshots, for the create-grant step. */
  kmsKeyArn?: string;
  /** installer-user: the user's name. */
  userName?: string;
}
