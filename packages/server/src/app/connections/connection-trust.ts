import { TrustgateError } from '@trustgate/core';
import type { Connection } from '../../model/records.ts';
import type { ConnectionTrust } from '../../model/broker-records.ts';
import type { ConnectionDeps } from '../deps.ts';

function invalid(message: string, field = 'trust'): TrustgateError {
  return new TrustgateError('INVALID_INPUT', message, { field });
}

/**
 * Checks a connection's trust form before it is stored: an `oidc` connection needs the service's OIDC issuer
 * (`identity` in its configuration), an audience IAM accepts as a client ID (1-255 characters, no wildcards), and
 * stacks of the organization. Every scope works: each account's role trusts the OIDC provider of its own account (the
 * deliverables name no fixed account but the one they run in), so a connection of several accounts is verified per
 * account and an organization's (StackSet) accounts each prove membership as the role's session. Automatic mode works
 * as for external IDs: the template's custom resource reports RoleArn and AccountId, and the callback verifies the
 * role with tokens. Throws INVALID_INPUT / NOT_FOUND naming the field.
 */
export async function validateConnectionTrust(deps: ConnectionDeps, c: Connection): Promise<void> {
  const trust: ConnectionTrust = c.trust;
  if (trust.kind !== 'oidc') return;
  if (deps.identity === undefined)
    throw invalid(
      'trust: this service has no OIDC issuer configured (identity.issuerUrl in its configuration, or trustgate serve --oidc-issuer), so no role can trust its tokens; use external-id trust or configure the issuer.',
    );
  assertPartitionServed(deps, c);
  if (trust.audience !== undefined && !/^[^\s*?]{1,255}$/.test(trust.audience))
    throw invalid(
      'trust.audience: 1 to 255 characters with no spaces or wildcards (an IAM OIDC client ID).',
      'trust.audience',
    );
  for (const [i, stackId] of (trust.stackIds ?? []).entries()) {
    if ((await deps.store.stacks.get(c.organizationId, stackId)) === undefined)
      throw new TrustgateError('NOT_FOUND', `trust.stackIds[${i}]: no such stack in this organization.`, {
        field: `trust.stackIds[${i}]`,
      });
  }
}

/**
 * An OIDC connection needs no platform identity in its partition, but trustgate must reach that partition's STS
 * (AssumeRoleWithWebIdentity): a partition missing from the service's configuration is a 400 naming `partition` when
 * the connection is made, not at its first verification. Making the (credential-less) client calls no AWS.
 */
function assertPartitionServed(deps: ConnectionDeps, c: Connection): void {
  try {
    deps.aws.sts({ partition: c.partition, anonymous: true });
  } catch (error) {
    if (!(error instanceof TrustgateError && error.code === 'INVALID_PARTITION')) throw error;
    throw new TrustgateError(
      'INVALID_PARTITION',
      `partition: this service does not serve partition ${c.partition} (partitions.${c.partition} in its configuration, with or without a platform identity), so it cannot exchange tokens there.`,
      { field: 'partition', cause: error },
    );
  }
}
