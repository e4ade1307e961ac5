import { stackIssuances } from '../../app/broker/stack-issuances.ts';
import { stackTrustStatement, type TrustStatementInput } from '../../app/broker/stack-trust-statement.ts';
import type { AppContext } from '../app-context.ts';
import * as b from '../broker-schemas.ts';
import * as s from '../stack-insight-schemas.ts';
import type { AddRoute } from '../zod-route.ts';

/** What the console's stack page shows beside a stack's attachments: the trust statement and recent issuances. */
export function registerStackInsightRoutes(route: AddRoute, ctx: AppContext): void {
  const deps = ctx.deps;

  route({
    method: 'POST',
    url: '/v1/stacks/:id/trust-statement',
    summary:
      "The example trust-policy statement for exactly this stack and phase with a connection (as an attach dialog shows it): what the stack's runs pass, built by core's trust-policy code; writes nothing",
    tags: ['stacks'],
    params: b.stackParams,
    body: s.trustStatementBody,
    response: s.trustStatementView,
    async handler({ principal, params, body }) {
      return stackTrustStatement(deps, principal, params.id, body as TrustStatementInput);
    },
  });
  route({
    method: 'GET',
    url: '/v1/stacks/:id/issuances',
    summary:
      "The stack's recent credential issuances (from the audit log's credentials.issue events, newest first) and issuances and cache hits per bucket of time",
    tags: ['stacks'],
    params: b.stackParams,
    query: s.stackIssuancesQuery,
    response: s.stackIssuancesView,
    async handler({ principal, params, query }) {
      return stackIssuances(deps, principal, params.id, query.hours === undefined ? {} : { hours: query.hours });
    },
  });
}
