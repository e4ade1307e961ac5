/**
 * One seed for every fast-check run in core's tests, so a run is the same on every machine and a failure can
 * be repeated exactly.
 *
 * `TRUSTGATE_PROPERTY_SEED` sets it:
 * - unset: {@link DEFAULT_PROPERTY_SEED}, fixed, so CI is deterministic;
 * - an integer: that seed (to repeat a failure, or explore a chosen one);
 * - `random`: a fresh seed drawn here and printed once, to explore new cases.
 *
 * A failed property run's message ends with the line to repeat it (`TRUSTGATE_PROPERTY_SEED=<seed>`), next to
 * fast-check's own `{ seed, path }`; the assertion that failed stays the error's `cause`.
 */
import fc from 'fast-check';

/** The seed used when `TRUSTGATE_PROPERTY_SEED` is unset. */
export const DEFAULT_PROPERTY_SEED = 20261126;

/** Reads `TRUSTGATE_PROPERTY_SEED` (see the module comment); anything else than an integer or `random` is refused. */
export function resolvePropertySeed(value: string | undefined, random: () => number = Math.random): number {
  if (value === undefined || value.trim() === '') return DEFAULT_PROPERTY_SEED;
  if (value === 'random') return Math.floor(random() * 0x1_0000_0000) | 0;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed))
    throw new Error(`TRUSTGATE_PROPERTY_SEED must be an integer or "random", not ${JSON.stringify(value)}`);
  return seed;
}

/** The seed of this test run. */
export const PROPERTY_SEED = resolvePropertySeed(process.env.TRUSTGATE_PROPERTY_SEED);
if (process.env.TRUSTGATE_PROPERTY_SEED === 'random')
  console.log(`fast-check seed drawn for this run: TRUSTGATE_PROPERTY_SEED=${PROPERTY_SEED}`);

/** The line a failure report ends with. */
export function repeatHint(details: { seed: number; counterexamplePath: string | null }): string {
  return `Repeat this run with TRUSTGATE_PROPERTY_SEED=${details.seed}${details.counterexamplePath ? ` (fast-check path ${details.counterexamplePath})` : ''}`;
}

/**
 * fast-check parameters for one `fc.assert`: `parameters` with the run's seed and a reporter that fails with
 * fast-check's report plus {@link repeatHint}. A `seed` in `parameters` is ignored: every run takes the one seed.
 */
export function propertyParameters<Ts>(
  parameters: Omit<fc.Parameters<Ts>, 'seed' | 'reporter' | 'asyncReporter'> = {},
): fc.Parameters<Ts> {
  return {
    ...parameters,
    seed: PROPERTY_SEED,
    reporter: (details) => {
      if (!details.failed) return;
      throw new Error(`${fc.defaultReportMessage(details) ?? 'Property failed'}\n${repeatHint(details)}`, {
        cause: details.errorInstance,
      });
    },
  };
}
