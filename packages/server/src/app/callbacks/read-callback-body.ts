import { createSnsMessageVerifier, type SnsMessageVerifier } from '../../aws/verify-sns-message.ts';
import type { ConnectionDeps } from '../deps.ts';
import { parseCustomResourceRequest, type CustomResourceRequest } from './custom-resource-request.ts';

/** The platform's callback topics (every partition's `callbackTopicArn`). */
export function callbackTopicArns(deps: ConnectionDeps): string[] {
  return Object.values(deps.platforms).flatMap((p) => (p?.callbackTopicArn === undefined ? [] : [p.callbackTopicArn]));
}

const defaultVerifiers = new WeakMap<ConnectionDeps, SnsMessageVerifier>();

/** The deps' SNS verifier, or (once per deps) the default one: AWS's certificate hosts and the platforms' callback topics. */
function snsVerifier(deps: ConnectionDeps): SnsMessageVerifier {
  if (deps.snsMessages !== undefined) return deps.snsMessages;
  let verifier = defaultVerifiers.get(deps);
  if (verifier === undefined) {
    verifier = createSnsMessageVerifier({ topicArns: () => callbackTopicArns(deps) });
    defaultVerifiers.set(deps, verifier);
  }
  return verifier;
}

/** What a verified callback POST carries. */
export type CallbackBody =
  | { kind: 'custom-resource'; request: CustomResourceRequest }
  | { kind: 'subscription-confirmation'; subscribeUrl: string; topicArn: string }
  | { kind: 'unsubscribe-confirmation'; topicArn: string };

/**
 * Reads a callback POST: it must be an SNS HTTP(S) message (Notification, SubscriptionConfirmation or
 * UnsubscribeConfirmation) whose signature verifies — from one of the platform's callback topics, recent, signed
 * with a certificate from SNS's own host (see {@link createSnsMessageVerifier}) — before anything in it is
 * used. A Notification's Message is the CloudFormation custom-resource request (AWS CloudFormation User Guide,
 * "Custom resource request objects"). An unsigned body (a bare custom-resource request) is refused: nothing
 * relies on it, and accepting it would let anyone who learns a template's token drive the callback.
 * INVALID_INPUT (400) for a malformed body, FORBIDDEN (403) for a message that fails verification.
 */
export async function readCallbackBody(deps: ConnectionDeps, body: unknown): Promise<CallbackBody> {
  const message = await snsVerifier(deps).verify(body);
  if (message.Type === 'SubscriptionConfirmation')
    return { kind: 'subscription-confirmation', subscribeUrl: message.SubscribeURL ?? '', topicArn: message.TopicArn };
  if (message.Type === 'UnsubscribeConfirmation')
    return { kind: 'unsubscribe-confirmation', topicArn: message.TopicArn };
  return { kind: 'custom-resource', request: parseCustomResourceRequest(message.Message, message.TopicArn) };
}
