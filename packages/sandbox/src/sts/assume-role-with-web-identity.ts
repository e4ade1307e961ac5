import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { evaluateRequest, type ContextValue } from '@trustgate/core';
import { parsePolicy } from '../auth/caller-policies.ts';
import { AwsError, accessDenied, validationError } from '../protocol/aws-error.ts';
import type { ActionResult, RequestContext } from '../runtime.ts';
import { findRoleByArn } from './assume-role.ts';
import { issueSession, sessionResult } from './issue-session.ts';
import { packedPolicySize, readSessionInputs, requestedSession, requestTagContext } from './session-inputs.ts';
import { webIdentitySessionClaims } from './web-identity-claims.ts';

function invalidToken(message: string): AwsError {
  return new AwsError('InvalidIdentityToken', message, 400);
}

/** `url` with an issuer's https origin replaced by the loopback origin serving it (`oidcIssuerOrigins`). */
function routed(ctx: RequestContext, url: string): string {
  for (const [issuer, origin] of Object.entries(ctx.runtime.oidcIssuerOrigins)) {
    const from = new URL(issuer).origin;
    if (url === from || url.startsWith(`${from}/`)) return `${origin.replace(/\/$/, '')}${url.slice(from.length)}`;
  }
  return url;
}

/** The key set that verifies tokens of an issuer: configured JWKS, configured JWKS URL, or OIDC discovery. */
async function keySetFor(ctx: RequestContext, issuer: string): Promise<JWTVerifyGetKey> {
  const configured = ctx.runtime.oidcJwks[issuer] ?? ctx.runtime.oidcJwks[issuer.replace(/\/$/, '')];
  if (configured !== undefined && typeof configured !== 'string') return createLocalJWKSet(configured);
  let url = typeof configured === 'string' ? configured : undefined;
  if (!url) {
    try {
      const response = await fetch(routed(ctx, `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`));
      const discovery = (await response.json()) as { jwks_uri?: string };
      url = discovery.jwks_uri === undefined ? undefined : routed(ctx, discovery.jwks_uri);
    } catch {
      url = undefined;
    }
    if (!url)
      throw new AwsError(
        'IDPCommunicationError',
        "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements",
        400,
      );
  }
  let set = ctx.runtime.oidcRemoteKeySets.get(url);
  if (!set) {
    const maxAge = ctx.runtime.oidcKeyCacheMs;
    set = createRemoteJWKSet(new URL(url), { cacheMaxAge: maxAge, cooldownDuration: Math.min(30_000, maxAge) });
    ctx.runtime.oidcRemoteKeySets.set(url, set);
  }
  return set;
}

/**
 * `sts:AssumeRoleWithWebIdentity` (STS API reference), served unsigned as AWS serves it. The token's issuer
 * must be an OIDC provider registered in the role's account (IAM CreateOpenIDConnectProvider), its
 * signature must verify against the provider's JWKS, it must be unexpired (`ExpiredTokenException`) and its
 * audience one of the provider's client IDs (`InvalidIdentityToken`). The role's trust policy is then
 * evaluated by core's policy engine for the Federated principal (the provider ARN) with the context keys
 * `<provider>:aud`, `<provider>:sub`, `<provider>:amr`? (when present) and `sts:RoleSessionName`.
 *
 * The request takes no Tags or SourceIdentity parameter: session tags come from the token's
 * `https://aws.amazon.com/tags` claim and the source identity from `https://aws.amazon.com/source_identity`
 * (IAM User Guide, "Passing session tags using AssumeRoleWithWebIdentity"). Then the trust policy must also allow
 * `sts:TagSession` (context `aws:RequestTag/*`, `aws:TagKeys`, `sts:TransitiveTagKeys`) and `sts:SetSourceIdentity`
 * (`sts:SourceIdentity`), else AccessDenied; the session carries them (`aws:PrincipalTag/*`, `aws:SourceIdentity`)
 * and the answer names the source identity.
 */
export async function assumeRoleWithWebIdentity(ctx: RequestContext): Promise<ActionResult> {
  const inputs = readSessionInputs(ctx.params);
  const token = ctx.params.required('WebIdentityToken');
  if (token.length < 4 || token.length > 20000)
    throw validationError(
      "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000",
    );
  const denied = accessDenied('Not authorized to perform sts:AssumeRoleWithWebIdentity');
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    throw invalidToken(
      'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)',
    );
  }
  const found = findRoleByArn(ctx, inputs.roleArn);
  if (!found) throw denied;
  const { role, accountId } = found;
  const issuer = claims.iss ?? '';
  const providerUrl = issuer.replace(/^https:\/\//, '').replace(/\/$/, '');
  const provider = ctx.runtime.store.account(accountId)?.oidcProviders[providerUrl.toLowerCase()];
  if (!provider) throw invalidToken(`No OpenIDConnect provider found in your account for ${issuer}`);
  const keys = await keySetFor(ctx, issuer);
  try {
    await jwtVerify(token, keys, { currentDate: ctx.now });
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new AwsError(
        'ExpiredTokenException',
        `Token expired: current date/time ${Math.floor(ctx.now.getTime() / 1000)} must be before the expiration date/time${claims.exp ?? ''}`,
        400,
      );
    }
    if (error instanceof joseErrors.JWKSNoMatchingKey || error instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw invalidToken("Couldn't verify the signature of the token with the key of your identity provider");
    }
    if (error instanceof AwsError) throw error;
    throw invalidToken(error instanceof Error ? error.message : 'The web identity token could not be validated');
  }
  const audiences = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
  if (!audiences.some((a) => provider.clientIds.includes(a))) throw invalidToken('Incorrect token audience');
  const duration = inputs.durationSeconds ?? 3600;
  if (duration > role.maxSessionDuration)
    throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
  const asked = webIdentitySessionClaims(claims);
  const packed = packedPolicySize({ ...inputs, tags: asked.tags });
  const context: Record<string, ContextValue> = {
    ...requestTagContext(asked.tags, asked.transitiveTagKeys),
    [`${providerUrl}:aud`]: audiences.length === 1 ? audiences[0]! : audiences,
    [`${providerUrl}:sub`]: claims.sub ?? '',
    'sts:RoleSessionName': inputs.roleSessionName,
    'aws:FederatedProvider': provider.arn,
    'aws:CurrentTime': ctx.now,
    'aws:EpochTime': Math.floor(ctx.now.getTime() / 1000),
    'aws:SecureTransport': true,
    'aws:SourceIp': ctx.sourceIp,
  };
  if (Array.isArray(claims.amr)) context[`${providerUrl}:amr`] = claims.amr as string[];
  if (asked.sourceIdentity !== undefined) context['sts:SourceIdentity'] = asked.sourceIdentity;
  const actions = ['sts:AssumeRoleWithWebIdentity'];
  if (asked.tags.length > 0) actions.push('sts:TagSession');
  if (asked.sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  const trust = parsePolicy(role.assumeRolePolicyDocument);
  for (const action of actions) {
    const result = evaluateRequest(
      {
        principal: { arn: provider.arn, accountId, type: 'Federated' },
        action,
        resource: role.arn,
        resourceAccountId: accountId,
        context,
      },
      { resourcePolicy: trust },
    );
    if (result.decision !== 'Allowed')
      throw action === 'sts:AssumeRoleWithWebIdentity' ? denied : accessDenied(`Not authorized to perform ${action}`);
  }
  const session = issueSession({
    state: ctx.runtime.store.state,
    accountId,
    role,
    ...requestedSession(inputs, duration),
    now: ctx.now,
    tags: asked.tags,
    transitiveTagKeys: asked.transitiveTagKeys,
    chained: false,
    sourceArn: provider.arn,
    ...(asked.sourceIdentity === undefined ? {} : { sourceIdentity: asked.sourceIdentity }),
  });
  return {
    ...sessionResult(session),
    SubjectFromWebIdentityToken: claims.sub,
    Audience: audiences[0],
    Provider: issuer,
    PackedPolicySize: packed,
    SourceIdentity: asked.sourceIdentity,
  };
}
