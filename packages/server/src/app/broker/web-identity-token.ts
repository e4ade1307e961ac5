import { TrustgateError, type RunPhase } from '@trustgate/core';
import type { Connection } from '../../model/records.ts';
import type { Stack } from '../../model/broker-records.ts';
import { oidcAudienceOf } from '../connections/oidc-trust-options.ts';
import { mintRunToken } from '../identity/mint-run-token.ts';
import type { ConnectionDeps } from '../deps.ts';
import { subjectTemplatesOf } from '../identity/subject-templates.ts';

/** How long a token minted for one AssumeRoleWithWebIdentity call lives: STS reads it at once. */
export const EXCHANGE_TOKEN_SECONDS = 300;

/**
 * trustgate's OIDC token of a run's stack and phase for an OIDC connection (subject over the organization, the
 * stack's space, the stack and the phase; the connection's audience), to exchange at once with
 * AssumeRoleWithWebIdentity. A secret: never logged, audited or put in an error. CREDENTIALS_UNAVAILABLE when the
 * service has no OIDC issuer configured.
 */
export async function runWebIdentityToken(
  deps: ConnectionDeps,
  target: { connection: Connection; stack: Stack },
  run: { runId: string; phase: RunPhase },
): Promise<string> {
  const identity = deps.identity;
  if (identity === undefined)
    throw new TrustgateError(
      'CREDENTIALS_UNAVAILABLE',
      "This service has no OIDC issuer configured, so an OIDC connection's role cannot be assumed.",
    );
  const { connection, stack } = target;
  const minted = await mintRunToken(identity, {
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
    lifetimeSeconds: Math.min(EXCHANGE_TOKEN_SECONDS, identity.maxTokenLifetimeSeconds),
  });
  return minted.token;
}
