/**
 * Discovery checked by the oracle: for generated requests that trustgate denies, every context change
 * `discoverAllowingContext` suggests must make iam-simulate allow the request too (unless the oracle refuses
 * the suggested value's type, or the case is a documented disagreement).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { discoverAllowingContext, evaluateRequest, type ContextValue } from '../../src/engine/index.ts';
import { caseArb, type GeneratedCase } from './arbitraries.ts';
import { knownDisagreement } from './known-disagreements.ts';
import { oracleDecision } from './oracle.ts';
import { propertyParameters } from '../support/property-seed.ts';

function withPatch(c: GeneratedCase, patch: Record<string, ContextValue | null>): GeneratedCase {
  const context: Record<string, ContextValue> = {};
  const lowered = new Set(Object.keys(patch).map((k) => k.toLowerCase()));
  for (const [k, v] of Object.entries(c.request.context ?? {})) if (!lowered.has(k.toLowerCase())) context[k] = v;
  for (const [k, v] of Object.entries(patch)) if (v !== null) context[k] = v;
  return { ...c, request: { ...c.request, context } };
}

describe('differential: discovered context values', () => {
  it('make the oracle allow the request as well', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        if (evaluateRequest(c.request, c.policies, { explain: false }).decision === 'Allowed') return;
        for (const suggestion of discoverAllowingContext(c.request, c.policies, { limit: 2 })) {
          const patched = withPatch(c, suggestion.context);
          const mine = evaluateRequest(patched.request, patched.policies);
          expect(mine.decision).toBe('Allowed');
          const oracle = await oracleDecision(patched.request, patched.policies);
          if (typeof oracle !== 'string') continue;
          checked++;
          if (oracle !== 'Allowed' && knownDisagreement(patched, mine, oracle)) continue;
          expect(oracle, JSON.stringify({ patched, suggestion })).toBe('Allowed');
        }
      }),
      propertyParameters({ numRuns: 1500 }),
    );
    expect(checked).toBeGreaterThan(20);
  }, 120_000);
});
