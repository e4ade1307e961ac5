import type { ConnectionDeps } from './connection-deps.ts';
import { auditableStackId, loggableUrl, putResponse, type FetchPort } from './handle-callback.ts';

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
}

/**
 * Re-sends the callback answers whose every PUT failed (stored undelivered by the callback), once each: SNS was
 * answered 202 and never delivers those requests again, so this is the only way their stacks still get an answer.
 * A delivered answer is marked and its presigned URL forgotten; one older than CloudFormation's wait is given up
 * (URL forgotten, logged). Several instances may re-send the same answer: the same object PUT twice is harmless.
 * Logs name the stack and request, never the URL's query string.
 */
export async function resendUndeliveredAnswers(deps: ConnectionDeps, fetchPort: FetchPort, options: { now?: Date; signal?: AbortSignal } = {}): Promise<ResendReport> {
  const now = options.now ?? new Date();
  const since = new Date(now.getTime() - CUSTOM_RESOURCE_WAIT_MS);
  const report: ResendReport = { delivered: 0, failed: 0, abandoned: 0 };
  for (const key of await deps.store.callbackRequests.abandonUndelivered(since)) {
    report.abandoned += 1;
    deps.log?.warn({ stackId: auditableStackId(key.stackId), requestId: key.requestId, logicalResourceId: key.logicalResourceId }, 'callback: an undelivered answer is given up (CloudFormation stopped waiting for it)');
  }
  for (const pending of await deps.store.callbackRequests.listUndelivered({ since })) {
    if (options.signal?.aborted === true) break; // stopping: the rest waits for the next pass (of this or another instance)
    const key = { stackId: pending.stackId, requestId: pending.requestId, logicalResourceId: pending.logicalResourceId };
    try {
      await putResponse(fetchPort, pending.responseUrl, pending.responseBody, { attempts: 1, ...(options.signal === undefined ? {} : { signal: options.signal }) });
      await deps.store.callbackRequests.delivered(key, now);
      report.delivered += 1;
    } catch (error) {
      report.failed += 1;
      deps.log?.warn({ stackId: auditableStackId(key.stackId), requestId: key.requestId, responseUrl: loggableUrl(pending.responseUrl), failure: error instanceof Error ? error.message : 'unknown' }, 'callback: re-sending an undelivered answer failed; trying again later');
    }
  }
  return report;
}

/**
 * Runs {@link resendUndeliveredAnswers} every `intervalMs` (default {@link RESEND_INTERVAL_MS}) until stopped; a pass
 * that throws (the store unreachable) is reported to `onError` and the next pass runs as planned; a pass still
 * running when the next is due is not doubled. The timer does not keep the process alive. `stop()` aborts the
 * running pass (its PUT in flight and the rows after it: they stay undelivered for the next pass) and resolves
 * once it has settled, so shutting down never waits for ResponseURLs that do not answer.
 */
export function startAnswerResender(deps: ConnectionDeps, fetchPort: FetchPort, options: { intervalMs?: number; onError?: (error: unknown) => void } = {}): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const stopping = new AbortController();
  const timer = setInterval(() => {
    if (running !== undefined || stopping.signal.aborted) return; // the previous pass is still sending
    running = resendUndeliveredAnswers(deps, fetchPort, { signal: stopping.signal })
      .then(() => undefined, (error: unknown) => options.onError?.(error))
      .finally(() => {
        running = undefined;
      });
  }, options.intervalMs ?? RESEND_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await running;
    },
  };
}
