import { TrustgateError } from '@trustgate/core';
import { issueForRunToken } from '../../app/broker/container-credentials.ts';
import { issueCredentials, type IssueInput } from '../../app/broker/issue-credentials.ts';
import { revokeSessions } from '../../app/broker/revoke-sessions.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import { countedIssuance } from '../metrics.ts';
import { idParams } from '../schemas.ts';
import * as s from '../issuance-schemas.ts';

/**
 * Issuance routes of the credential broker (issue 12): issue credentials to a run, refresh them with a run token,
 * the container credentials endpoint, and revoking a connection's sessions. Every answer carrying credentials is
 * `Cache-Control: no-store`.
 */
export function registerIssuanceRoutes(route: AddRoute, ctx: AppContext): void {
  const deps = ctx.deps;
  const metrics = ctx.metrics;

  route({
    method: 'POST',
    url: '/v1/issuances',
    summary: 'Issue AWS credentials to a run of a stack (token scope credentials:issue, user access on the connection)',
    tags: ['issuances'],
    status: 201,
    body: s.issueBody,
    response: s.issuanceView,
    async handler({ principal, body, reply }) {
      reply.header('cache-control', 'no-store');
      return countedIssuance(metrics, () => issueCredentials(deps, principal, body as IssueInput));
    },
  });
  route({
    method: 'POST',
    url: '/v1/issuances/refresh',
    summary: "Credentials again for a run token's run (Authorization: Bearer tgr_...; API tokens are refused here)",
    tags: ['issuances'],
    auth: false,
    response: s.issuanceView,
    async handler({ request, reply }) {
      reply.header('cache-control', 'no-store');
      return countedIssuance(metrics, () => issueForRunToken(deps, request.headers.authorization, 'bearer'));
    },
  });
  route({
    method: 'GET',
    url: '/v1/container-credentials',
    summary:
      'Container credentials endpoint for AWS_CONTAINER_CREDENTIALS_FULL_URI (Authorization: the raw run token, as AWS_CONTAINER_AUTHORIZATION_TOKEN)',
    tags: ['issuances'],
    auth: false,
    response: s.containerCredentialsView,
    async handler({ request, reply }) {
      reply.header('cache-control', 'no-store');
      const answer = await countedIssuance(metrics, () => issueForRunToken(deps, request.headers.authorization, 'raw'));
      if (answer.formats === undefined)
        throw new TrustgateError(
          'INVALID_INPUT',
          'This attachment assumes the role on the worker: the container endpoint has no credentials to serve.',
        );
      return answer.formats.container;
    },
  });
  route({
    method: 'POST',
    url: '/v1/connections/:id/revoke-sessions',
    summary:
      "Revoke the connection's sessions issued before now: trustgate serves none of them again; the answer carries the role policy that makes AWS deny them",
    tags: ['connections'],
    params: idParams,
    response: s.revokeSessionsView,
    async handler({ principal, params }) {
      return revokeSessions(deps, principal, params.id);
    },
  });
}
