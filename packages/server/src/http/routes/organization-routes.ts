import { timingSafeEqual } from 'node:crypto';
import { TrustgateError } from '@trustgate/core';
import { createOrganizationWithAdmin, getOrganization, renameOrganization } from '../../app/directory/organizations.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';
import { tokenOut, userOut } from './directory-views.ts';

/** Whether the request carries the operator token (compared in constant time). */
export function isOperator(ctx: AppContext, header: string | undefined): boolean {
  // An empty or short operator token would open the route: such a configuration counts as none.
  if (
    ctx.operatorToken === undefined ||
    ctx.operatorToken.length < 16 ||
    header === undefined ||
    !header.startsWith('Bearer ')
  )
    return false;
  const given = Buffer.from(header.slice('Bearer '.length));
  const expected = Buffer.from(ctx.operatorToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Organizations: created by the service's operator; read and renamed by their own members and admins. */
export function registerOrganizationRoutes(route: AddRoute, ctx: AppContext): void {
  const store = ctx.deps.store;

  route({
    method: 'POST',
    url: '/v1/organizations',
    summary: 'Create an organization with its first admin (service operators only)',
    tags: ['organizations'],
    auth: false,
    status: 201,
    body: s.createOrganizationBody,
    response: s.createdOrganizationView,
    async handler({ body, request }) {
      if (!isOperator(ctx, request.headers.authorization))
        throw new TrustgateError('UNAUTHENTICATED', 'Creating organizations needs the service operator token.');
      // One transaction: a failure leaves no organization without its admin or token.
      const { organization, admin, issued } = await store.transaction((repos) =>
        createOrganizationWithAdmin(repos, body),
      );
      return { organization, admin: userOut(admin), token: { token: tokenOut(issued.token), secret: issued.secret } };
    },
  });
  route({
    method: 'GET',
    url: '/v1/organization',
    summary: "The caller's organization",
    tags: ['organizations'],
    response: s.organizationView,
    async handler({ principal }) {
      return getOrganization(store, principal);
    },
  });
  route({
    method: 'PATCH',
    url: '/v1/organization',
    summary: 'Rename the organization',
    tags: ['organizations'],
    body: s.renameOrganizationBody,
    response: s.organizationView,
    async handler({ principal, body }) {
      return store.transaction((repos) => renameOrganization(repos, principal, body.name));
    },
  });
}
