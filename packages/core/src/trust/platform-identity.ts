import { parseRoleArn, validateAccountId, assertNoErrors } from '../arn/index.ts';
import { TrustgateError } from '../errors/index.ts';
import type { Partition } from '../partition/index.ts';

/** The platform's AWS identity in one partition: its account, and optionally the exact role that assumes. */
export interface PlatformIdentity {
  accountId: string;
  /** When set, trust policies name this role instead of the account root. */
  roleArn?: string;
}

/**
 * The platform's identities, one per partition. A role cannot be assumed across partitions, so a platform that
 * serves GovCloud or China customers runs a separate identity there (AWS GovCloud (US) User Guide; "Amazon Web
 * Services in China" docs).
 */
export type PlatformIdentities = Partial<Record<Partition, PlatformIdentity>>;

/**
 * The identity to trust for a customer in `partition`: checks the account ID and, when given, that the role
 * ARN is in that partition and account. Throws `INVALID_PARTITION` when the platform has no identity there.
 */
export function platformIdentityFor(identities: PlatformIdentities, partition: Partition): PlatformIdentity {
  const identity = identities[partition];
  if (!identity) {
    throw new TrustgateError(
      'INVALID_PARTITION',
      `platform.${partition}: the platform has no identity in partition ${partition}; roles cannot be assumed across partitions`,
      { field: `platform.${partition}` },
    );
  }
  assertNoErrors(validateAccountId(identity.accountId, `platform.${partition}.accountId`));
  if (identity.roleArn !== undefined) {
    const parsed = parseRoleArn(identity.roleArn, {
      path: `platform.${partition}.roleArn`,
      partition,
      accountId: identity.accountId,
    });
    if (!parsed.ok) assertNoErrors(parsed.findings);
  }
  return identity;
}
