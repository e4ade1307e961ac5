import { z } from 'zod';
import { confirmSubscription } from '../../app/callbacks/confirm-subscription.ts';
import { startCallback } from '../../app/callbacks/handle-callback.ts';
import { readCallbackBody } from '../../app/callbacks/read-callback-body.ts';
import type { AppContext } from '../app-context.ts';
import type { AddRoute } from '../zod-route.ts';
import * as s from '../schemas.ts';

/** Automatic mode: CloudFormation's custom-resource requests, delivered by SNS. */
export function registerCallbackRoutes(route: AddRoute, ctx: AppContext): void {
  const deps = ctx.deps;

  route({
    method: 'POST',
    url: '/v1/callbacks/cloudformation',
    summary:
      'Automatic mode: CloudFormation custom-resource requests via SNS — the SNS signature is verified first (403 otherwise), then the one-time token inside authorizes',
    tags: ['callbacks'],
    auth: false,
    status: 202,
    body: z.unknown(),
    response: s.callbackAcceptedView,
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
}
