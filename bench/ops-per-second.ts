/** Measure `fn` for about `ms` milliseconds after a warm-up; returns operations per second. */
export function opsPerSecond(fn: () => unknown, ms = 1000): number {
  const warm = Date.now() + Math.min(200, ms / 5);
  while (Date.now() < warm) fn();
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(ms) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 16; i++) fn();
    n += 16;
    now = process.hrtime.bigint();
  }
  return (n * 1e9) / Number(now - start);
}
