/**
 * Load and soak (issue 16): credential issuances and connection reads at once, each from its own autocannon process
 * on loopback, for TRUSTGATE_SOAK_SECONDS (default 60 s) after a warm-up, against the sandbox on a SQLite file.
 *
 * Prints per route: answers, errors (non-2xx, connection errors and timeouts), p50/p99 and throughput; the baseline of
 * `GET /healthz` under the same load generator in the same run, and the ratio; and the service's memory: RSS sampled
 * every second, after warm-up, at the end (each after a full garbage collection), and their ratio (flat means
 * within 10%), with the V8 heap still in use. The service runs in this process,
 * so the RSS is the service's (plus the sandbox's, constant after warm-up). Prints; never fails on a figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startConnectedBroker } from './connected-broker.ts';
import { describeLoad, runLoad, type LoadResult } from './load-generator.ts';

const SECONDS = Number(process.env.TRUSTGATE_SOAK_SECONDS ?? 60);
const WARM_UP_SECONDS = Math.min(10, Math.max(2, Math.round(SECONDS / 6)));
const STACKS = 20;

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;

setFlagsFromString('--expose-gc');
/** A full garbage collection (exposed at run time), so the memory read after it is what is still held. */
const collect = runInNewContext('gc') as () => void;

/** RSS and V8 heap in use after a full collection. */
function memory(): { rss: number; heap: number } {
  collect();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

/** Errors of a run: every answer that is not 2xx, every connection error and timeout. */
const errorsOf = (r: LoadResult): number => r.non2xx + r.errors;

export default async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'trustgate-soak-'));
  const broker = await startConnectedBroker({
    databaseUrl: join(dir, 'trustgate.db'),
    roleName: 'BenchSoak',
    stacks: STACKS,
    slug: 'soak',
  });
  const { url, headers, connectionId } = broker;
  try {
    const issuance = (durationSeconds: number) =>
      runLoad({
        url: `${url}/v1/issuances`,
        method: 'POST',
        connections: 8,
        durationSeconds,
        headers,
        body: JSON.stringify({ stack: 'soak-0', phase: 'read', runId: 'soak-run' }),
      });
    const read = (durationSeconds: number) =>
      runLoad({
        url: `${url}/v1/connections/${connectionId}`,
        connections: 8,
        durationSeconds,
        headers: { authorization: headers.authorization },
      });

    // Warm-up: both loads, then a settled RSS.
    await Promise.all([issuance(WARM_UP_SECONDS), read(WARM_UP_SECONDS)]);
    const warm = memory();
    const afterWarmUp = warm.rss;
    let peak = afterWarmUp;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 1000);
    const [issued, reads] = await Promise.all([issuance(SECONDS), read(SECONDS)]);
    clearInterval(sampler);
    const end = memory();
    const atEnd = end.rss;
    const baseline = await runLoad({ url: `${url}/healthz`, connections: 16, durationSeconds: Math.min(10, SECONDS) });

    console.log(
      `soak: ${SECONDS} s after a ${WARM_UP_SECONDS} s warm-up, two autocannon processes at once (8 connections each), SQLite file`,
    );
    console.log(
      `  POST /v1/issuances (cached, audited): ${describeLoad(issued)}; ${issued.total} answers, ${errorsOf(issued)} errors`,
    );
    console.log(`  GET /v1/connections/:id: ${describeLoad(reads)}; ${reads.total} answers, ${errorsOf(reads)} errors`);
    console.log(
      `  baseline GET /healthz alone (16 connections): ${describeLoad(baseline)}; issuances + reads together served ${((issued.requestsPerSecond + reads.requestsPerSecond) / baseline.requestsPerSecond).toFixed(2)}x its requests per second`,
    );
    console.log(
      `  memory: RSS after warm-up ${mib(afterWarmUp)}, peak ${mib(peak)}, at the end ${mib(atEnd)} (${((100 * (atEnd - afterWarmUp)) / afterWarmUp).toFixed(1)}% change; flat means within 10%); V8 heap in use after a full collection ${mib(warm.heap)} then ${mib(end.heap)}`,
    );
  } finally {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
