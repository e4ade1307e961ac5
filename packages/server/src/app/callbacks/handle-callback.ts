import { createHash, randomUUID } from 'node:crypto';
import { parseRoleArn, TrustgateError } from '@trustgate/core';
import { callbackTokenMatches, newCallbackNonce } from '../../auth/callback-token.ts';
import type { ConnectionDeps } from '../deps.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { verifyAndRecord } from '../connections/verify-connection.ts';
import { createSnsMessageVerifier, type SnsMessageVerifier } from '../../aws/verify-sns-message.ts';

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
export type FetchPort = (url: string, init: { method: string; headers?: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number }>;

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

/** The most UTF-8 bytes each key field of a request may have (together well under PostgreSQL's 2704-byte index row). */
const KEY_FIELD_LIMITS = [['StackId', 1024], ['RequestId', 256], ['LogicalResourceId', 255]] as const;

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
  // The key fields go into the claim's primary key: bounded (PostgreSQL's btree refuses an index row over 2704
  // bytes) and without control characters (PostgreSQL refuses NUL in text). Real ones are ARNs and IDs, far shorter.
  for (const [key, maxBytes] of KEY_FIELD_LIMITS) {
    const value = payload[key] as string;
    if (value === '' || Buffer.byteLength(value, 'utf8') > maxBytes) throw new TrustgateError('INVALID_INPUT', `The custom-resource request's ${key} is empty or longer than ${maxBytes} bytes.`, { field: key });
    if (/\p{Cc}/u.test(value)) throw new TrustgateError('INVALID_INPUT', `The custom-resource request's ${key} contains control characters.`, { field: key });
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

/**
 * How the answer is PUT to CloudFormation's ResponseURL: up to `attempts` tries (default 5), waiting
 * `firstDelayMs` (default 1 s) after the first failure and twice as long after each next one (with jitter),
 * starting no attempt past `deadlineMs` (default 60 s) after the first. 5xx, 429 and network errors (including
 * the fetch port's timeout) are retried, as AWS's SDKs retry S3; any other 4xx is final.
 */
export interface ResponseRetryOptions {
  attempts?: number;
  firstDelayMs?: number;
  deadlineMs?: number;
  /** Aborts the PUT in flight (passed to the fetch port) and any further attempt (e.g. the service is stopping). */
  signal?: AbortSignal;
}

/** The ResponseURL without its query string (a presigned URL's signature): what may appear in a log. */
export function loggableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/** What went wrong with one fetch, without the URL it was for (an error message may quote it). */
function describeFetchFailure(error: unknown, url: string): string {
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${(error.cause as Error & { code?: string }).code ?? error.cause.message})` : '';
  const text = error instanceof Error ? `${error.name}: ${error.message}${cause}` : 'unknown error';
  return text.split(url).join(loggableUrl(url)).slice(0, 300);
}

/** The response object CloudFormation expects at the ResponseURL (CloudFormation User Guide, "Custom resource response objects"). */
function responseBody(request: CustomResourceRequest, outcome: CallbackOutcome): string {
  return JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason.slice(0, 1000),
    PhysicalResourceId: request.PhysicalResourceId ?? `trustgate-${outcome.connectionId ?? request.RequestId}`,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
    Data: { ConnectionId: outcome.connectionId ?? '' },
  });
}

/**
 * PUTs `body` to a ResponseURL, retried as {@link ResponseRetryOptions} says; throws AWS_ERROR (naming the last
 * failure, never the URL's query string) when no attempt succeeded.
 */
export async function putResponse(fetchPort: FetchPort, responseUrl: string, body: string, retry: ResponseRetryOptions = {}): Promise<void> {
  const attempts = Math.max(1, retry.attempts ?? 5);
  const deadline = Date.now() + (retry.deadlineMs ?? 60_000);
  let delay = retry.firstDelayMs ?? 1_000;
  let problem = '';
  let refused = false;
  const signal = retry.signal;
  const aborted = (): boolean => signal?.aborted === true;
  for (let attempt = 1; ; attempt++) {
    try {
      // A presigned S3 URL is signed without a content type: send an empty one (CloudFormation User Guide, cfn-response).
      const answer = await fetchPort(responseUrl, { method: 'PUT', headers: { 'content-type': '' }, body, ...(signal === undefined ? {} : { signal }) });
      if (answer.ok) return;
      problem = `HTTP ${answer.status}`;
      refused = answer.status < 500 && answer.status !== 429;
      if (refused) break; // refused (e.g. an expired URL): trying again cannot help
    } catch (error) {
      problem = describeFetchFailure(error, responseUrl);
    }
    const wait = delay * (0.5 + Math.random() / 2);
    if (attempt >= attempts || Date.now() + wait > deadline || aborted()) break;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, wait);
      signal?.addEventListener('abort', done, { once: true });
    });
    if (aborted()) break;
    delay *= 2;
  }
  throw new TrustgateError('AWS_ERROR', `CloudFormation's ResponseURL was not answered: ${problem}.`, { details: { lastFailure: problem, refused } });
}

/** Whether {@link putResponse} failed because the ResponseURL refused the answer for good (a 4xx other than 429). */
export function responseRefused(error: unknown): boolean {
  return error instanceof TrustgateError && error.details?.refused === true;
}

/** Recorded instead of a RoleArn / StackId that is not one (the request's text never reaches the audit log). */
export const NOT_AN_ARN = '(not an ARN of that kind)';

/** A CloudFormation stack ARN: `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>` (names: 128 characters, a letter first). */
const STACK_ARN = /^arn:aws(?:-cn|-us-gov|-iso|-iso-b)?:cloudformation:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]{0,127}\/[A-Za-z0-9-]{1,64}$/;

/** The request's StackId when it is a CloudFormation stack ARN, else {@link NOT_AN_ARN}: what audit details may carry. */
export function auditableStackId(stackId: unknown): string {
  return typeof stackId === 'string' && stackId.length <= 300 && STACK_ARN.test(stackId) ? stackId : NOT_AN_ARN;
}

/** The request's RoleArn when it parses as an IAM role ARN (core's parseRoleArn), else {@link NOT_AN_ARN}. */
export function auditableRoleArn(roleArn: unknown): string {
  return typeof roleArn === 'string' && roleArn.length <= 2048 && parseRoleArn(roleArn).ok ? roleArn : NOT_AN_ARN;
}

/**
 * At most this many refused callbacks (invalid token) are audited per connection and hour: anyone who knows a
 * connection ID can make its stack-less refusals, and each would otherwise add an event to the owner's log.
 */
export const REFUSALS_AUDITED_PER_HOUR = 20;

async function refusalAuditAllowed(deps: ConnectionDeps, organizationId: string, connectionId: string): Promise<boolean> {
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const recent = await deps.store.audit.list({ organizationId, connectionId, limit: 200 });
  return recent.filter((e) => e.at >= since && e.action === 'connection.callback' && e.details.refusal === 'invalid-callback-token').length < REFUSALS_AUDITED_PER_HOUR;
}

/** Runs bookkeeping that must not change an answer already decided; a failure goes to the operator's log. */
async function afterDecision(deps: ConnectionDeps, what: string, request: CustomResourceRequest, work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.log?.warn({ err: error, stackId: auditableStackId(request.StackId), requestId: request.RequestId }, `callback: ${what} failed; the answer stands`);
  }
}

async function decide(deps: ConnectionDeps, request: CustomResourceRequest): Promise<CallbackOutcome> {
  const props = request.ResourceProperties;
  const connectionId = typeof props.ConnectionId === 'string' ? props.ConnectionId : '';
  const token = typeof props.CallbackToken === 'string' ? props.CallbackToken : '';
  const connection = connectionId === '' ? undefined : await deps.store.connections.getAnyOrganization(connectionId);
  const tokenOk = connection !== undefined && callbackTokenMatches(deps.callbackSecret, connection.id, connection.callbackNonce, token);
  const stackId = auditableStackId(request.StackId);
  if (request.RequestType === 'Delete') {
    // Never block a stack's deletion; record it when the request is authentic.
    if (connection !== undefined && tokenOk) {
      await afterDecision(deps, 'the audit', request, () => recordAudit(deps.store, { principal: null, organizationId: connection.organizationId, action: 'connection.callback-delete', connectionId: connection.id, details: { stackId } }));
    }
    return { status: 'SUCCESS', reason: 'Nothing to undo.', ...(connection === undefined ? {} : { connectionId: connection.id }) };
  }
  const roleArn = typeof props.RoleArn === 'string' ? props.RoleArn : '';
  if (connection === undefined || !tokenOk) {
    const refused: CallbackOutcome = { status: 'FAILED', reason: 'The callback token is not valid for this connection (it is used once; download the current template).' };
    // Audited when the connection exists (the audit log is per organization), capped per hour; the token itself is
    // never recorded, nor the request's free text: only a RoleArn / StackId that parse as such.
    if (connection !== undefined) {
      await afterDecision(deps, 'the audit', request, async () => {
        if (!(await refusalAuditAllowed(deps, connection.organizationId, connection.id))) return;
        await recordAudit(deps.store, {
          principal: null,
          organizationId: connection.organizationId,
          action: 'connection.callback',
          connectionId: connection.id,
          details: { requestType: request.RequestType, stackId, answer: refused.status, refusal: 'invalid-callback-token', roleArn: auditableRoleArn(roleArn) },
        });
      });
    }
    return refused;
  }
  let outcome: CallbackOutcome;
  try {
    const { role } = await verifyAndRecord(deps, connection, roleArn, stackId === NOT_AN_ARN ? {} : { stackId });
    outcome = role.status === 'connected' ? { status: 'SUCCESS', reason: role.statusReason, connectionId: connection.id } : { status: 'FAILED', reason: `${role.status}: ${role.statusReason}`, connectionId: connection.id };
  } catch (error) {
    outcome = { status: 'FAILED', reason: error instanceof TrustgateError ? error.message : 'Verification failed unexpectedly.', connectionId: connection.id };
  }
  // The verification is recorded: from here on, a failure is logged and the answer stays the one that matches it.
  if (outcome.status === 'SUCCESS') {
    // One-time: the token dies with this use; templates rendered from now on carry a new one.
    await afterDecision(deps, 'spending the callback token', request, async () => {
      const fresh = (await deps.store.connections.getAnyOrganization(connection.id)) ?? connection;
      await deps.store.connections.update({ ...fresh, callbackNonce: newCallbackNonce() });
    });
  }
  await afterDecision(deps, 'the audit', request, () => recordAudit(deps.store, {
    principal: null,
    organizationId: connection.organizationId,
    action: 'connection.callback',
    connectionId: connection.id,
    details: { requestType: request.RequestType, stackId, answer: outcome.status, roleArn: auditableRoleArn(roleArn) },
  }));
  return outcome;
}

/** {@link decide}, never throwing: a failure before the verification is recorded answers FAILED (and is logged). */
async function decideOrFail(deps: ConnectionDeps, request: CustomResourceRequest): Promise<CallbackOutcome> {
  try {
    return await decide(deps, request);
  } catch (error) {
    deps.log?.warn({ err: error, stackId: auditableStackId(request.StackId), requestId: request.RequestId }, 'callback: the request could not be decided; answering FAILED');
    return { status: 'FAILED', reason: 'trustgate could not decide this request (an internal error); update or re-create the stack to try again.' };
  }
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

/** Canonical JSON (object keys sorted) of a value: the same request gives the same text however it was serialized. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** SHA-256 (hex) of the request's canonical JSON: what ties an idempotency key to one request body. */
export function requestDigest(request: CustomResourceRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

/**
 * The answer a claim keeps ready for when its decider stops before answering: FAILED (the stack can retry), except
 * for a Delete, which is never blocked (as {@link decide} answers it).
 */
export function stoppedWhileDeciding(request: CustomResourceRequest): CallbackOutcome {
  return request.RequestType === 'Delete'
    ? { status: 'SUCCESS', reason: 'Nothing to undo.' }
    : { status: 'FAILED', reason: 'trustgate stopped while deciding; update or re-create the stack to retry.' };
}

/**
 * How long after an answer is stored its decider may still be PUTting it (the retries' 60 s deadline plus one
 * fetch's 30 s timeout, with a margin): the re-sender leaves younger answers to it.
 */
export const IN_PROCESS_RETRY_WINDOW_MS = 2 * 60_000;

/** Options of {@link handleCallback}. */
export interface HandleCallbackOptions {
  /** How the ResponseURL PUT is retried (default: 5 attempts within about a minute). */
  responseRetry?: ResponseRetryOptions;
}

/**
 * Handles the automatic-mode callback: checks the ResponseURL against the allow-list (the service never PUTs
 * to arbitrary URLs), verifies the role as manual verification does, and only then answers CloudFormation —
 * SUCCESS after verification passed; FAILED with the reason for an invalid token, an account outside the
 * scope, a role that cannot be assumed, an insecure trust policy or missing actions — so the customer's stack
 * fails visibly instead of looking done. Delete requests always answer SUCCESS.
 *
 * Idempotent per custom-resource request (StackId + RequestId + LogicalResourceId, tied to the request body by
 * its SHA-256): SNS delivers at least once, and a second copy must not be decided again (the one-time token is
 * spent by then, so it would answer FAILED over the SUCCESS — on AWS, overwriting the response object). The first
 * delivery claims the request in the store (a unique key, so one instance of several wins), decides, stores the
 * outcome and PUTs it; a repeat re-sends the stored outcome without verifying; a repeat while the first is still
 * deciding does nothing. Another body under a known key is refused (CONFLICT) and nothing is PUT.
 *
 * The claim is made before this resolves (so the route can refuse a conflicting body with 409); `finished` then
 * decides and answers. SNS has been answered by then and never delivers again, so nothing is dropped: an error
 * while deciding answers FAILED, and the PUT is retried ({@link ResponseRetryOptions}); when every attempt
 * failed, the row stays undelivered, the operator's log says so (without the URL's query string) and `finished`
 * rejects with AWS_ERROR.
 */
export async function startCallback(deps: ConnectionDeps, request: CustomResourceRequest, fetchPort: FetchPort, options: HandleCallbackOptions = {}): Promise<{ finished: Promise<CallbackOutcome | undefined> }> {
  assertAllowedResponseUrl(deps, request);
  const key = { stackId: request.StackId, requestId: request.RequestId, logicalResourceId: request.LogicalResourceId };
  const holder = randomUUID();
  // The claim keeps the ResponseURL and a ready answer: should this instance stop before answering, the re-sender
  // answers it once the lease ran out (SNS, answered 202, never delivers it again).
  const fallback = { responseUrl: request.ResponseURL, responseBody: responseBody(request, stoppedWhileDeciding(request)) };
  const claim = await deps.store.callbackRequests.claim(key, { requestType: request.RequestType, digest: requestDigest(request), holder, leaseMs: CALLBACK_CLAIM_LEASE_MS, fallback });
  if (claim.kind === 'mismatch') throw new TrustgateError('CONFLICT', 'Another custom-resource request with this StackId, RequestId and LogicalResourceId was received; this one is refused.', { field: 'RequestId' });
  if (claim.kind === 'deciding') return { finished: Promise.resolve(undefined) };
  const finished = (async (): Promise<CallbackOutcome | undefined> => {
    let outcome: CallbackOutcome;
    if (claim.kind === 'answered') {
      outcome = fromStored(claim.outcome);
    } else {
      const decided = await decideOrFail(deps, request);
      let stood: StoredOutcome | undefined;
      try {
        // Stored with what re-sending it needs, in one write: from here on the answer cannot be lost.
        const delivery = { responseUrl: request.ResponseURL, responseBody: responseBody(request, decided) };
        stood = await deps.store.callbackRequests.answer(key, { status: decided.status, reason: decided.reason, connectionId: decided.connectionId ?? null }, { holder, delivery });
      } catch (error) {
        // Not stored: answer CloudFormation all the same (a repeat after the lease decides again).
        deps.log?.warn({ err: error, stackId: auditableStackId(request.StackId), requestId: request.RequestId }, 'callback: the answer could not be stored; sending it anyway');
        stood = { status: decided.status, reason: decided.reason, connectionId: decided.connectionId ?? null };
      }
      // Our lease was taken over and the taker has not answered yet: it answers, we must not.
      if (stood === undefined) return undefined;
      outcome = fromStored(stood);
    }
    const body = responseBody(request, outcome);
    try {
      await putResponse(fetchPort, request.ResponseURL, body, options.responseRetry);
    } catch (error) {
      // The answer and its URL were stored with it (see above): resendUndeliveredAnswers re-sends it — unless the URL
      // refused it for good (e.g. expired): then it is given up now and the URL forgotten.
      if (responseRefused(error)) {
        await deps.store.callbackRequests.giveUp(key).catch((storeError: unknown) => deps.log?.warn({ err: storeError, stackId: auditableStackId(request.StackId), requestId: request.RequestId }, 'callback: a refused answer could not be given up'));
      }
      deps.log?.warn(
        { stackId: auditableStackId(request.StackId), requestId: request.RequestId, logicalResourceId: request.LogicalResourceId, responseUrl: loggableUrl(request.ResponseURL), answer: outcome.status, failure: error instanceof Error ? error.message : 'unknown' },
        'callback: the answer could not be delivered to CloudFormation; it stays stored as undelivered for the re-sender',
      );
      throw error;
    }
    try {
      await deps.store.callbackRequests.delivered(key);
    } catch (error) {
      // Not marked: the re-sender PUTs the same answer again later (harmless), and the URL stays until then.
      deps.log?.warn({ err: error, stackId: auditableStackId(request.StackId), requestId: request.RequestId }, 'callback: the answer was delivered but could not be marked so');
    }
    return outcome;
  })();
  return { finished };
}

/** {@link startCallback}, then its outcome: resolves to undefined when another delivery is deciding the request. */
export async function handleCallback(deps: ConnectionDeps, request: CustomResourceRequest, fetchPort: FetchPort, options: HandleCallbackOptions = {}): Promise<CallbackOutcome | undefined> {
  return (await startCallback(deps, request, fetchPort, options)).finished;
}

type StoredOutcome = { status: 'SUCCESS' | 'FAILED'; reason: string; connectionId: string | null };

function fromStored(stored: StoredOutcome): CallbackOutcome {
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
  let answer: { ok: boolean; status: number };
  try {
    answer = await fetchPort(subscribeUrl, { method: 'GET' });
  } catch (error) {
    // Unreachable or timed out: SNS's side failed, not trustgate (502, so SNS retries the confirmation).
    throw new TrustgateError('AWS_ERROR', `SNS's SubscribeURL could not be reached (${describeFetchFailure(error, subscribeUrl)}); the subscription is not confirmed.`, { field: 'SubscribeURL', cause: error });
  }
  // Not confirmed: say so (502), so SNS retries the confirmation and the failure is visible.
  if (!answer.ok) throw new TrustgateError('AWS_ERROR', `SNS answered the SubscribeURL with HTTP ${answer.status}; the subscription is not confirmed.`, { field: 'SubscribeURL' });
}
