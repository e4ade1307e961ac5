import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  compilePolicySet,
  evaluateRequest,
  type Decision,
  type EvaluationRequest,
  type PolicySet,
} from '../../src/engine/index.ts';

/** A case drawn from AWS's documentation: the request, the policies, the documented answer and its source. */
interface DocumentedCase {
  name: string;
  source: string;
  request: EvaluationRequest;
  policies: PolicySet;
  expect: Decision;
  reason?: string;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'cases', 'evaluation');
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const cases = JSON.parse(readFileSync(join(dir, file), 'utf8')) as DocumentedCase[];
  describe(file, () => {
    it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
      const result = evaluateRequest(c.request, c.policies);
      expect(result.decision, `${c.source}\n${result.explanation.summary.join('\n')}`).toBe(c.expect);
      if (c.reason) expect(result.explanation.reason).toBe(c.reason);
      // The compiled form and the fast (no explanation) path give the same decision.
      const fast = evaluateRequest(c.request, compilePolicySet(c.policies), { explain: false });
      expect(fast.decision).toBe(c.expect);
    });
  });
}
