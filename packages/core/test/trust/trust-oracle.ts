import { runSimulation } from '@cloud-copilot/iam-simulate';
import {
  evaluateRequest,
  type ContextValue,
  type Decision,
  type PolicyDocument,
  type PrincipalType,
} from '../../src/index.ts';

/** One AssumeRole-style call to decide against a trust policy. */
export interface TrustCall {
  principal: string;
  type?: PrincipalType;
  action?: 'sts:AssumeRole' | 'sts:AssumeRoleWithWebIdentity';
  /** The role being assumed. */
  roleArn: string;
  context?: Record<string, string>;
}

const ALLOW_ASSUME: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: '*' }],
};

/**
 * The decision of trustgate's engine and of @cloud-copilot/iam-simulate (an independent, AGPL, test-only
 * oracle) for a call against `trust`. AWS principals get an identity policy allowing sts:AssumeRole, so the
 * trust policy alone decides; service and federated principals have none, as in AWS.
 */
export async function decideBoth(trust: PolicyDocument, call: TrustCall): Promise<{ core: Decision; oracle: string }> {
  const type = call.type ?? 'AWS';
  const action = call.action ?? 'sts:AssumeRole';
  const identityPolicies = type === 'AWS' ? [ALLOW_ASSUME] : [];
  const context: Record<string, ContextValue> = { ...(call.context ?? {}) };
  const core = evaluateRequest(
    { principal: { arn: call.principal, type }, action, resource: call.roleArn, context },
    { identityPolicies, resourcePolicy: trust },
  ).decision;
  // iam-simulate (via iam-utils isServicePrincipal) knows only principals ending in "amazonaws.com", so China's
  // `<service>.amazonaws.com.cn` principals are beyond it: the oracle answers "unsupported" and only core decides.
  if (type === 'Service' && call.principal.endsWith('.amazonaws.com.cn')) return { core, oracle: 'unsupported' };
  const accountId = call.roleArn.split(':')[4] ?? '';
  const simulation = {
    request: {
      principal: call.principal,
      action,
      resource: { resource: call.roleArn, accountId },
      contextVariables: call.context ?? {},
    },
    identityPolicies: identityPolicies.map((policy, i) => ({ name: `identity${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: trust,
  };
  const result = await runSimulation(simulation as unknown as Parameters<typeof runSimulation>[0], {});
  const oracle =
    result.resultType === 'error'
      ? `error: ${JSON.stringify((result as { errors?: unknown }).errors)}`
      : (result as { overallResult: string }).overallResult;
  return { core, oracle };
}
