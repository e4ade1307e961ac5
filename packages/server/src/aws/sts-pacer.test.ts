import { describe, expect, it } from 'vitest';
import { createStsPacer } from './sts-pacer.ts';

/**
 * Virtual time: sleep(ms) wakes when the clock reaches now + ms; `settle` lets everything run, moving the clock
 * to the earliest pending wake-up whenever nothing else can run, until nothing waits. Each sleep is recorded.
 */
function fakeTime() {
  const start = 1_000_000;
  let t = start;
  const sleeps: number[] = [];
  const timers: { at: number; wake: () => void }[] = [];
  const idle = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    now: () => t,
    sleep: (ms: number) =>
      new Promise<void>((wake) => {
        sleeps.push(ms);
        timers.push({ at: t + ms, wake });
      }),
    sleeps,
    elapsed: () => t - start,
    async settle<T>(work: Promise<T>): Promise<T> {
      let done = false;
      const result = work.finally(() => (done = true));
      // The caller attaches its handler only once settle returns: until then a rejection must not count as unhandled
      // (Node reports one that stays unhandled over an event-loop turn, and settle waits several).
      result.catch(() => undefined);
      for (;;) {
        await idle();
        if (done) return result;
        timers.sort((a, b) => a.at - b.at);
        const next = timers.shift();
        if (next === undefined) return result;
        t = Math.max(t, next.at);
        next.wake();
      }
    },
    /** Moves the clock with nothing waiting (idle time). */
    pass(ms: number) {
      t += ms;
    },
  };
}

describe('createStsPacer', () => {
  it('starts a burst at once, then one call per 1/rate seconds, in the order asked', async () => {
    const time = fakeTime();
    const pacer = createStsPacer({ ratePerSecond: 2, burst: 2, now: time.now, sleep: time.sleep });
    const started: { i: number; at: number }[] = [];
    const calls = Array.from({ length: 6 }, (_, i) =>
      pacer.run('identity@us-east-1', async () => {
        started.push({ i, at: time.elapsed() });
        return i;
      }),
    );
    expect(await time.settle(Promise.all(calls))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(started).toEqual([
      { i: 0, at: 0 },
      { i: 1, at: 0 },
      { i: 2, at: 500 },
      { i: 3, at: 1000 },
      { i: 4, at: 1500 },
      { i: 5, at: 2000 },
    ]);
  });

  it('paces each key on its own bucket', async () => {
    const time = fakeTime();
    const pacer = createStsPacer({ ratePerSecond: 1, burst: 1, now: time.now, sleep: time.sleep });
    const started: string[] = [];
    const run = (key: string) => pacer.run(key, async () => void started.push(`${key}@${time.elapsed()}`));
    await time.settle(Promise.all([run('a'), run('b'), run('a'), run('b')]));
    expect(started).toEqual(['a@0', 'b@0', 'a@1000', 'b@1000']);
  });

  it('refills while idle, up to the burst and no further', async () => {
    const time = fakeTime();
    const pacer = createStsPacer({ ratePerSecond: 1, burst: 3, now: time.now, sleep: time.sleep });
    const noop = async () => undefined;
    await time.settle(Promise.all([pacer.run('k', noop), pacer.run('k', noop), pacer.run('k', noop)]));
    expect(time.sleeps).toEqual([]);
    time.pass(60_000); // a minute idle refills 3 tokens, not 60
    time.sleeps.length = 0;
    await time.settle(Promise.all(Array.from({ length: 5 }, () => pacer.run('k', noop))));
    expect(time.sleeps).toEqual([1000, 1000]);
  });

  it('a call aborted while queued leaves the queue, is never run, and the next starts in its place', async () => {
    const time = fakeTime();
    const pacer = createStsPacer({ ratePerSecond: 1, burst: 1, now: time.now, sleep: time.sleep });
    const ran: string[] = [];
    const first = pacer.run('k', async () => void ran.push('first'));
    const controller = new AbortController();
    const aborted = pacer.run('k', async () => void ran.push('aborted'), controller.signal);
    const third = pacer.run('k', async () => void ran.push('third'));
    controller.abort(new Error('run cancelled'));
    await expect(aborted).rejects.toThrow('run cancelled');
    await time.settle(Promise.all([first, third]));
    expect(ran).toEqual(['first', 'third']);
    expect(time.sleeps).toEqual([1000]);
  });

  it('refuses an already aborted signal without taking a token', async () => {
    const time = fakeTime();
    const pacer = createStsPacer({ ratePerSecond: 1, burst: 1, now: time.now, sleep: time.sleep });
    await expect(pacer.run('k', async () => 1, AbortSignal.abort(new Error('gone')))).rejects.toThrow('gone');
    expect(await pacer.run('k', async () => 2)).toBe(2);
    expect(time.sleeps).toEqual([]);
  });

  it("passes fn's result and error through; a failed call still spent its token", async () => {
    const time = fakeTime();
    const pacer = createStsPacer({ ratePerSecond: 1, burst: 1, now: time.now, sleep: time.sleep });
    await expect(
      pacer.run('k', async () => {
        throw new Error('Throttling');
      }),
    ).rejects.toThrow('Throttling');
    await expect(
      time.settle(
        pacer.run('k', () => {
          throw new Error('thrown before any promise');
        }),
      ),
    ).rejects.toThrow('thrown before any promise');
    expect(time.sleeps).toEqual([1000]);
  });

  it('refuses a rate of zero and a burst below one', () => {
    expect(() => createStsPacer({ ratePerSecond: 0 })).toThrow(RangeError);
    expect(() => createStsPacer({ ratePerSecond: 1, burst: 0.5 })).toThrow(RangeError);
  });
});
