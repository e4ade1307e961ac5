import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { TrustgateError, oidcSubject, type OidcPhase, type Partition } from '@trustgate/core';
import type { IdentityDeps } from './identity-deps.ts';

/** Session tags for the `https://aws.amazon.com/tags` claim (IAM User Guide, "Passing session tags using AssumeRoleWithWebIdentity"). */
export interface TokenSessionTags {
  /** Tag key -> value (AWS's claim holds each value in a one-element list). */
  principalTags: Record<string, string>;
  transitiveTagKeys?: string[];
}

/** What a run's token names. */
export interface RunTokenInput {
  organizationId: string;
  /** The stack's space; null = none (the subject says `none`). */
  spaceId: string | null;
  stackId: string;
  stackSlug: string;
  phase: OidcPhase;
  runId: string;
  connectionId: string;
  /** Picks the default audience: `sts.amazonaws.com.cn` in aws-cn, else `sts.amazonaws.com`. */
  partition: Partition;
  /** Overrides the audience (the connection's; an IAM OIDC provider client ID, 1 to 255 characters). */
  audience?: string;
  /** Seconds the token lives; default and most the service's `maxTokenLifetimeSeconds`. */
  lifetimeSeconds?: number;
  /** When the run ends: the token expires by then. */
  runEndsAt?: Date;
  /**
   * The organization's subject template (subject-templates.ts's `subjectTemplatesOf(...).template`); default
   * `org:{org}:space:{space}:stack:{stack}:phase:{phase}`.
   */
  subjectTemplate?: string;
  sessionTags?: TokenSessionTags;
  /** The session's source identity, for the `https://aws.amazon.com/source_identity` claim: 2-64 of `[\w+=,.@-]`. */
  sourceIdentity?: string;
}

/** A minted token. `token` is a secret: never logged, audited or put in an error. */
export interface RunToken {
  token: string;
  subject: string;
  audience: string;
  jti: string;
  kid: string;
  issuedAt: Date;
  expiresAt: Date;
}

/** The subject's space when a stack has none (space IDs are generated `spc_...`, so none can be called this). */
export const NO_SPACE = 'none';

function invalid(field: string, message: string): TrustgateError {
  return new TrustgateError('INVALID_INPUT', `${field}: ${message}`, { field });
}

/** The `https://aws.amazon.com/tags` claim, checked against STS's limits: 50 tags, keys 128, values 256 characters. */
function tagsClaim(tags: TokenSessionTags): Record<string, unknown> {
  const entries = Object.entries(tags.principalTags);
  if (entries.length === 0 || entries.length > 50) throw invalid('sessionTags', '1 to 50 tags are allowed');
  for (const [key, value] of entries) {
    if (key.length === 0 || key.length > 128 || value.length > 256)
      throw invalid('sessionTags', `tag ${JSON.stringify(key.slice(0, 128))}: keys 1-128, values 0-256 characters`);
  }
  const transitive = tags.transitiveTagKeys ?? [];
  const unknown = transitive.find((k) => !(k in tags.principalTags));
  if (unknown !== undefined) throw invalid('sessionTags.transitiveTagKeys', `${JSON.stringify(unknown)} is not a tag`);
  return {
    principal_tags: Object.fromEntries(entries.map(([k, v]) => [k, [v]])),
    ...(transitive.length === 0 ? {} : { transitive_tag_keys: transitive }),
  };
}

/**
 * Mints the OIDC token of one run and phase (issue 13), signed by the issuer's current key: `iss`, `aud` (default
 * by partition), `sub` (core's `oidcSubject` over organization, space and stack IDs — IDs, not names, so renaming
 * a stack never hands its trust to another), `iat` = `nbf` = now, `exp` at most `maxTokenLifetimeSeconds` later and
 * no later than the run's end, a random `jti`, the run's claims and, when asked, session tags. INVALID_INPUT when
 * the run has ended or an input is out of bounds.
 */
export async function mintRunToken(deps: IdentityDeps, input: RunTokenInput): Promise<RunToken> {
  const now = deps.clock();
  const iat = Math.floor(now.getTime() / 1000);
  const lifetime = input.lifetimeSeconds ?? deps.maxTokenLifetimeSeconds;
  if (!Number.isInteger(lifetime) || lifetime < 1 || lifetime > deps.maxTokenLifetimeSeconds)
    throw invalid('lifetimeSeconds', `1 to ${deps.maxTokenLifetimeSeconds} seconds`);
  let exp = iat + lifetime;
  if (input.runEndsAt !== undefined) exp = Math.min(exp, Math.floor(input.runEndsAt.getTime() / 1000));
  if (exp <= iat) throw invalid('runEndsAt', 'the run has ended: no token is minted for it');
  const audience = input.audience ?? (input.partition === 'aws-cn' ? 'sts.amazonaws.com.cn' : 'sts.amazonaws.com');
  if (audience.length === 0 || audience.length > 255) throw invalid('audience', '1 to 255 characters');
  const subject = oidcSubject(
    {
      org: input.organizationId,
      space: input.spaceId ?? NO_SPACE,
      stack: input.stackId,
      stackSlug: input.stackSlug,
      phase: input.phase,
    },
    input.subjectTemplate,
  );
  if (input.sourceIdentity !== undefined && !/^[\w+=,.@-]{2,64}$/.test(input.sourceIdentity))
    throw invalid('sourceIdentity', '2 to 64 characters of letters, digits and _+=,.@-');
  const jti = randomUUID();
  const signer = await deps.keys.signer();
  const token = await new SignJWT({
    organization_id: input.organizationId,
    space_id: input.spaceId,
    stack_id: input.stackId,
    stack: input.stackSlug,
    phase: input.phase,
    run_id: input.runId,
    connection_id: input.connectionId,
    ...(input.sessionTags === undefined ? {} : { 'https://aws.amazon.com/tags': tagsClaim(input.sessionTags) }),
    ...(input.sourceIdentity === undefined ? {} : { 'https://aws.amazon.com/source_identity': input.sourceIdentity }),
  })
    .setProtectedHeader({ alg: signer.algorithm, kid: signer.kid, typ: 'JWT' })
    .setIssuer(deps.issuerUrl)
    .setAudience(audience)
    .setSubject(subject)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .setJti(jti)
    .sign(signer.key);
  return {
    token,
    subject,
    audience,
    jti,
    kid: signer.kid,
    issuedAt: new Date(iat * 1000),
    expiresAt: new Date(exp * 1000),
  };
}
