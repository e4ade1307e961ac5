/**
 * Policy engine benchmark: evaluations per second for a cross-account trust-policy check (sts:AssumeRole with
 * an external ID) and an identity check (s3:GetObject against several policies with conditions), for
 * trustgate (compiled once, and compiled per call) and for @cloud-copilot/iam-simulate (the test oracle,
 * AGPL, dev-only) on the same inputs in the same run. Prints figures and ratios; never fails on a time.
 */
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { compilePolicySet, evaluateRequest, type EvaluationRequest, type PolicySet } from '@trustgate/core';
import { asyncOpsPerSecond, opsPerSecond } from './ops-per-second.ts';

const A = '111122223333';
const B = '444455556666';

/** Evaluations per second of a synchronous `fn`, measured for about `ms` after a warm-up. */
const syncRate = (fn: () => unknown, ms = 1500): number => opsPerSecond(fn, ms);

/** Evaluations per second of an asynchronous `fn`, awaited one call at a time (the oracle is async). */
const asyncRate = (fn: () => Promise<unknown>, ms = 1500): Promise<number> => asyncOpsPerSecond(fn, ms);

function toSimulation(request: EvaluationRequest, policies: PolicySet): Simulation {
  const contextVariables: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(request.context ?? {}))
    contextVariables[k] = Array.isArray(v) ? v.map(String) : String(v);
  const sim: Simulation = {
    request: {
      principal: request.principal.arn,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccountId ?? '' },
      contextVariables,
    },
    identityPolicies: (policies.identityPolicies ?? []).map((policy, i) => ({ name: `p${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
  };
  if (policies.resourcePolicy) sim.resourcePolicy = policies.resourcePolicy;
  if (policies.permissionsBoundary)
    sim.permissionBoundaryPolicies = [{ name: 'pb', policy: policies.permissionsBoundary }];
  return sim;
}

const trustCase: { request: EvaluationRequest; policies: PolicySet } = {
  request: {
    principal: { arn: `arn:aws:sts::${A}:assumed-role/platform/worker` },
    action: 'sts:AssumeRole',
    resource: `arn:aws:iam::${B}:role/trustgate-access`,
    resourceAccountId: B,
    context: {
      'sts:ExternalId': 'tg-4f9c2e',
      'aws:PrincipalArn': `arn:aws:iam::${A}:role/platform`,
      'aws:SourceIp': '203.0.113.7',
    },
  },
  policies: {
    identityPolicies: [
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/trustgate-*' }],
      },
    ],
    resourcePolicy: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'Platform',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${A}:root` },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'sts:ExternalId': 'tg-4f9c2e' },
            ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/platform` },
          },
        },
        {
          Sid: 'NoOldSessions',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 'sts:AssumeRole',
          Condition: { DateLessThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:00Z' } },
        },
      ],
    },
  },
};

const statements = Array.from({ length: 12 }, (_, i) => ({
  Sid: `S${i}`,
  Effect: 'Allow' as const,
  Action: [`s3:Get*`, `s3:List*`, `dynamodb:Query`, `sqs:SendMessage`].slice(0, 1 + (i % 4)),
  Resource: [`arn:aws:s3:::bucket-${i}/*`, `arn:aws:s3:::shared/\${aws:PrincipalTag/team}/*`],
  Condition: {
    StringEquals: { 'aws:PrincipalTag/env': ['prod', 'staging'] },
    IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] },
  },
}));
const identityCase: { request: EvaluationRequest; policies: PolicySet } = {
  request: {
    principal: { arn: `arn:aws:iam::${A}:user/alice` },
    action: 's3:GetObject',
    resource: 'arn:aws:s3:::shared/blue/report.csv',
    resourceAccountId: A,
    context: {
      'aws:PrincipalTag/team': 'blue',
      'aws:PrincipalTag/env': 'prod',
      'aws:SourceIp': '198.51.100.20',
      'aws:SecureTransport': 'true',
      'aws:PrincipalArn': `arn:aws:iam::${A}:user/alice`,
    },
  },
  policies: {
    identityPolicies: [
      { Version: '2012-10-17', Statement: statements.slice(0, 6) },
      { Version: '2012-10-17', Statement: statements.slice(6) },
      {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
          {
            Effect: 'Deny',
            Action: '*',
            Resource: '*',
            Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    ],
    permissionsBoundary: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:*', 'dynamodb:*', 'sqs:*'], Resource: '*' }],
    },
  },
};

export default async function run(): Promise<void> {
  for (const [name, c] of [
    ['trust-policy check (sts:AssumeRole, cross-account, external ID)', trustCase],
    ['identity check (s3:GetObject, 3 policies, boundary)', identityCase],
  ] as const) {
    const compiled = compilePolicySet(c.policies);
    const sim = toSimulation(c.request, c.policies);
    const mine = evaluateRequest(c.request, compiled).decision;
    const theirs = await runSimulation(sim, {});
    const oracleDecision = theirs.resultType === 'error' ? 'error' : theirs.overallResult;
    const compiledFast = syncRate(() => evaluateRequest(c.request, compiled, { explain: false }));
    const compiledExplained = syncRate(() => evaluateRequest(c.request, compiled));
    const uncompiled = syncRate(() => evaluateRequest(c.request, c.policies));
    const oracle = await asyncRate(() => runSimulation(sim, {}));
    console.log(`\n${name}: trustgate ${mine}, iam-simulate ${oracleDecision}`);
    console.log(
      `  trustgate compiled, no explanation : ${Math.round(compiledFast).toLocaleString('en-US')} evaluations/s`,
    );
    console.log(
      `  trustgate compiled, explained      : ${Math.round(compiledExplained).toLocaleString('en-US')} evaluations/s`,
    );
    console.log(
      `  trustgate compiled per call        : ${Math.round(uncompiled).toLocaleString('en-US')} evaluations/s`,
    );
    console.log(`  iam-simulate (oracle)              : ${Math.round(oracle).toLocaleString('en-US')} evaluations/s`);
    console.log(
      `  ratio vs oracle: ${(compiledFast / oracle).toFixed(1)}x (compiled), ${(compiledExplained / oracle).toFixed(1)}x (explained), ${(uncompiled / oracle).toFixed(1)}x (per call)`,
    );
  }
}
