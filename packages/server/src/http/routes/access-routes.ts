import { z } from 'zod';
import { grantAccess, listAccess, revokeAccess } from '../../app/connections/access-grants.ts';
import type { AccessLevel } from '../../model/records.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';

/** Access levels on a connection (owners manage them). */
export function registerAccessRoutes(route: AddRoute, ctx: AppContext): void {
  const deps = ctx.deps;

  route({
    method: 'GET',
    url: '/v1/connections/:id/access',
    summary: 'Access grants on a connection (owners)',
    tags: ['access'],
    params: s.idParams,
    response: z.array(s.accessGrantView),
    async handler({ principal, params }) {
      return (await listAccess(deps, principal, params.id)).map((g) => ({ userId: g.userId, level: g.level }));
    },
  });
  route({
    method: 'PUT',
    url: '/v1/connections/:id/access/:userId',
    summary: 'Grant a user an access level (owners)',
    tags: ['access'],
    params: s.accessParams,
    body: s.putAccessBody,
    response: s.accessGrantView,
    async handler({ principal, params, body }) {
      const g = await grantAccess(deps, principal, params.id, params.userId, body.level as AccessLevel);
      return { userId: g.userId, level: g.level };
    },
  });
  route({
    method: 'DELETE',
    url: '/v1/connections/:id/access/:userId',
    summary: "Remove a user's access (owners)",
    tags: ['access'],
    params: s.accessParams,
    response: s.okView,
    async handler({ principal, params }) {
      await revokeAccess(deps, principal, params.id, params.userId);
      return { ok: true as const };
    },
  });
}
