import { randomUUID } from 'node:crypto';
import { TrustgateError } from '@trustgate/core';
import { callbackTokenMatches, newCallbackNonce, type ConnectionDeps } from './connection-deps.ts';
import { recordAudit } from './record-audit.ts';
import { verifyAndRecord } from './verify-connection.ts';
import { createSnsMessageVerifier, type SnsMessageVerifier } from '../aws/verify-sns-message.ts';

/** A CloudFormation custom-resource request (AWS CloudFormation User Guide, "Custom resource request objects"). */
export interface CustomResourceRequest {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  PhysicalResourceId?: string;
  ResourceProperties: Record<string, unknown>;
}

/** The narrow HTTP port used to answer CloudFormation (and confirm SNS subscriptions). */
export type FetchPort = (url: string, init: { method: string; headers?: Record<string, string>; body?: string }) => Promise<{ ok: boolean; status: number }>;

/** Default allow-list for ResponseURL / SubscribeURL: https on AWS's own domains (S3 presigned URLs, SNS). */
export function isAwsUrl(url: URL): boolean {
  return url.protocol === 'https:' && /(^|\.)amazonaws\.com(\.cn)?$/.test(url.hostname);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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

/** Takes the custom-resource request out of a verified notification's Message; INVALID_INPUT when it is not one. */
function parseCustomResourceRequest(message: string, topicArn: string): CustomResourceRequest {
  let payload: unknown;
  try {
    payload = JSON.parse(message);
  } catch {
    throw new TrustgateError('INVALID_INPUT', 'The SNS message is not JSON.', { field: 'Message' });
  }
  if (!isObject(payload)) throw new TrustgateError('INVALID_INPUT', 'Expected a CloudFormation custom-resource request.');
  for (const key of ['RequestType', 'ResponseURL', 'StackId', 'RequestId', 'LogicalResourceId'] as const) {
    if (typeof payload[key] !== 'string') throw new TrustgateError('INVALID_INPUT', `The custom-resource request lacks ${key}.`, { field: key });
  }
  if (!['Create', 'Update', 'Delete'].includes(payload.RequestType as string)) throw new TrustgateError('INVALID_INPUT', 'Unknown RequestType.', { field: 'RequestType' });
  if (!isObject(payload.ResourceProperties)) throw new TrustgateError('INVALID_INPUT', 'The custom-resource request lacks ResourceProperties.', { field: 'ResourceProperties' });
  // CloudFormation names the topic it published to; a request relayed from another topic is refused.
  if (payload.ServiceToken !== undefined && payload.ServiceToken !== topicArn) throw new TrustgateError('FORBIDDEN', 'The request\'s ServiceToken is not the topic it arrived from.', { field: 'ServiceToken' });
  return payload as unknown as CustomResourceRequest;
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
  if (message.Type === 'SubscriptionConfirmation') return { kind: 'subscription-confirmation', subscribeUrl: message.SubscribeURL ?? '', topicArn: message.TopicArn };
  if (message.Type === 'UnsubscribeConfirmation') return { kind: 'unsubscribe-confirmation', topicArn: message.TopicArn };
  return { kind: 'custom-resource', request: parseCustomResourceRequest(message.Message, message.TopicArn) };
}

/** The outcome the service answered CloudFormation with. */
export interface CallbackOutcome {
  status: 'SUCCESS' | 'FAILED';
  reason: string;
  connectionId?: string;
}

async function respond(fetchPort: FetchPort, request: CustomResourceRequest, outcome: CallbackOutcome): Promise<void> {
  const body = JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason.slice(0, 1000),
    PhysicalResourceId: request.PhysicalResourceId ?? `trustgate-${outcome.connectionId ?? request.RequestId}`,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    Data: { ConnectionId: outcome.connectionId ?? '' },
  });
  // A presigned S3 URL is signed without a content type: send an empty one (CloudFormation User Guide, cfn-response).
  const answer = await fetchPort(request.ResponseURL, { method: 'PUT', headers: { 'content-type': '' }, body });
  if (!answer.ok) throw new TrustgateError('AWS_ERROR', `CloudFormation's ResponseURL answered HTTP ${answer.status}.`);
}

async function decide(deps: ConnectionDeps, request: CustomResourceRequest): Promise<CallbackOutcome> {
  const props = request.ResourceProperties;
  const connectionId = typeof props.ConnectionId === 'string' ? props.ConnectionId : '';
  const token = typeof props.CallbackToken === 'string' ? props.CallbackToken : '';
  const connection = connectionId === '' ? undefined : await deps.store.connections.getAnyOrganization(connectionId);
  const tokenOk = connection !== undefined && callbackTokenMatches(deps.callbackSecret, connection.id, connection.callbackNonce, token);
  if (request.RequestType === 'Delete') {
    // Never block a stack's deletion; record it when the request is authentic.
    if (connection !== undefined && tokenOk) {
      await recordAudit(deps.store, { principal: null, organizationId: connection.organizationId, action: 'connection.callback-delete', connectionId: connection.id, details: { stackId: request.StackId } });
    }
    return { status: 'SUCCESS', reason: 'Nothing to undo.', ...(connection === undefined ? {} : { connectionId: connection.id }) };
  }
  const roleArn = typeof props.RoleArn === 'string' ? props.RoleArn : '';
  if (connection === undefined || !tokenOk) {
    const refused: CallbackOutcome = { status: 'FAILED', reason: 'The callback token is not valid for this connection (it is used once; download the current template).' };
    // Audited when the connection exists (the audit log is per organization); the token itself is never recorded.
    if (connection !== undefined) {
      await recordAudit(deps.store, {
        principal: null,
        organizationId: connection.organizationId,
        action: 'connection.callback',
        connectionId: connection.id,
        details: { requestType: request.RequestType, stackId: request.StackId, answer: refused.status, refusal: 'invalid-callback-token', roleArn },
      });
    }
    return refused;
  }
  let outcome: CallbackOutcome;
  try {
    const { role } = await verifyAndRecord(deps, connection, roleArn, { stackId: request.StackId });
    outcome = role.status === 'connected' ? { status: 'SUCCESS', reason: role.statusReason, connectionId: connection.id } : { status: 'FAILED', reason: `${role.status}: ${role.statusReason}`, connectionId: connection.id };
  } catch (error) {
    outcome = { status: 'FAILED', reason: error instanceof TrustgateError ? error.message : 'Verification failed unexpectedly.', connectionId: connection.id };
  }
  if (outcome.status === 'SUCCESS') {
    // One-time: the token dies with this use; templates rendered from now on carry a new one.
    const fresh = (await deps.store.connections.getAnyOrganization(connection.id)) ?? connection;
    await deps.store.connections.update({ ...fresh, callbackNonce: newCallbackNonce() });
  }
  await recordAudit(deps.store, {
    principal: null,
    organizationId: connection.organizationId,
    action: 'connection.callback',
    connectionId: connection.id,
    details: { requestType: request.RequestType, stackId: request.StackId, answer: outcome.status, roleArn },
  });
  return outcome;
}

/** Throws INVALID_INPUT unless the request's ResponseURL is on the allow-list (the service never PUTs to arbitrary URLs). */
export function assertAllowedResponseUrl(deps: ConnectionDeps, request: CustomResourceRequest): void {
  let responseUrl: URL;
  try {
    responseUrl = new URL(request.ResponseURL);
  } catch {
    throw new TrustgateError('INVALID_INPUT', 'ResponseURL is not a URL.', { field: 'ResponseURL' });
  }
  if (!(deps.isAllowedResponseUrl ?? isAwsUrl)(responseUrl)) {
    throw new TrustgateError('INVALID_INPUT', 'ResponseURL is not an AWS URL this service answers.', { field: 'ResponseURL' });
  }
}

/**
 * How long a delivery's claim on a request stands without an answer before another delivery may decide it (the
 * deciding instance stopped): well beyond verification's bounded retries, well within CloudFormation's hour.
 */
export const CALLBACK_CLAIM_LEASE_MS = 10 * 60_000;

/**
 * Handles the automatic-mode callback: checks the ResponseURL against the allow-list (the service never PUTs
 * to arbitrary URLs), verifies the role as manual verification does, and only then answers CloudFormation —
 * SUCCESS after verification passed; FAILED with the reason for an invalid token, an account outside the
 * scope, a role that cannot be assumed, an insecure trust policy or missing actions — so the customer's stack
 * fails visibly instead of looking done. Delete requests always answer SUCCESS.
 *
 * Idempotent per custom-resource request (StackId + RequestId + LogicalResourceId): SNS delivers at least once,
 * and a second copy must not be decided again (the one-time token is spent by then, so it would answer FAILED
 * over the SUCCESS — on AWS, overwriting the response object). The first delivery claims the request in the
 * store (a unique key, so one instance of several wins), decides, stores the outcome and PUTs it; a repeat
 * re-sends the stored outcome without verifying; a repeat while the first is still deciding does nothing and
 * resolves to undefined.
 */
export async function handleCallback(deps: ConnectionDeps, request: CustomResourceRequest, fetchPort: FetchPort): Promise<CallbackOutcome | undefined> {
  assertAllowedResponseUrl(deps, request);
  const key = { stackId: request.StackId, requestId: request.RequestId, logicalResourceId: request.LogicalResourceId };
  const holder = randomUUID();
  const claim = await deps.store.callbackRequests.claim(key, { requestType: request.RequestType, holder, leaseMs: CALLBACK_CLAIM_LEASE_MS });
  if (claim.kind === 'deciding') return undefined;
  let outcome: CallbackOutcome;
  if (claim.kind === 'answered') {
    outcome = fromStored(claim.outcome);
  } else {
    let decided: CallbackOutcome;
    try {
      decided = await decide(deps, request);
    } catch (error) {
      await deps.store.callbackRequests.release(key, holder).catch(() => undefined);
      throw error;
    }
    outcome = fromStored(await deps.store.callbackRequests.answer(key, { status: decided.status, reason: decided.reason, connectionId: decided.connectionId ?? null }));
  }
  await respond(fetchPort, request, outcome);
  return outcome;
}

function fromStored(stored: { status: 'SUCCESS' | 'FAILED'; reason: string; connectionId: string | null }): CallbackOutcome {
  return { status: stored.status, reason: stored.reason, ...(stored.connectionId === null ? {} : { connectionId: stored.connectionId }) };
}

/**
 * Confirms an SNS subscription by fetching its SubscribeURL, when the URL is on the allow-list. Call it only with
 * the SubscribeURL of a verified SubscriptionConfirmation ({@link readCallbackBody}).
 */
export async function confirmSubscription(deps: ConnectionDeps, subscribeUrl: string, fetchPort: FetchPort): Promise<void> {
  let url: URL;
  try {
    url = new URL(subscribeUrl);
  } catch {
    throw new TrustgateError('INVALID_INPUT', 'SubscribeURL is not a URL.', { field: 'SubscribeURL' });
  }
  if (!(deps.isAllowedResponseUrl ?? isAwsUrl)(url)) throw new TrustgateError('INVALID_INPUT', 'SubscribeURL is not an AWS URL.', { field: 'SubscribeURL' });
  const answer = await fetchPort(subscribeUrl, { method: 'GET' });
  // Not confirmed: say so (502), so SNS retries the confirmation and the failure is visible.
  if (!answer.ok) throw new TrustgateError('AWS_ERROR', `SNS answered the SubscribeURL with HTTP ${answer.status}; the subscription is not confirmed.`, { field: 'SubscribeURL' });
}
