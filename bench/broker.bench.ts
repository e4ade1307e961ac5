/**
 * The credential broker (issue 12) against the sandbox: how many issuances reach STS, and what an issuance costs.
 *
 * 1. 10,000 issuances over 100 (stack, phase) keys from 32 concurrent callers over HTTP: STS calls, p50/p99 and
 *    throughput, against the baseline of one STS call per request (what Vault's assumed_role does) measured in
 *    the same run with the SDK calling the sandbox's AssumeRole directly.
 * 2. Cached issuances over HTTP with autocannon (a second process) for 10 s, audit included.
 * The sandbox answers STS in-process at loopback speed; real STS is slower, so the ratio understates the gain.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startConnectedBroker } from './connected-broker.ts';
import { describeLoad, runLoad } from './load-generator.ts';

const STACKS = 50;
const REQUESTS = 10_000;
const CALLERS = 32;

/** p-th percentile (0-100) of sorted values. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Runs `total` calls of `call(i)` from `callers` concurrent loops; latencies in ms and wall time. */
async function concurrently(
  total: number,
  callers: number,
  call: (i: number) => Promise<void>,
): Promise<{ p50: number; p99: number; perSecond: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await call(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), perSecond: total / seconds };
}

const fmt = (r: { p50: number; p99: number; perSecond: number }) =>
  `${r.perSecond.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;

export default async function run(): Promise<void> {
  const counter = { service: 'sts', action: 'AssumeRole', kind: 'latency' as const, latencyMs: 0, count: Infinity };
  const env = await startConnectedBroker({
    databaseUrl: ':memory:',
    roleName: 'BenchBroker',
    stacks: STACKS,
    slug: 'stack',
    beforeService: (sandbox) => sandbox.faults.inject(counter),
  });
  const { sandbox, url, headers, roleArn, externalId } = env;
  const stsCalls = () => sandbox.faults.injected.filter((f) => f.action === 'AssumeRole').length;
  try {
    // 1. 10,000 issuances over 100 keys, 32 callers.
    const keyOf = (i: number) => ({
      stack: `stack-${i % STACKS}`,
      phase: i % (2 * STACKS) < STACKS ? 'read' : 'write',
    });
    const before = stsCalls();
    let failures = 0;
    const broker = await concurrently(REQUESTS, CALLERS, async (i) => {
      const res = await fetch(`${url}/v1/issuances`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ ...keyOf(i), runId: `run-${i}` }),
      });
      await res.arrayBuffer();
      if (res.status !== 201) failures++;
    });
    const brokerCalls = stsCalls() - before;

    // Baseline: one STS call per request (the same role, external ID form and session name), 2,000 of them.
    const sts = new STSClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: env.platformCredentials,
    });
    const baselineRequests = 2_000;
    const baselineBefore = stsCalls();
    const baseline = await concurrently(baselineRequests, CALLERS, async (i) => {
      const { stack, phase } = keyOf(i);
      await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: `tg-${stack}-${phase}`,
          ExternalId: `${externalId}@${stack}@${phase}`,
        }),
      );
    });
    const baselineCalls = stsCalls() - baselineBefore;
    console.log(
      `${REQUESTS} issuances over ${2 * STACKS} (stack, phase) keys from ${CALLERS} callers: ${brokerCalls} STS calls (${((100 * brokerCalls) / REQUESTS).toFixed(2)}% of requests; target at most 1%), ${failures} failures, ${fmt(broker)}`,
    );
    console.log(
      `baseline, one AssumeRole per request (${baselineRequests} requests, ${baselineCalls} STS calls): ${fmt(baseline)}; the broker served ${(broker.perSecond / baseline.perSecond).toFixed(1)}x the requests per second with ${((100 * brokerCalls) / REQUESTS).toFixed(2)}% of the STS calls`,
    );

    // 2. Cached issuances with audit, autocannon for 10 s.
    const cached = await runLoad({
      url: `${url}/v1/issuances`,
      method: 'POST',
      connections: 16,
      durationSeconds: 10,
      headers,
      body: JSON.stringify({ stack: 'stack-0', phase: 'read', runId: 'bench-run' }),
    });
    const bare = await runLoad({ url: `${url}/healthz`, connections: 16 });
    console.log(
      `cached issuances with audit, autocannon 16 connections 10 s: ${describeLoad(cached)} (target 5,000/s, p99 under 20 ms)`,
    );
    console.log(
      `same run, GET /healthz: ${describeLoad(bare)}; an issuance costs ${(bare.requestsPerSecond / cached.requestsPerSecond).toFixed(1)}x the bare route`,
    );
  } finally {
    await env.close();
  }
}
