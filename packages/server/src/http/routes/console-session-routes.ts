import { z } from 'zod';
import { TrustgateError } from '@trustgate/core';
import type { Principal } from '../../auth/principal.ts';
import type { AppContext } from '../app-context.ts';
import { clearedSessionCookie, requireConsoleHeader, sessionCookie } from '../console-session.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';

/** Body: sign in to the console with an API token. */
const sessionBody = z.object({ token: z.string().min(1).max(1024) }).strict();

/** Response: who the console is signed in as. */
const sessionView = z.object({
  organizationId: z.string(),
  user: s.userView,
  tokenName: z.string(),
  scopes: z.array(z.string()),
});

function sessionOut(principal: Principal): z.infer<typeof sessionView> {
  const { id, email, name, role, createdAt } = principal.user;
  return {
    organizationId: principal.organizationId,
    user: { id, email, name, role, createdAt },
    tokenName: principal.token.name,
    scopes: [...principal.token.scopes],
  };
}

/**
 * The web console's session (see console-session.ts): sign in with an API token, which is checked and then held in
 * an HttpOnly, SameSite=Strict cookie; read who is signed in; sign out. Writing the cookie needs the console header.
 */
export function registerConsoleSessionRoutes(route: AddRoute, ctx: AppContext): void {
  route({
    method: 'POST',
    url: '/v1/console/session',
    summary: 'Sign in to the web console with an API token (sets the HttpOnly session cookie)',
    tags: ['console'],
    auth: false,
    body: sessionBody,
    response: sessionView,
    async handler({ body, request, reply }) {
      requireConsoleHeader(request);
      let principal: Principal;
      try {
        principal = await ctx.authenticateHeader(`Bearer ${body.token}`);
      } catch (error) {
        if (error instanceof TrustgateError && error.code === 'UNAUTHENTICATED')
          throw new TrustgateError('UNAUTHENTICATED', 'This token is not valid: unknown, revoked or expired.', {
            field: 'token',
          });
        throw error;
      }
      reply.header('set-cookie', sessionCookie(body.token, request, ctx.deps.publicUrl));
      reply.header('cache-control', 'no-store');
      return sessionOut(principal);
    },
  });
  route({
    method: 'GET',
    url: '/v1/console/session',
    summary: 'Who the caller is signed in as (the console cookie or a bearer token)',
    tags: ['console'],
    response: sessionView,
    async handler({ principal, reply }) {
      reply.header('cache-control', 'no-store');
      return sessionOut(principal);
    },
  });
  route({
    method: 'DELETE',
    url: '/v1/console/session',
    summary: 'Sign out of the web console (clears the session cookie)',
    tags: ['console'],
    auth: false,
    response: s.okView,
    async handler({ request, reply }) {
      requireConsoleHeader(request);
      reply.header('set-cookie', clearedSessionCookie(request, ctx.deps.publicUrl));
      return { ok: true as const };
    },
  });
}
