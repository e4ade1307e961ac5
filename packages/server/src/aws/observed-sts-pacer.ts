import { isThrottlingStsError } from './assume-for-run.ts';
import type { StsPacer } from './sts-pacer.ts';

/** How one STS call ended: answered, throttled, or failed otherwise (refused, timed out, unreachable). */
export type StsCallOutcome = 'ok' | 'throttled' | 'error';

/** Told of every STS call a pacer started: the region it was made in and how it ended. */
export type StsCallObserver = (region: string, outcome: StsCallOutcome) => void;

/**
 * `pacer`, telling `observe` of every call it starts (each attempt of an issuance's AssumeRole is one), by the
 * region: the last `:`-separated part of the pace key (`<partition>:<identity>:<region>`, app/broker). A call
 * taken out of the queue before it started was never made and is not counted.
 */
export function observedStsPacer(pacer: StsPacer, observe: StsCallObserver): StsPacer {
  return {
    run<T>(key: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      const region = key.slice(key.lastIndexOf(':') + 1) || 'unknown';
      const observed = async (): Promise<T> => {
        try {
          const value = await fn();
          observe(region, 'ok');
          return value;
        } catch (error) {
          observe(region, isThrottlingStsError(error) ? 'throttled' : 'error');
          throw error;
        }
      };
      return pacer.run(key, observed, signal);
    },
  };
}
