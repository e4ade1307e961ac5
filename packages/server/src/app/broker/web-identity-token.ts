import { sourceIdentity, TrustgateError, type RunPhase } from '@trustgate/core';
import type { Connection } from '../../model/records.ts';
import type { Stack } from '../../model/broker-records.ts';
import { oidcAudienceOf } from '../connections/oidc-trust-options.ts';
import { mintRunToken, type RunToken } from '../identity/mint-run-token.ts';
import type { ConnectionDeps } from '../deps.ts';
import { subjectTemplatesOf } from '../identity/subject-templates.ts';
import { sessionTags } from './assumption-request.ts';

/** How long a token minted for one AssumeRoleWithWebIdentity call lives: STS reads it at once. */
export const EXCHANGE_TOKEN_SECONDS = 300;

/** What a run's web identity token asks of the session besides the role (AWS takes them only from the token). */
export interface WebIdentitySession {
  /** Session tags (`https://aws.amazon.com/tags`); the trust policy must allow sts:TagSession. */
  tags?: Record<string, string>;
  /** The source identity (`https://aws.amazon.com/source_identity`); the trust policy must allow sts:SetSourceIdentity. */
  sourceIdentity?: string;
}

/** How long the token lives and what it carries; defaults: {@link EXCHANGE_TOKEN_SECONDS}, the connection's tagging. */
export interface WebIdentityTokenOptions {
  /** Seconds the token lives, at most the issuer's `maxTokenLifetimeSeconds` (asked more: that). */
  lifetimeSeconds?: number;
  /** The run ends then (its run token's expiry): the token expires by then. */
  runEndsAt?: Date;
  /**
   * The session's tags and source identity; omitted, a session-tagging connection's token carries the run's
   * (stack, phase and run; a source identity naming the stack and run), as AssumeRole calls of runs pass them.
   */
  session?: WebIdentitySession;
}

/** The session a session-tagging connection's run asks for when the caller names none (see assumption-request.ts). */
function defaultSession(connection: Connection, stack: Stack, run: { runId: string; phase: RunPhase }) {
  if (!connection.sessionTagging) return {};
  return {
    tags: sessionTags(stack, run.phase, run.runId),
    sourceIdentity: sourceIdentity(`tg-${stack.slug}-${run.runId}`),
  };
}

/**
 * trustgate's OIDC token of a run's stack and phase for an OIDC connection (subject over the organization, the
 * stack's space, the stack and the phase; the connection's audience), with the session's tags and source identity
 * in the claims AWS reads them from. A secret: never logged, audited or put in an error. CREDENTIALS_UNAVAILABLE
 * when the service has no OIDC issuer configured.
 */
export async function mintWebIdentityToken(
  deps: ConnectionDeps,
  target: { connection: Connection; stack: Stack },
  run: { runId: string; phase: RunPhase },
  options: WebIdentityTokenOptions = {},
): Promise<RunToken> {
  const identity = deps.identity;
  if (identity === undefined)
    throw new TrustgateError(
      'CREDENTIALS_UNAVAILABLE',
      "This service has no OIDC issuer configured, so an OIDC connection's role cannot be assumed.",
    );
  const { connection, stack } = target;
  const session = options.session ?? defaultSession(connection, stack, run);
  return mintRunToken(identity, {
    organizationId: connection.organizationId,
    spaceId: stack.spaceId,
    stackId: stack.id,
    stackSlug: stack.slug,
    phase: run.phase,
    runId: run.runId,
    connectionId: connection.id,
    partition: connection.partition,
    audience: oidcAudienceOf(connection),
    subjectTemplate: (await subjectTemplatesOf(deps, connection.organizationId)).template,
    lifetimeSeconds: Math.min(options.lifetimeSeconds ?? EXCHANGE_TOKEN_SECONDS, identity.maxTokenLifetimeSeconds),
    ...(options.runEndsAt === undefined ? {} : { runEndsAt: options.runEndsAt }),
    ...(session.tags === undefined ? {} : { sessionTags: { principalTags: session.tags } }),
    ...(session.sourceIdentity === undefined ? {} : { sourceIdentity: session.sourceIdentity }),
  });
}

/** The token of {@link mintWebIdentityToken}, to exchange at once with AssumeRoleWithWebIdentity. */
export async function runWebIdentityToken(
  deps: ConnectionDeps,
  target: { connection: Connection; stack: Stack },
  run: { runId: string; phase: RunPhase },
  options: WebIdentityTokenOptions = {},
): Promise<string> {
  return (await mintWebIdentityToken(deps, target, run, options)).token;
}
