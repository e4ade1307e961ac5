import { DEFAULT_OIDC_SUBJECT_TEMPLATE, oidcSubjectPattern, type Partition } from '@trustgate/core';
import type { Connection } from '../../model/records.ts';

/** What an OIDC connection's role trusts: the audience its runs' tokens carry and the subjects it admits. */

/** The audience of trustgate's tokens when a connection names none: STS's own (IAM User Guide, OIDC federation). */
export function defaultOidcAudience(partition: Partition): string {
  return partition === 'aws-cn' ? 'sts.amazonaws.com.cn' : 'sts.amazonaws.com';
}

/** The audience an OIDC connection's role trusts and its runs' tokens carry. */
export function oidcAudienceOf(c: Pick<Connection, 'partition' | 'trust'>): string {
  return (c.trust.kind === 'oidc' ? c.trust.audience : undefined) ?? defaultOidcAudience(c.partition);
}

/**
 * What an OIDC connection's trust policy admits (core's `oidc` principal): trustgate's issuer, the audience, and the
 * `sub` StringLike patterns of {@link oidcSubjectPattern} for the organization's stacks (any, or each listed one) in
 * the trusted phases (`*` for both), in each of the organization's trusted subject templates (`subjectTemplatesOf(...)
 * .trusted` of app/identity/subject-templates.ts; default trustgate's own alone): during a migration the role admits
 * both forms. Undefined for an external-ID connection.
 */
export function oidcTrustOptions(
  c: Connection,
  issuerUrl: string,
  templates: readonly string[] = [DEFAULT_OIDC_SUBJECT_TEMPLATE],
): { issuer: string; audiences: string[]; subjects: string[] } | undefined {
  const trust = c.trust;
  if (trust.kind !== 'oidc') return undefined;
  const phases = trust.phases.includes('read') && trust.phases.includes('write') ? [undefined] : trust.phases;
  const stacks = trust.stackIds === undefined ? [undefined] : trust.stackIds;
  const subjects = templates.flatMap((template) =>
    stacks.flatMap((stack) =>
      phases.map((phase) =>
        oidcSubjectPattern(
          {
            org: c.organizationId,
            ...(stack === undefined ? {} : { stack }),
            ...(phase === undefined ? {} : { phase }),
          },
          template,
        ),
      ),
    ),
  );
  return { issuer: issuerUrl, audiences: [oidcAudienceOf(c)], subjects };
}
