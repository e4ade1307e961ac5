import { z } from 'zod';
import { addUser, getUser, listUsers, removeUser } from '../../app/directory/users.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';
import { tokenOut, userOut } from './directory-views.ts';

/** Users of the organization and the calling user. */
export function registerUserRoutes(route: AddRoute, ctx: AppContext): void {
  const store = ctx.deps.store;

  route({
    method: 'GET',
    url: '/v1/me',
    summary: 'The calling user and token',
    tags: ['users'],
    response: z.object({ user: s.userView, token: s.tokenView }),
    async handler({ principal }) {
      return { user: userOut(principal.user), token: tokenOut(principal.token) };
    },
  });
  route({
    method: 'GET',
    url: '/v1/users',
    summary: 'Users of the organization',
    tags: ['users'],
    response: z.array(s.userView),
    async handler({ principal }) {
      return (await listUsers(store, principal)).map(userOut);
    },
  });
  route({
    method: 'POST',
    url: '/v1/users',
    summary: 'Add a user (admins)',
    tags: ['users'],
    status: 201,
    body: s.createUserBody,
    response: s.userView,
    async handler({ principal, body }) {
      return userOut(await addUser(store, principal, body));
    },
  });
  route({
    method: 'GET',
    url: '/v1/users/:userId',
    summary: 'One user',
    tags: ['users'],
    params: s.userParams,
    response: s.userView,
    async handler({ principal, params }) {
      return userOut(await getUser(store, principal, params.userId));
    },
  });
  route({
    method: 'DELETE',
    url: '/v1/users/:userId',
    summary: 'Delete a user (admins)',
    tags: ['users'],
    params: s.userParams,
    response: s.okView,
    async handler({ principal, params }) {
      await removeUser(store, principal, params.userId);
      return { ok: true as const };
    },
  });
}
