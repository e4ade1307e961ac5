/** Options of {@link createStsPacer}. */
export interface StsPacerOptions {
  /** Calls per second each key may start, on average. */
  ratePerSecond: number;
  /** Calls a key may start at once after being idle (the bucket's size). Default `max(1, ratePerSecond)`. */
  burst?: number;
  /** The clock (ms). Default `Date.now`. */
  now?: () => number;
  /** Waits `ms` (tests inject one that moves their clock). Default a timer. */
  sleep?: (ms: number) => Promise<void>;
}

/** Starts calls at a bounded rate per key. */
export interface StsPacer {
  /**
   * Runs `fn` once `key`'s bucket has a token, after every call of `key` queued before it (FIFO). Aborting
   * `signal` while waiting takes the call out of the queue and rejects with the signal's reason; `fn` is then
   * never run. `fn`'s own outcome is passed through.
   */
  run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

interface Waiter {
  start: () => void;
  signal?: AbortSignal;
}

interface Bucket {
  tokens: number;
  refilledAt: number;
  queue: Waiter[];
  pumping: boolean;
}

/** Above this many buckets, idle full ones are dropped (they hold nothing a new bucket would not). */
const PRUNE_ABOVE = 10_000;

/**
 * A token bucket per key (the identity and region an STS call is made as and in), so that many runs asking at
 * once queue instead of exceeding the rate STS allows and being throttled: STS throttles per account and Region
 * (AWS STS API Reference, "Throttling"; the SDK's retries would otherwise turn a burst into a storm of retries).
 * Each key's bucket holds up to `burst` tokens and gains `ratePerSecond` per second; a call takes one token
 * to start. Callers of a key are started strictly in the order they asked.
 */
export function createStsPacer(o: StsPacerOptions): StsPacer {
  if (!(o.ratePerSecond > 0)) throw new RangeError('createStsPacer: ratePerSecond must be above 0.');
  const burst = o.burst ?? Math.max(1, o.ratePerSecond);
  if (!(burst >= 1)) throw new RangeError('createStsPacer: burst must be at least 1.');
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const buckets = new Map<string, Bucket>();

  const refill = (b: Bucket): void => {
    const t = now();
    b.tokens = Math.min(burst, b.tokens + ((t - b.refilledAt) / 1000) * o.ratePerSecond);
    b.refilledAt = t;
  };

  const prune = (): void => {
    if (buckets.size <= PRUNE_ABOVE) return;
    for (const [key, b] of buckets) {
      if (b.pumping || b.queue.length > 0) continue;
      refill(b);
      if (b.tokens >= burst) buckets.delete(key);
    }
  };

  /** Starts the waiters of `b` in order as tokens come; one pump per bucket at a time. */
  async function pump(b: Bucket): Promise<void> {
    if (b.pumping) return;
    b.pumping = true;
    try {
      for (;;) {
        while (b.queue[0]?.signal?.aborted === true) b.queue.shift();
        const head = b.queue[0];
        if (head === undefined) return;
        refill(b);
        if (b.tokens >= 1) {
          b.tokens -= 1;
          b.queue.shift();
          head.start();
          continue;
        }
        await sleep(Math.ceil(((1 - b.tokens) / o.ratePerSecond) * 1000));
      }
    } finally {
      b.pumping = false;
    }
  }

  return {
    run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (signal?.aborted === true) return Promise.reject(signal.reason);
      let b = buckets.get(key);
      if (b === undefined) {
        prune();
        b = { tokens: burst, refilledAt: now(), queue: [], pumping: false };
        buckets.set(key, b);
      }
      const bucket = b;
      return new Promise<T>((resolve, reject) => {
        const onAbort = (): void => {
          const i = bucket.queue.indexOf(waiter);
          if (i >= 0) bucket.queue.splice(i, 1);
          reject(signal?.reason);
        };
        const waiter: Waiter = {
          start: () => {
            signal?.removeEventListener('abort', onAbort);
            try {
              fn().then(resolve, reject);
            } catch (error) {
              reject(error);
            }
          },
          ...(signal === undefined ? {} : { signal }),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        bucket.queue.push(waiter);
        void pump(bucket);
      });
    },
  };
}
