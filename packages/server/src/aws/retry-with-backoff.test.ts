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
    const result = await retryWithBackoff(
      async () => Promise.reject(new Error('never')),
      () => true,
      { baseDelayMs: 100, maxWaitMs: 350, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result.ok).toBe(false);
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(350);
    expect(waits).toEqual([100, 200]);
  });

  it('does not retry a non-retryable error', async () => {
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        calls++;
        throw new Error('fatal');
      },
      () => false,
      { sleep: async () => undefined },
    );
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect(calls).toBe(1);
  });

  it('stops after maxAttempts, and jitters each wait within 50-100 % of its delay', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        calls++;
        throw new Error('down');
      },
      () => true,
      {
        baseDelayMs: 1_000,
        maxDelayMs: 1e9,
        maxWaitMs: 1e9,
        maxAttempts: 4,
        jitter: true,
        sleep: async (ms) => void waits.push(ms),
      },
    );
    expect(result).toMatchObject({ ok: false, attempts: 4 });
    expect(calls).toBe(4);
    expect(waits).toHaveLength(3);
    [1_000, 2_000, 4_000].forEach((delay, i) => {
      expect(waits[i]).toBeGreaterThanOrEqual(delay * 0.5);
      expect(waits[i]).toBeLessThanOrEqual(delay);
    });
  });

  it('starts no attempt past the wall-clock deadline, however long attempts take', async () => {
    let calls = 0;
    const result = await retryWithBackoff(
      async () => {
        calls++;
        await new Promise((r) => setTimeout(r, 60));
        throw new Error('slow');
      },
      () => true,
      { baseDelayMs: 1, maxDelayMs: 1, deadlineMs: 100 },
    );
    expect(result.ok).toBe(false);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(3);
  });

  it('an abort ends the wait in progress and gives up with the last error', async () => {
    const controller = new AbortController();
    let calls = 0;
    const pending = retryWithBackoff(
      async () => {
        calls++;
        throw new Error(`failure ${calls}`);
      },
      () => true,
      { baseDelayMs: 60_000, maxWaitMs: 1e9, signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 20);
    const result = await pending;
    expect(result).toMatchObject({ ok: false, attempts: 1 });
    expect((result as { error: Error }).error.message).toBe('failure 1');
  });
});
