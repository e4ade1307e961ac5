import { TrustgateError, oidcSubjectPattern, type Partition } from '@trustgate/core';
import type { Connection } from '../../model/records.ts';
import type { ConnectionTrust } from '../../model/broker-records.ts';
import type { ConnectionDeps } from '../deps.ts';

/** The audience of trustgate's tokens when a connection names none: STS's own (IAM User Guide, OIDC federation). */
export function defaultOidcAudience(partition: Partition): string {
  return partition === 'aws-cn' ? 'sts.amazonaws.com.cn' : 'sts.amazonaws.com';
}

/** The audience an OIDC connection's role trusts and its runs' tokens carry. */
export function oidcAudienceOf(c: Pick<Connection, 'partition' | 'trust'>): string {
  return (c.trust.kind === 'oidc' ? c.trust.audience : undefined) ?? defaultOidcAudience(c.partition);
}

function invalid(message: string, field = 'trust'): TrustgateError {
  return new TrustgateError('INVALID_INPUT', message, { field });
}

/**
 * Checks a connection's trust form before it is stored: an `oidc` connection needs the service's OIDC issuer
 * (`identity` in its configuration), one account (the role's trust names the OIDC provider in that account), manual
 * mode (the automatic callback reports an external ID), an audience IAM accepts as a client ID (1-255 characters,
 * no wildcards), and stacks of the organization. Throws INVALID_INPUT / NOT_FOUND naming the field.
 */
export async function validateConnectionTrust(deps: ConnectionDeps, c: Connection): Promise<void> {
  const trust: ConnectionTrust = c.trust;
  if (trust.kind !== 'oidc') return;
  if (deps.identity === undefined)
    throw invalid(
      'trust: this service has no OIDC issuer configured (identity.issuerUrl in its configuration, or trustgate serve --oidc-issuer), so no role can trust its tokens; use external-id trust or configure the issuer.',
    );
  if (c.scope.kind !== 'account')
    throw invalid(
      'trust: OIDC trust names the IAM OIDC provider of one account; give the connection an account scope (one connection per account for now).',
      'scope',
    );
  if (c.mode !== 'manual')
    throw invalid('trust: OIDC connections are manual for now (paste the role ARN, then verify).', 'mode');
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
 * What an OIDC connection's trust policy admits (core's `oidc` principal): trustgate's issuer, the audience, and the
 * `sub` StringLike patterns of {@link oidcSubjectPattern} for the organization's stacks (any, or each listed one) in
 * the trusted phases (`*` for both). Undefined for an external-ID connection.
 */
export function oidcTrustOptions(
  c: Connection,
  issuerUrl: string,
): { issuer: string; audiences: string[]; subjects: string[] } | undefined {
  const trust = c.trust;
  if (trust.kind !== 'oidc') return undefined;
  const phases = trust.phases.includes('read') && trust.phases.includes('write') ? [undefined] : trust.phases;
  const stacks = trust.stackIds === undefined ? [undefined] : trust.stackIds;
  const subjects = stacks.flatMap((stack) =>
    phases.map((phase) =>
      oidcSubjectPattern({
        org: c.organizationId,
        ...(stack === undefined ? {} : { stack }),
        ...(phase === undefined ? {} : { phase }),
      }),
    ),
  );
  return { issuer: issuerUrl, audiences: [oidcAudienceOf(c)], subjects };
}
