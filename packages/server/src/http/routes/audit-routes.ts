import { z } from 'zod';
import { readAudit } from '../../app/audit/read-audit.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../audit-schemas.ts';

/** The audit log. */
export function registerAuditRoutes(route: AddRoute, ctx: AppContext): void {
  const deps = ctx.deps;

  route({
    method: 'GET',
    url: '/v1/audit',
    summary:
      'The audit log (who did what to which connection, when, with which token): newest first, or with after=<seq> every event committed after that one, oldest first',
    tags: ['audit'],
    query: s.auditQuery,
    response: z.array(s.auditEventView),
    async handler({ principal, query }) {
      const events = await readAudit(deps, principal, query);
      return events.map((e) => ({
        seq: e.seq,
        id: e.id,
        at: e.at,
        actorUserId: e.actorUserId,
        tokenId: e.tokenId,
        action: e.action,
        connectionId: e.connectionId,
        details: e.details,
      }));
    },
  });
}
