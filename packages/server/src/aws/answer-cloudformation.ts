import { TrustgateError } from '@trustgate/core';
import { describeFetchFailure, type FetchPort } from './fetch-port.ts';
import { retryWithBackoff } from './retry-with-backoff.ts';

/**
 * How an answer is PUT to CloudFormation's ResponseURL: up to `attempts` tries (default 5), waiting
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

/** One failed PUT: what happened (without the URL's query string), and whether the URL refused it for good. */
class PutFailure extends Error {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
  }
}

/**
 * PUTs a custom-resource response object to its ResponseURL (CloudFormation User Guide, "Custom resource
 * response objects"), retried with {@link retryWithBackoff} as {@link ResponseRetryOptions} says; throws
 * AWS_ERROR (naming the last failure, never the URL's query string; `details.refused` when the URL refused it
 * for good) when no attempt succeeded.
 */
export async function putResponse(
  fetchPort: FetchPort,
  responseUrl: string,
  body: string,
  retry: ResponseRetryOptions = {},
): Promise<void> {
  const signal = retry.signal;
  const result = await retryWithBackoff(
    async () => {
      let answer: { ok: boolean; status: number };
      try {
        // A presigned S3 URL is signed without a content type: send an empty one (CloudFormation User Guide, cfn-response).
        answer = await fetchPort(responseUrl, {
          method: 'PUT',
          headers: { 'content-type': '' },
          body,
          ...(signal === undefined ? {} : { signal }),
        });
      } catch (error) {
        throw new PutFailure(describeFetchFailure(error, responseUrl), false);
      }
      // Refused (e.g. an expired URL): trying again cannot help.
      if (!answer.ok) throw new PutFailure(`HTTP ${answer.status}`, answer.status < 500 && answer.status !== 429);
    },
    (error) => error instanceof PutFailure && !error.refused,
    {
      maxAttempts: Math.max(1, retry.attempts ?? 5),
      deadlineMs: retry.deadlineMs ?? 60_000,
      baseDelayMs: retry.firstDelayMs ?? 1_000,
      maxDelayMs: Number.POSITIVE_INFINITY,
      maxWaitMs: Number.POSITIVE_INFINITY,
      jitter: true,
      ...(signal === undefined ? {} : { signal }),
    },
  );
  if (result.ok) return;
  const failure = result.error instanceof PutFailure ? result.error : new PutFailure('unknown error', false);
  throw new TrustgateError('AWS_ERROR', `CloudFormation's ResponseURL was not answered: ${failure.message}.`, {
    details: { lastFailure: failure.message, refused: failure.refused },
  });
}

/** Whether {@link putResponse} failed because the ResponseURL refused the answer for good (a 4xx other than 429). */
export function responseRefused(error: unknown): boolean {
  return error instanceof TrustgateError && error.details?.refused === true;
}
