/** Options for {@link retryWithBackoff}. */
export interface RetryOptions {
  /** Give up when the next wait would pass this many milliseconds since the first attempt. Default 30,000. */
  maxWaitMs?: number;
  /** First wait; doubled each attempt up to `maxDelayMs`. Default 500. */
  baseDelayMs?: number;
  /** Default 5,000. */
  maxDelayMs?: number;
  /** Called before each wait, so the caller can say it is waiting (and why). */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void | Promise<void>;
  /** Injectable sleep (tests). */
  sleep?: (ms: number) => Promise<void>;
}

/** The outcome of {@link retryWithBackoff}: the value or the last error, and how many attempts it took. */
export type RetryResult<T> = { ok: true; value: T; attempts: number } | { ok: false; error: unknown; attempts: number };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, a non-retryable error occurs, or the time budget is spent; waits with
 * exponential backoff (base, 2x, 4x, ... capped) between attempts. Built for AWS's eventual consistency: a role
 * created seconds ago may not be assumable yet (IAM User Guide, "Changes that I make are not always
 * immediately visible").
 */
export async function retryWithBackoff<T>(attempt: () => Promise<T>, isRetryable: (error: unknown) => boolean, options: RetryOptions = {}): Promise<RetryResult<T>> {
  const maxWait = options.maxWaitMs ?? 30_000;
  const maxDelay = options.maxDelayMs ?? 5_000;
  const sleep = options.sleep ?? defaultSleep;
  let delay = options.baseDelayMs ?? 500;
  let waited = 0;
  for (let attempts = 1; ; attempts++) {
    try {
      return { ok: true, value: await attempt(), attempts };
    } catch (error) {
      if (!isRetryable(error) || waited + delay > maxWait) return { ok: false, error, attempts };
      await options.onRetry?.({ attempt: attempts, delayMs: delay, error });
      await sleep(delay);
      waited += delay;
      delay = Math.min(delay * 2, maxDelay);
    }
  }
}
