import { describe, expect, it } from 'vitest';
import { retryWithBackoff } from './retry-with-backoff.ts';

describe('retryWithBackoff', () => {
  it('retries a retryable failure with doubling waits until it succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        calls++;
        if (calls < 4) throw new Error('not yet');
        return 'done';
      },
      () => true,
      { baseDelayMs: 100, maxDelayMs: 250, maxWaitMs: 10_000, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toEqual({ ok: true, value: 'done', attempts: 4 });
    expect(waits).toEqual([100, 200, 250]);
  });

  it('stops within the time budget and returns the last error', async () => {
    const waits: number[] = [];
    const result = await retryWithBackoff(async () => Promise.reject(new Error('never')), () => true, { baseDelayMs: 100, maxWaitMs: 350, sleep: async (ms) => void waits.push(ms) });
    expect(result.ok).toBe(false);
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(350);
    expect(waits).toEqual([100, 200]);
  });

  it('does not retry a non-retryable error', async () => {
    let calls = 0;
    const result = await retryWithBackoff(async () => { calls++; throw new Error('fatal'); }, () => false, { sleep: async () => undefined });
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(calls).toBe(1);
  });
});
