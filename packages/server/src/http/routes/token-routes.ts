import { z } from 'zod';
import { issueToken, listTokens, revokeToken } from '../../app/directory/tokens.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';
import { tokenOut } from './directory-views.ts';

/** API tokens: listed, issued (the secret shown once) and revoked. */
export function registerTokenRoutes(route: AddRoute, ctx: AppContext): void {
  const store = ctx.deps.store;

  route({
    method: 'GET',
    url: '/v1/tokens',
    summary: 'API tokens (own; admins: all)',
    tags: ['tokens'],
    response: z.array(s.tokenView),
    async handler({ principal }) {
      return (await listTokens(store, principal)).map(tokenOut);
    },
  });
  route({
    method: 'POST',
    url: '/v1/tokens',
    summary: 'Issue an API token (the secret is shown once)',
    tags: ['tokens'],
    status: 201,
    body: s.createTokenBody,
    response: s.issuedTokenView,
    async handler({ principal, body }) {
      const issued = await issueToken(store, principal, body as Parameters<typeof issueToken>[2]);
      return { token: tokenOut(issued.token), secret: issued.secret };
    },
  });
  route({
    method: 'DELETE',
    url: '/v1/tokens/:tokenId',
    summary: 'Revoke an API token',
    tags: ['tokens'],
    params: s.tokenParams,
    response: s.okView,
    async handler({ principal, params }) {
      await revokeToken(store, principal, params.tokenId);
      return { ok: true as const };
    },
  });
}
