/**
 * Adapter to `@cloud-copilot/iam-simulate` (AGPL-3.0): an independent evaluator used only as a test oracle.
 * Never import this file from non-test code.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import type { Decision, EvaluationRequest, PolicySet } from '../../src/engine/index.ts';

/** Translate a trustgate request and policy set into an iam-simulate simulation. */
export function toSimulation(request: EvaluationRequest, policies: PolicySet): Simulation {
  const contextVariables: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(request.context ?? {})) {
    contextVariables[k] = Array.isArray(v) ? v.map(String) : v instanceof Date ? v.toISOString() : String(v);
  }
  const sim: Simulation = {
    request: {
      principal: request.principal.arn,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccountId ?? '' },
      contextVariables,
    },
    identityPolicies: (policies.identityPolicies ?? []).map((policy, i) => ({ name: `identity-${i}`, policy })),
    serviceControlPolicies: (policies.serviceControlPolicies ?? []).map((level, i) => ({
      orgIdentifier: `level-${i}`,
      policies: level.map((policy, j) => ({ name: `scp-${i}-${j}`, policy })),
    })),
    resourceControlPolicies: (policies.resourceControlPolicies ?? []).map((level, i) => ({
      orgIdentifier: `level-${i}`,
      policies: level.map((policy, j) => ({ name: `rcp-${i}-${j}`, policy })),
    })),
  };
  if (policies.resourcePolicy) sim.resourcePolicy = policies.resourcePolicy;
  if (policies.permissionsBoundary)
    sim.permissionBoundaryPolicies = [{ name: 'boundary', policy: policies.permissionsBoundary }];
  if (policies.sessionPolicies?.length) sim.sessionPolicy = policies.sessionPolicies[0];
  return sim;
}

/** The oracle's decision, or an error message when it refused the input. */
export async function oracleDecision(
  request: EvaluationRequest,
  policies: PolicySet,
): Promise<Decision | { error: string }> {
  const result = await runSimulation(toSimulation(request, policies), {});
  if (result.resultType === 'error') return { error: JSON.stringify(result.errors) };
  return result.overallResult as Decision;
}
