import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { grantAccess, listAccess, readAudit, revokeAccess } from '../../app/connections/access-grants.ts';
import type { AccessLevel } from '../../model/records.ts';
import { confirmSubscription } from '../../app/callbacks/confirm-subscription.ts';
import { startCallback } from '../../app/callbacks/handle-callback.ts';
import { readCallbackBody } from '../../app/callbacks/read-callback-body.ts';
import { startAnswerResender } from '../../app/jobs/resend-undelivered-answers.ts';
import type { AppContext } from '../app-context.ts';
import { addRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';

/** Access levels, the audit log, and the CloudFormation callback. */
export function registerAccessRoutes(app: FastifyInstance, ctx: AppContext): void {
  const route = <B, Q, P, R>(spec: Parameters<typeof addRoute<B, Q, P, R>>[2]) => addRoute(app, ctx.authenticate, spec);
  const deps = ctx.deps;

  route({
    method: 'GET', url: '/v1/connections/:id/access', summary: 'Access grants on a connection (owners)', tags: ['access'], params: s.idParams, response: z.array(s.accessGrantView),
    async handler({ principal, params }) {
      return (await listAccess(deps, principal, params.id)).map((g) => ({ userId: g.userId, level: g.level }));
    },
  });
  route({
    method: 'PUT', url: '/v1/connections/:id/access/:userId', summary: 'Grant a user an access level (owners)', tags: ['access'], params: s.accessParams, body: s.putAccessBody, response: s.accessGrantView,
    async handler({ principal, params, body }) {
      const g = await grantAccess(deps, principal, params.id, params.userId, body.level as AccessLevel);
      return { userId: g.userId, level: g.level };
    },
  });
  route({
    method: 'DELETE', url: '/v1/connections/:id/access/:userId', summary: 'Remove a user\'s access (owners)', tags: ['access'], params: s.accessParams, response: s.okView,
    async handler({ principal, params }) {
      await revokeAccess(deps, principal, params.id, params.userId);
      return { ok: true as const };
    },
  });
  route({
    method: 'GET', url: '/v1/audit', summary: 'The audit log (who did what to which connection, when, with which token)', tags: ['audit'], query: s.auditQuery, response: z.array(s.auditEventView),
    async handler({ principal, query }) {
      const events = await readAudit(deps, principal, query);
      return events.map((e) => ({ id: e.id, at: e.at, actorUserId: e.actorUserId, tokenId: e.tokenId, action: e.action, connectionId: e.connectionId, details: e.details }));
    },
  });
  route({
    method: 'POST', url: '/v1/callbacks/cloudformation', summary: 'Automatic mode: CloudFormation custom-resource requests via SNS — the SNS signature is verified first (403 otherwise), then the one-time token inside authorizes', tags: ['callbacks'],
    auth: false, status: 202, body: z.unknown(), response: s.callbackAcceptedView,
    async handler({ body, request }) {
      // Nothing in the body is used before its SNS signature, topic and age are verified.
      const parsed = await readCallbackBody(deps, body);
      if (parsed.kind === 'subscription-confirmation') {
        await confirmSubscription(deps, parsed.subscribeUrl, ctx.fetchPort);
        return { accepted: true };
      }
      if (parsed.kind === 'unsubscribe-confirmation') {
        request.log.warn({ topicArn: parsed.topicArn }, 'the callback endpoint was unsubscribed from its SNS topic');
        return { accepted: true };
      }
      // The allow-list and the claim are checked now (400 / 409 to SNS); then SNS is answered at once and the
      // verification (with its bounded retries) answers CloudFormation's ResponseURL, the PUT retried in-process.
      const { finished } = await startCallback(deps, parsed.request, ctx.fetchPort);
      // The failure is logged by startCallback (without the ResponseURL's query string).
      ctx.background.add(finished.catch(() => undefined));
      return { accepted: true };
    },
  });
  // Answers whose every PUT failed are re-sent while CloudFormation still waits (SNS will not deliver them again).
  const resender = startAnswerResender(deps, ctx.fetchPort, { onError: (error) => app.log.error({ err: error }, 'callback: re-sending undelivered answers failed') });
  app.addHook('onClose', async () => resender.stop());
}
