import { z } from 'zod';
import { TrustgateError } from '@trustgate/core';
import { JWKS_PATH, discoveryDocument, type IdentityDeps } from '../../app/identity/identity-deps.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import { registerOidcAdminRoutes } from './oidc-admin-routes.ts';

const discoveryView = z.object({
  issuer: z.string(),
  jwks_uri: z.string(),
  response_types_supported: z.array(z.string()),
  subject_types_supported: z.array(z.string()),
  id_token_signing_alg_values_supported: z.array(z.string()),
  claims_supported: z.array(z.string()),
});

/** A public JWK: only the public members are declared, so a private member could never leave. */
const publicJwk = z.object({
  kty: z.string(),
  kid: z.string(),
  alg: z.string(),
  use: z.string(),
  n: z.string().optional(),
  e: z.string().optional(),
  crv: z.string().optional(),
  x: z.string().optional(),
  y: z.string().optional(),
});
const jwksView = z.object({ keys: z.array(publicJwk) });

function configured(ctx: AppContext): IdentityDeps {
  const identity = ctx.deps.identity;
  if (identity === undefined) throw new TrustgateError('NOT_FOUND', 'This service is not an OIDC issuer.');
  return identity;
}

/**
 * trustgate as an OIDC issuer (issue 13): OpenID Connect Discovery's provider metadata and the JWKS, which AWS STS
 * fetches to verify AssumeRoleWithWebIdentity tokens. Unauthenticated and cacheable (`Cache-Control: public,
 * max-age=<jwksMaxAgeSeconds>`); a key is published longer ahead than that before it signs. Not found when the
 * service has no `identity` configured.
 */
export function registerOidcRoutes(route: AddRoute, ctx: AppContext): void {
  registerOidcAdminRoutes(route, ctx);
  route({
    method: 'GET',
    url: '/.well-known/openid-configuration',
    summary:
      "The OIDC issuer's discovery document (OpenID Connect Discovery 1.0): issuer, jwks_uri, algorithms, claims",
    tags: ['oidc'],
    auth: false,
    response: discoveryView,
    async handler({ reply }) {
      const identity = configured(ctx);
      const { keys } = await identity.keys.jwks();
      const algorithms = [...new Set(keys.map((k) => k.alg ?? 'RS256'))].sort();
      reply.header('cache-control', `public, max-age=${identity.jwksMaxAgeSeconds}`);
      return discoveryDocument(identity, algorithms.length === 0 ? ['RS256'] : algorithms);
    },
  });

  route({
    method: 'GET',
    url: JWKS_PATH,
    summary:
      "The OIDC issuer's public signing keys (RFC 7517): the next key, the signing key and retired keys still needed",
    tags: ['oidc'],
    auth: false,
    response: jwksView,
    async handler({ reply }) {
      const identity = configured(ctx);
      const jwks = await identity.keys.jwks();
      reply.header('cache-control', `public, max-age=${identity.jwksMaxAgeSeconds}`);
      return jwks;
    },
  });
}
