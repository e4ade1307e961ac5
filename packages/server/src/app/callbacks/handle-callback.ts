import { randomUUID } from 'node:crypto';
import { TrustgateError } from '@trustgate/core';
import { putResponse, responseRefused, type ResponseRetryOptions } from '../../aws/answer-cloudformation.ts';
import { loggableUrl, type FetchPort } from '../../aws/fetch-port.ts';
import type { ConnectionDeps } from '../deps.ts';
import { assertAllowedResponseUrl } from './allowed-urls.ts';
import { auditableStackId } from './auditable-fields.ts';
import {
  requestDigest,
  responseBody,
  stoppedWhileDeciding,
  type CallbackOutcome,
  type CustomResourceRequest,
} from './custom-resource-request.ts';
import { decideOrFail } from './decide-callback.ts';

/**
 * How long a delivery's claim on a request stands without an answer before another delivery may decide it (the
 * deciding instance stopped): well beyond verification's bounded retries, well within CloudFormation's hour.
 */
export const CALLBACK_CLAIM_LEASE_MS = 10 * 60_000;

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
export async function startCallback(
  deps: ConnectionDeps,
  request: CustomResourceRequest,
  fetchPort: FetchPort,
  options: HandleCallbackOptions = {},
): Promise<{ finished: Promise<CallbackOutcome | undefined> }> {
  assertAllowedResponseUrl(deps, request);
  const key = { stackId: request.StackId, requestId: request.RequestId, logicalResourceId: request.LogicalResourceId };
  const holder = randomUUID();
  // The claim keeps the ResponseURL and a ready answer: should this instance stop before answering, the re-sender
  // answers it once the lease ran out (SNS, answered 202, never delivers it again).
  const fallback = {
    responseUrl: request.ResponseURL,
    responseBody: responseBody(request, stoppedWhileDeciding(request)),
  };
  const claim = await deps.store.callbackRequests.claim(key, {
    requestType: request.RequestType,
    digest: requestDigest(request),
    holder,
    leaseMs: CALLBACK_CLAIM_LEASE_MS,
    fallback,
  });
  if (claim.kind === 'mismatch')
    throw new TrustgateError(
      'CONFLICT',
      'Another custom-resource request with this StackId, RequestId and LogicalResourceId was received; this one is refused.',
      { field: 'RequestId' },
    );
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
        stood = await deps.store.callbackRequests.answer(
          key,
          { status: decided.status, reason: decided.reason, connectionId: decided.connectionId ?? null },
          { holder, delivery },
        );
      } catch (error) {
        // Not stored: answer CloudFormation all the same (a repeat after the lease decides again).
        deps.log?.warn(
          { err: error, stackId: auditableStackId(request.StackId), requestId: request.RequestId },
          'callback: the answer could not be stored; sending it anyway',
        );
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
        await deps.store.callbackRequests
          .giveUp(key)
          .catch((storeError: unknown) =>
            deps.log?.warn(
              { err: storeError, stackId: auditableStackId(request.StackId), requestId: request.RequestId },
              'callback: a refused answer could not be given up',
            ),
          );
      }
      deps.log?.warn(
        {
          stackId: auditableStackId(request.StackId),
          requestId: request.RequestId,
          logicalResourceId: request.LogicalResourceId,
          responseUrl: loggableUrl(request.ResponseURL),
          answer: outcome.status,
          failure: error instanceof Error ? error.message : 'unknown',
        },
        'callback: the answer could not be delivered to CloudFormation; it stays stored as undelivered for the re-sender',
      );
      throw error;
    }
    try {
      await deps.store.callbackRequests.delivered(key);
    } catch (error) {
      // Not marked: the re-sender PUTs the same answer again later (harmless), and the URL stays until then.
      deps.log?.warn(
        { err: error, stackId: auditableStackId(request.StackId), requestId: request.RequestId },
        'callback: the answer was delivered but could not be marked so',
      );
    }
    return outcome;
  })();
  return { finished };
}

/** {@link startCallback}, then its outcome: resolves to undefined when another delivery is deciding the request. */
export async function handleCallback(
  deps: ConnectionDeps,
  request: CustomResourceRequest,
  fetchPort: FetchPort,
  options: HandleCallbackOptions = {},
): Promise<CallbackOutcome | undefined> {
  return (await startCallback(deps, request, fetchPort, options)).finished;
}

type StoredOutcome = { status: 'SUCCESS' | 'FAILED'; reason: string; connectionId: string | null };

function fromStored(stored: StoredOutcome): CallbackOutcome {
  return {
    status: stored.status,
    reason: stored.reason,
    ...(stored.connectionId === null ? {} : { connectionId: stored.connectionId }),
  };
}
