import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { TrustgateError } from '@trustgate/core';
import { requireScope } from '../../auth/principal.ts';
import { addSpace, addUser, createOrganizationWithAdmin, issueToken, listTokens, removeSpace, removeUser, revokeToken } from '../../app/directory/organizations.ts';
import type { ApiToken, Space, User } from '../../model/records.ts';
import type { AppContext } from '../app-context.ts';
import { addRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';

const userOut = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt });
const tokenOut = (t: ApiToken) => ({ id: t.id, userId: t.userId, name: t.name, scopes: t.scopes, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt, lastUsedAt: t.lastUsedAt });
const spaceOut = (sp: Space) => ({ id: sp.id, name: sp.name, createdAt: sp.createdAt });

function isOperator(ctx: AppContext, header: string | undefined): boolean {
  // An empty or short operator token would open the route: such a configuration counts as none.
  if (ctx.operatorToken === undefined || ctx.operatorToken.length < 16 || header === undefined || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(ctx.operatorToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Organizations, users, API tokens and spaces. */
export function registerDirectoryRoutes(app: FastifyInstance, ctx: AppContext): void {
  const route = <B, Q, P, R>(spec: Parameters<typeof addRoute<B, Q, P, R>>[2]) => addRoute(app, ctx.authenticate, spec);
  const store = ctx.deps.store;

  route({
    method: 'POST', url: '/v1/organizations', summary: 'Create an organization with its first admin (service operators only)', tags: ['organizations'], auth: false, status: 201,
    body: s.createOrganizationBody, response: s.createdOrganizationView,
    async handler({ body, request }) {
      if (!isOperator(ctx, request.headers.authorization)) throw new TrustgateError('UNAUTHENTICATED', 'Creating organizations needs the service operator token.');
      const { organization, admin, issued } = await createOrganizationWithAdmin(store, body);
      return { organization, admin: userOut(admin), token: { token: tokenOut(issued.token), secret: issued.secret } };
    },
  });
  route({
    method: 'GET', url: '/v1/organization', summary: 'The caller\'s organization', tags: ['organizations'], response: s.organizationView,
    async handler({ principal }) {
      const org = await store.directory.getOrganization(principal.organizationId);
      if (org === undefined) throw new TrustgateError('NOT_FOUND', 'No such organization.');
      return org;
    },
  });
  route({
    method: 'PATCH', url: '/v1/organization', summary: 'Rename the organization', tags: ['organizations'], body: s.renameOrganizationBody, response: s.organizationView,
    async handler({ principal, body }) {
      requireScope(principal, 'admin');
      await store.directory.renameOrganization(principal.organizationId, body.name);
      return { ...(await store.directory.getOrganization(principal.organizationId))! };
    },
  });
  route({
    method: 'GET', url: '/v1/me', summary: 'The calling user and token', tags: ['users'], response: z.object({ user: s.userView, token: s.tokenView }),
    async handler({ principal }) {
      return { user: userOut(principal.user), token: tokenOut(principal.token) };
    },
  });
  route({
    method: 'GET', url: '/v1/users', summary: 'Users of the organization', tags: ['users'], response: z.array(s.userView),
    async handler({ principal }) {
      requireScope(principal, 'connections:read');
      return (await store.directory.listUsers(principal.organizationId)).map(userOut);
    },
  });
  route({
    method: 'POST', url: '/v1/users', summary: 'Add a user (admins)', tags: ['users'], status: 201, body: s.createUserBody, response: s.userView,
    async handler({ principal, body }) {
      return userOut(await addUser(store, principal, body));
    },
  });
  route({
    method: 'GET', url: '/v1/users/:userId', summary: 'One user', tags: ['users'], params: s.userParams, response: s.userView,
    async handler({ principal, params }) {
      requireScope(principal, 'connections:read');
      const user = await store.directory.getUser(principal.organizationId, params.userId);
      if (user === undefined) throw new TrustgateError('NOT_FOUND', 'No such user.', { field: 'userId' });
      return userOut(user);
    },
  });
  route({
    method: 'DELETE', url: '/v1/users/:userId', summary: 'Delete a user (admins)', tags: ['users'], params: s.userParams, response: s.okView,
    async handler({ principal, params }) {
      await removeUser(store, principal, params.userId);
      return { ok: true as const };
    },
  });
  route({
    method: 'GET', url: '/v1/tokens', summary: 'API tokens (own; admins: all)', tags: ['tokens'], response: z.array(s.tokenView),
    async handler({ principal }) {
      return (await listTokens(store, principal)).map(tokenOut);
    },
  });
  route({
    method: 'POST', url: '/v1/tokens', summary: 'Issue an API token (the secret is shown once)', tags: ['tokens'], status: 201, body: s.createTokenBody, response: s.issuedTokenView,
    async handler({ principal, body }) {
      const issued = await issueToken(store, principal, body as Parameters<typeof issueToken>[2]);
      return { token: tokenOut(issued.token), secret: issued.secret };
    },
  });
  route({
    method: 'DELETE', url: '/v1/tokens/:tokenId', summary: 'Revoke an API token', tags: ['tokens'], params: s.tokenParams, response: s.okView,
    async handler({ principal, params }) {
      await revokeToken(store, principal, params.tokenId);
      return { ok: true as const };
    },
  });
  route({
    method: 'GET', url: '/v1/spaces', summary: 'Spaces of the organization', tags: ['spaces'], response: z.array(s.spaceView),
    async handler({ principal }) {
      requireScope(principal, 'connections:read');
      return (await store.directory.listSpaces(principal.organizationId)).map(spaceOut);
    },
  });
  route({
    method: 'POST', url: '/v1/spaces', summary: 'Create a space (admins)', tags: ['spaces'], status: 201, body: s.createSpaceBody, response: s.spaceView,
    async handler({ principal, body }) {
      return spaceOut(await addSpace(store, principal, body));
    },
  });
  route({
    method: 'DELETE', url: '/v1/spaces/:spaceId', summary: 'Delete a space (admins)', tags: ['spaces'], params: s.spaceParams, response: s.okView,
    async handler({ principal, params }) {
      await removeSpace(store, principal, params.spaceId);
      return { ok: true as const };
    },
  });
}
