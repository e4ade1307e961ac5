import { TrustgateError } from '@trustgate/core';
import type { IdentityDeps } from '../../app/identity/identity-deps.ts';
import { getOidcSubjectSetting, updateOidcSubjectSetting } from '../../app/identity/subject-templates.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../identity-schemas.ts';
import { isOperator } from './organization-routes.ts';

function issuer(ctx: AppContext): IdentityDeps {
  const identity = ctx.deps.identity;
  if (identity === undefined) throw new TrustgateError('NOT_FOUND', 'This service is not an OIDC issuer.');
  return identity;
}

function requireOperator(ctx: AppContext, header: string | undefined): void {
  if (!isOperator(ctx, header))
    throw new TrustgateError('UNAUTHENTICATED', "The OIDC issuer's keys are managed with the service operator token.");
}

/**
 * The OIDC issuer's key operations, for the service operator only (its bearer token, never an organization's):
 * list the keys, rotate (a new key published now that signs after `publishAheadMs`), revoke a key (it leaves the
 * JWKS at once; the tokens it signed then fail). And each organization's subject template (admins set it).
 */
export function registerOidcAdminRoutes(route: AddRoute, ctx: AppContext): void {
  route({
    method: 'GET',
    url: '/v1/issuer/keys',
    summary: "The OIDC issuer's signing keys, newest first (service operators only; no private key)",
    tags: ['oidc'],
    auth: false,
    response: s.signingKeysView,
    async handler({ request }) {
      requireOperator(ctx, request.headers.authorization);
      return { keys: await issuer(ctx).keys.list() };
    },
  });
  route({
    method: 'POST',
    url: '/v1/issuer/keys/rotate',
    summary:
      'Start a rotation: a new key is published now and signs after publishAheadMs (service operators only; a waiting next key is answered as it is)',
    tags: ['oidc'],
    auth: false,
    status: 201,
    response: s.rotatedKeyView,
    async handler({ request }) {
      requireOperator(ctx, request.headers.authorization);
      const keys = issuer(ctx).keys;
      const key = await keys.rotate();
      request.log.info({ kid: key.kid, activatesAt: key.activatesAt }, 'OIDC signing key rotation started');
      return { key, keys: await keys.list() };
    },
  });
  route({
    method: 'DELETE',
    url: '/v1/issuer/keys/:kid',
    summary:
      'Revoke a signing key (compromised): it leaves the JWKS at once and its tokens fail; revoking the signing key makes a new one that signs at once (service operators only)',
    tags: ['oidc'],
    auth: false,
    params: s.kidParams,
    response: s.signingKeysView,
    async handler({ request, params }) {
      requireOperator(ctx, request.headers.authorization);
      const keys = await issuer(ctx).keys.revoke(params.kid);
      request.log.warn({ kid: params.kid }, 'OIDC signing key revoked');
      return { keys };
    },
  });

  route({
    method: 'GET',
    url: '/v1/organization/oidc-subject',
    summary: "The organization's OIDC subject template: what runs' tokens carry and what roles trust",
    tags: ['oidc', 'organizations'],
    response: s.oidcSubjectView,
    async handler({ principal }) {
      return getOidcSubjectSetting(ctx.deps, principal);
    },
  });
  route({
    method: 'PUT',
    url: '/v1/organization/oidc-subject',
    summary:
      "Set the organization's OIDC subject template (admins): trust both forms (alsoTrusted), then switch (template), then drop the old one",
    tags: ['oidc', 'organizations'],
    body: s.oidcSubjectBody,
    response: s.oidcSubjectView,
    async handler({ principal, body }) {
      return updateOidcSubjectSetting(ctx.deps, principal, body);
    },
  });
}
