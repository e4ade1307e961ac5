/**
 * Measure `fn` for about `ms` milliseconds after a warm-up; returns operations per second. The clock is read
 * after every `batch` calls (16 by default, so reading it costs little next to a fast `fn`); pass 1 for a slow
 * `fn` (a 2,000-action compile takes about 0.3 s, so batches of 16 would overrun `ms` tenfold).
 */
export function opsPerSecond(fn: () => unknown, ms = 1000, batch = 16): number {
  const warm = Date.now() + Math.min(200, ms / 5);
  while (Date.now() < warm) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < batch; i++) fn();
    n += batch;
    now = process.hrtime.bigint();
  }
  return (n * 1e9) / Number(now - start);
}

/** `opsPerSecond` of an asynchronous `fn`, awaited one call at a time (the clock is read after every call). */
export async function asyncOpsPerSecond(fn: () => Promise<unknown>, ms = 1000): Promise<number> {
  const warm = Date.now() + Math.min(200, ms / 5);
  while (Date.now() < warm) await fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    await fn();
    n++;
    now = process.hrtime.bigint();
  }
  return (n * 1e9) / Number(now - start);
}
