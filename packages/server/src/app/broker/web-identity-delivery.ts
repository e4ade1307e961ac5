import type { ConnectionDeps } from '../deps.ts';
import type { AssumptionRequest } from './assumption-request.ts';
import type { IssuanceTarget } from './issuance-target.ts';
import { mintWebIdentityToken } from './web-identity-token.ts';
import type { RunPhase } from '@trustgate/core';

/**
 * The web identity token a run assumes the role with by itself (AWS_WEB_IDENTITY_TOKEN_FILE), and the variables the
 * AWS CLI and SDKs read beside the file. `token` is a secret: never logged, audited or put in an error.
 */
export interface WebIdentityDelivery {
  token: string;
  roleArn: string;
  roleSessionName: string;
  /** When the token expires: the issuer's longest lifetime, and no later than the run (its run token). */
  expiresAt: string;
  /** The session duration the attachment asks for (the SDKs' default, 3,600 s, applies unless they are told). */
  durationSeconds: number;
  /** AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME, AWS_REGION and AWS_DEFAULT_REGION; the worker adds AWS_WEB_IDENTITY_TOKEN_FILE. */
  env: Record<string, string>;
}

/** What {@link webIdentityDelivery} needs of the issuance. */
export interface WebIdentityDeliveryInput {
  target: IssuanceTarget;
  request: AssumptionRequest;
  run: { runId: string; phase: RunPhase };
  durationSeconds: number;
  /** When the run ends: its run token's expiry (the one answered now, or the one the refresh came with). */
  runEndsAt?: Date;
}

/**
 * Mints the run's web identity token for an OIDC connection's assume-on-worker attachment (issue 13, the second
 * delivery): the token lives as long as the issuer allows (`maxTokenLifetimeSeconds`) and never past the run, and
 * carries the session's tags and source identity in AWS's claims (AssumeRoleWithWebIdentity has no parameter for
 * them), so the worker's SDK — which assumes and re-assumes from the file by itself — gets the same session a
 * trustgate-side exchange would. The run refreshes the file with its run token (`POST /v1/issuances/refresh`),
 * which keeps it re-exchanging past the one-hour chained-session cap for as long as the run lasts.
 */
export async function webIdentityDelivery(
  deps: ConnectionDeps,
  input: WebIdentityDeliveryInput,
): Promise<{ delivery: WebIdentityDelivery; jti: string; kid: string }> {
  const { target, request, run } = input;
  const minted = await mintWebIdentityToken(deps, target, run, {
    lifetimeSeconds: deps.identity?.maxTokenLifetimeSeconds ?? 0,
    ...(input.runEndsAt === undefined ? {} : { runEndsAt: input.runEndsAt }),
    session: {
      ...(request.tags === undefined ? {} : { tags: request.tags }),
      ...(request.sourceIdentity === undefined ? {} : { sourceIdentity: request.sourceIdentity }),
    },
  });
  return {
    jti: minted.jti,
    kid: minted.kid,
    delivery: {
      token: minted.token,
      roleArn: request.roleArn,
      roleSessionName: request.roleSessionName,
      expiresAt: minted.expiresAt.toISOString(),
      durationSeconds: input.durationSeconds,
      env: {
        AWS_ROLE_ARN: request.roleArn,
        AWS_ROLE_SESSION_NAME: request.roleSessionName,
        AWS_REGION: target.region,
        AWS_DEFAULT_REGION: target.region,
      },
    },
  };
}
