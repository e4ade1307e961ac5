import { getConnectionDrift } from '../../app/connections/connection-drift.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import { connectionDriftView } from '../drift-schemas.ts';
import { idParams } from '../schemas.ts';

/** A connection's drift: expected policy documents against each role's current ones (the console's side-by-side diff). */
export function registerDriftRoutes(route: AddRoute, ctx: AppContext): void {
  route({
    method: 'GET',
    url: '/v1/connections/:id/drift',
    summary:
      "The policy documents the connection expects against each role's current ones, as its last verification read them (re-verify to refresh)",
    tags: ['connections'],
    params: idParams,
    response: connectionDriftView,
    async handler({ principal, params }) {
      return getConnectionDrift(ctx.deps, principal, params.id);
    },
  });
}
