/**
 * HTTP load from a second process: autocannon (npm, MIT) run as its own Node process, so the load generator does
 * not share the measured server's event loop (in-process, it took half the CPU the server needed). Its `--json`
 * report gives requests per second, latency percentiles and error counts.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

const autocannonBin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

/** One load run. */
export interface LoadOptions {
  url: string;
  /** Concurrent connections (default 16). */
  connections?: number;
  /** Seconds (default 5). */
  durationSeconds?: number;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

/** What a load run measured. */
export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Answers that were not 2xx. */
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  total: number;
}

/** Runs autocannon against `url` and returns its figures. */
export function runLoad(options: LoadOptions): Promise<LoadResult> {
  const args = [
    autocannonBin,
    '--json',
    '-c',
    String(options.connections ?? 16),
    '-d',
    String(options.durationSeconds ?? 5),
    '-m',
    options.method ?? 'GET',
  ];
  for (const [key, value] of Object.entries(options.headers ?? {})) args.push('-H', `${key}=${value}`);
  if (options.body !== undefined) args.push('-b', options.body);
  args.push(options.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`autocannon exited with ${code}`));
      const report = JSON.parse(out) as {
        requests: { average: number; total: number };
        latency: { p50: number; p99: number };
        non2xx: number;
        errors: number;
        timeouts: number;
      };
      resolve({
        requestsPerSecond: report.requests.average,
        p50Ms: report.latency.p50,
        p99Ms: report.latency.p99,
        non2xx: report.non2xx,
        errors: report.errors + report.timeouts,
        total: report.requests.total,
      });
    });
  });
}

/** One line of figures. */
export function describeLoad(result: LoadResult): string {
  return `${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ${result.non2xx} non-2xx, ${result.errors} errors`;
}
