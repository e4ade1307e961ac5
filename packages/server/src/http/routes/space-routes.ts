import { z } from 'zod';
import { addSpace, listSpaces, removeSpace } from '../../app/directory/spaces.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';
import { spaceOut } from './directory-views.ts';

/** Spaces: groupings of connections inside an organization. */
export function registerSpaceRoutes(route: AddRoute, ctx: AppContext): void {
  const store = ctx.deps.store;

  route({
    method: 'GET',
    url: '/v1/spaces',
    summary: 'Spaces of the organization',
    tags: ['spaces'],
    response: z.array(s.spaceView),
    async handler({ principal }) {
      return (await listSpaces(store, principal)).map(spaceOut);
    },
  });
  route({
    method: 'POST',
    url: '/v1/spaces',
    summary: 'Create a space (admins)',
    tags: ['spaces'],
    status: 201,
    body: s.createSpaceBody,
    response: s.spaceView,
    async handler({ principal, body }) {
      return spaceOut(await addSpace(store, principal, body));
    },
  });
  route({
    method: 'DELETE',
    url: '/v1/spaces/:spaceId',
    summary: 'Delete a space (admins)',
    tags: ['spaces'],
    params: s.spaceParams,
    response: s.okView,
    async handler({ principal, params }) {
      await removeSpace(store, principal, params.spaceId);
      return { ok: true as const };
    },
  });
}
