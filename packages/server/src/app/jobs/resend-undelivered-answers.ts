import { randomUUID } from 'node:crypto';
import type { ConnectionDeps } from '../deps.ts';
import { putResponse, responseRefused } from '../../aws/answer-cloudformation.ts';
import { loggableUrl, type FetchPort } from '../../aws/fetch-port.ts';
import { auditableStackId } from '../callbacks/auditable-fields.ts';
import { CALLBACK_CLAIM_LEASE_MS, IN_PROCESS_RETRY_WINDOW_MS } from '../callbacks/handle-callback.ts';
import type { CallbackRequestKey, StoredCallbackOutcome } from '../../store/callback-requests-repository.ts';

/**
 * How long CloudFormation waits for a custom resource's answer: ServiceTimeout's default and maximum, one hour
 * (CloudFormation User Guide, "AWS::CloudFormation::CustomResource", ServiceTimeout). An answer undelivered for
 * longer is given up: the stack has failed by then.
 */
export const CUSTOM_RESOURCE_WAIT_MS = 3_600_000;

/** How often the re-sender started by {@link startAnswerResender} looks for undelivered answers by default. */
export const RESEND_INTERVAL_MS = 60_000;

/** What one pass of {@link resendUndeliveredAnswers} did. */
export interface ResendReport {
  delivered: number;
  failed: number;
  abandoned: number;
  /** Claims whose decider stopped before answering, answered here with their ready answer (delivered or not). */
  answeredForStoppedDeciders: number;
}

/** Options of {@link resendUndeliveredAnswers}. */
export interface ResendOptions {
  now?: Date;
  /** Aborts the pass: the PUT in flight, and the rows after it (left for the next pass). */
  signal?: AbortSignal;
  /** Answers younger than this are left to their decider's own retries (default {@link IN_PROCESS_RETRY_WINDOW_MS}). */
  retryWindowMs?: number;
}

/** The outcome a claim's ready response object carries (see handle-callback's stoppedWhileDeciding). */
function readyOutcome(responseBody: string): StoredCallbackOutcome {
  try {
    const parsed = JSON.parse(responseBody) as { Status?: unknown; Reason?: unknown };
    return {
      status: parsed.Status === 'SUCCESS' ? 'SUCCESS' : 'FAILED',
      reason: typeof parsed.Reason === 'string' ? parsed.Reason : '',
      connectionId: null,
    };
  } catch {
    return { status: 'FAILED', reason: '', connectionId: null };
  }
}

/**
 * Re-sends the callback answers whose PUT did not succeed (stored with their ResponseURL when answered), once each,
 * when answered longer ago than the decider's own retries last ({@link ResendOptions.retryWindowMs}); and answers
 * the claims whose decider stopped before answering (lease run out) with the ready answer stored at claim time —
 * FAILED, a Delete SUCCESS — taken with a compare-and-set, so exactly one pass or delivery answers each. SNS was
 * answered 202 and never delivers those requests again, so this is the only way their stacks still get an answer.
 * A delivered answer is marked and its presigned URL forgotten; one older than CloudFormation's wait is given up
 * (URL forgotten, logged). Several instances may re-send the same answer: the same object PUT twice is harmless.
 * Logs name the stack and request, never the URL's query string.
 */
export async function resendUndeliveredAnswers(
  deps: Pick<ConnectionDeps, 'store' | 'log'>,
  fetchPort: FetchPort,
  options: ResendOptions = {},
): Promise<ResendReport> {
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - CUSTOM_RESOURCE_WAIT_MS);
  const signal = options.signal === undefined ? {} : { signal: options.signal };
  const report: ResendReport = { delivered: 0, failed: 0, abandoned: 0, answeredForStoppedDeciders: 0 };
  /** One PUT of a stored answer: marked delivered, or left for a later pass, or — refused for good (e.g. the presigned URL expired) — given up, URL forgotten. */
  const deliver = async (
    key: CallbackRequestKey,
    responseUrl: string,
    responseBody: string,
  ): Promise<'delivered' | 'failed' | 'refused'> => {
    try {
      await putResponse(fetchPort, responseUrl, responseBody, { attempts: 1, ...signal });
      await deps.store.callbackRequests.delivered(key, now);
      report.delivered += 1;
      return 'delivered';
    } catch (error) {
      report.failed += 1;
      const refused = responseRefused(error);
      if (refused) await deps.store.callbackRequests.giveUp(key);
      deps.log?.warn(
        {
          stackId: auditableStackId(key.stackId),
          requestId: key.requestId,
          responseUrl: loggableUrl(responseUrl),
          failure: error instanceof Error ? error.message : 'unknown',
        },
        refused
          ? 'callback: an undelivered answer was refused by its ResponseURL; given up'
          : 'callback: re-sending an undelivered answer failed; trying again later',
      );
      return refused ? 'refused' : 'failed';
    }
  };
  for (const key of await deps.store.callbackRequests.abandonUndelivered(since)) {
    report.abandoned += 1;
    deps.log?.warn(
      { stackId: auditableStackId(key.stackId), requestId: key.requestId, logicalResourceId: key.logicalResourceId },
      'callback: an undelivered answer is given up (CloudFormation stopped waiting for it)',
    );
  }
  // Claims whose decider stopped before answering (lease run out): answered with their ready answer, by one pass only.
  const holder = `resender-${randomUUID()}`;
  for (const stale of await deps.store.callbackRequests.listAbandonedClaims({
    since,
    claimedBefore: new Date(now.getTime() - CALLBACK_CLAIM_LEASE_MS),
  })) {
    if (options.signal?.aborted === true) break;
    const key = { stackId: stale.stackId, requestId: stale.requestId, logicalResourceId: stale.logicalResourceId };
    if (
      !(await deps.store.callbackRequests.answerAbandonedClaim(key, stale, readyOutcome(stale.responseBody), {
        holder,
        now,
      }))
    )
      continue; // another pass or delivery took it
    report.answeredForStoppedDeciders += 1;
    deps.log?.warn(
      { stackId: auditableStackId(key.stackId), requestId: key.requestId, logicalResourceId: key.logicalResourceId },
      'callback: a request whose decider stopped before answering is answered with its ready answer',
    );
    // Not delivered: stored answered and undelivered (with its URL), so the passes after the retry window re-send it.
    await deliver(key, stale.responseUrl, stale.responseBody);
  }
  const answeredBefore = new Date(now.getTime() - (options.retryWindowMs ?? IN_PROCESS_RETRY_WINDOW_MS));
  for (const pending of await deps.store.callbackRequests.listUndelivered({ since, answeredBefore })) {
    if (options.signal?.aborted === true) break; // stopping: the rest waits for the next pass (of this or another instance)
    if (
      (await deliver(
        { stackId: pending.stackId, requestId: pending.requestId, logicalResourceId: pending.logicalResourceId },
        pending.responseUrl,
        pending.responseBody,
      )) === 'refused'
    )
      report.abandoned += 1;
  }
  return report;
}

/**
 * Runs {@link resendUndeliveredAnswers} every `intervalMs` (default {@link RESEND_INTERVAL_MS}) until stopped; a pass
 * that throws (the store unreachable) is reported to `onError` and the next pass runs as planned; a pass still
 * running when the next is due is not doubled; with several instances on one database, one of them runs each
 * period's pass (the store's `claimJobRun`, as scheduled re-verification does). The timer does not keep the process alive. `stop()` aborts the
 * running pass (its PUT in flight and the rows after it: they stay undelivered for the next pass) and resolves
 * once it has settled, so shutting down never waits for ResponseURLs that do not answer.
 */
export function startAnswerResender(
  deps: ConnectionDeps,
  fetchPort: FetchPort,
  options: { intervalMs?: number; retryWindowMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const stopping = new AbortController();
  const intervalMs = options.intervalMs ?? RESEND_INTERVAL_MS;
  const holder = `resender-${randomUUID()}`;
  const pass = async (): Promise<void> => {
    // A little under the interval, so one instance's tick arriving a few milliseconds early still claims its period.
    if (!(await deps.store.claimJobRun({ name: 'callback-resend', intervalMs: Math.floor(intervalMs * 0.9), holder })))
      return;
    await resendUndeliveredAnswers(deps, fetchPort, {
      signal: stopping.signal,
      ...(options.retryWindowMs === undefined ? {} : { retryWindowMs: options.retryWindowMs }),
    });
  };
  const timer = setInterval(() => {
    if (running !== undefined || stopping.signal.aborted) return; // the previous pass is still sending
    running = pass()
      .then(
        () => undefined,
        (error: unknown) => options.onError?.(error),
      )
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}
