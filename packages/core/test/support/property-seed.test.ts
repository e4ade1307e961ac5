import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROPERTY_SEED, PROPERTY_SEED, propertyParameters, resolvePropertySeed } from './property-seed.ts';

describe('property seed', () => {
  it('is fixed by default, taken from TRUSTGATE_PROPERTY_SEED, or drawn for `random`', () => {
    expect(resolvePropertySeed(undefined)).toBe(DEFAULT_PROPERTY_SEED);
    expect(resolvePropertySeed('')).toBe(DEFAULT_PROPERTY_SEED);
    expect(resolvePropertySeed('-42')).toBe(-42);
    expect(resolvePropertySeed('random', () => 0.75)).toBe(-1073741824);
    expect(() => resolvePropertySeed('1e3x')).toThrow(/TRUSTGATE_PROPERTY_SEED/);
    expect(() => resolvePropertySeed('1.5')).toThrow(/TRUSTGATE_PROPERTY_SEED/);
  });

  it('a failed run says how to repeat it and keeps the assertion as its cause; repeating finds the same counterexample', () => {
    const failure = (): Error => {
      try {
        fc.assert(
          fc.property(fc.integer(), (n) => {
            expect(n).toBeLessThan(1000);
          }),
          propertyParameters({ numRuns: 1000 }),
        );
      } catch (error) {
        return error as Error;
      }
      throw new Error('expected the property to fail');
    };
    const first = failure();
    expect(first.message).toContain(`seed: ${PROPERTY_SEED}`);
    expect(first.message).toMatch(
      new RegExp(`Repeat this run with TRUSTGATE_PROPERTY_SEED=${PROPERTY_SEED} \\(fast-check path [\\d:]+\\)`),
    );
    expect(String((first.cause as Error).message)).toMatch(/expected \d+ to be less than 1000/);
    expect(failure().message).toBe(first.message);
  });

  it('also reports async properties', async () => {
    const run = fc.assert(
      fc.asyncProperty(fc.nat(), async (n) => {
        expect(n % 7).not.toBe(3);
      }),
      propertyParameters({ numRuns: 500 }),
    );
    await expect(run).rejects.toThrow(/Repeat this run with TRUSTGATE_PROPERTY_SEED=/);
  });
});
