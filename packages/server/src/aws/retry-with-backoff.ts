/** Options for {@link retryWithBackoff}. */
export interface RetryOptions {
  /** Give up when the waits so far plus the next one would pass this many milliseconds. Default 30,000. */
  maxWaitMs?: number;
  /** First wait; doubled each attempt up to `maxDelayMs`. Default 500. */
  baseDelayMs?: number;
  /** Default 5,000. */
  maxDelayMs?: number;
  /** At most this many attempts in all. Default unbounded (the time budget decides). */
  maxAttempts?: number;
  /**
   * Start no attempt later than this many milliseconds (wall clock) after the first began, however long the
   * attempts themselves took. Default none.
   */
  deadlineMs?: number;
  /** Wait a random 50–100 % of each delay ("equal jitter"), so many callers do not retry in step. Default false. */
  jitter?: boolean;
  /** Aborting it ends the wait in progress and any further attempt; the last error is returned. */
  signal?: AbortSignal;
  /** Called before each wait, so the caller can say it is waiting (and why). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void | Promise<void>;
  /** Injectable sleep (tests). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** The outcome of {@link retryWithBackoff}: the value or the last error, and how many attempts it took. */
export type RetryResult<T> = { ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number };

/** Resolves after `ms`, or at once when `signal` is aborted. */
function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, or the budget (time, attempts, deadline) is
 * spent; waits with exponential backoff (base, 2x, 4x, ... capped), optionally jittered, between attempts.
 * Built for AWS: a role created seconds ago may not be assumable yet (IAM User Guide, "Changes that I make are
 * not always immediately visible"), and throttled or failed calls are retried with backoff and jitter (AWS SDKs
 * and Tools Reference Guide, "Retry behavior").
 */
export async function retryWithBackoff<T>(
  attempt: () => Promise<T>,
  isRetryable: (error: unknown) => boolean,
  options: RetryOptions = {},
): Promise<RetryResult<T>> {
  const maxWait = options.maxWaitMs ?? 30_000;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  const deadline = options.deadlineMs === undefined ? undefined : Date.now() + options.deadlineMs;
  const sleep = options.sleep ?? abortableSleep;
  const aborted = (): boolean => options.signal?.aborted === true;
  let delay = options.baseDelayMs ?? 500;
  let waited = 0;
  for (let attempts = 1; ; attempts++) {
    try {
      return { ok: true, value: await attempt(), attempts };
    } catch (error) {
      const wait = options.jitter === true ? delay * (0.5 + Math.random() / 2) : delay;
      const spent =
        attempts >= maxAttempts || waited + wait > maxWait || (deadline !== undefined && Date.now() + wait > deadline);
      if (!isRetryable(error) || spent || aborted()) return { ok: false, error, attempts };
      await options.onRetry?.({ attempt: attempts, delayMs: wait, error });
      await sleep(wait, options.signal);
      if (aborted()) return { ok: false, error, attempts };
      waited += wait;
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
