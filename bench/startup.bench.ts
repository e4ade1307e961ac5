/**
 * Start-up of the built CLI (issue 15), each against `node -e 0` measured in the same run, as child processes:
 *
 * - `trustgate external-id` and `trustgate creds --format credential-process` (from a running service on the
 *   sandbox, as an AWS tool's `credential_process` runs it on every call): target within 3x of `node -e 0`;
 * - `trustgate --help`;
 * - `trustgate serve` (no flags: SQLite, the sandbox in-process, the demo organization) until GET /readyz answers 200
 *   (store, migrations): target under 1 s; with the CPU time (user + system) the process used until then, which a
 *   busy machine inflates far less than the wall time.
 *
 * Medians of several runs, the ratio to `node -e 0`'s median, the CPU time (user + system) and its ratio, and the peak
 * RSS (CPU time and maxRSS read at the child's exit by a hook preloaded with NODE_OPTIONS=--require into every child,
 * `node -e 0` included; a CommonJS hook, since an `--import` one would start Node's ES module loader in every child, a
 * cost users' runs do not pay; for serve its VmHWM when ready). It runs `packages/cli/bin/trustgate.js` as users do,
 * an executable through its `#!/usr/bin/env node` line, so it times dist/ and the fast bundles (dist/fast/*.cjs): run
 * `npm run build` first after a change.
 * Prints; never fails on a time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startSandbox } from '@trustgate/sandbox';
import { createPlatformUser, createTrustgateService, seedDemoOrganization } from '@trustgate/server';

const BIN = fileURLToPath(new URL('../packages/cli/bin/trustgate.js', import.meta.url));
/** The bin finds `node` on PATH through its #! line: the node running this benchmark first, as `node -e 0` is. */
const PATH = `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`;
const RUNS = 15;
const SERVE_RUNS = 5;
/**
 * Preloaded into every measured child (written to a temporary folder by run()): at exit, writes to fd 3 its peak RSS
 * (KiB) and CPU time (µs, user + system). CPU time varies far less than wall time when other work shares the machine.
 */
const REPORT_USAGE =
  "'use strict'; process.on('exit', () => { try { const u = process.resourceUsage(); require('node:fs').writeSync(3, `${u.maxRSS} ${u.userCPUTime + u.systemCPUTime}`); } catch {} });\n";

/** One measured run, or the medians of several: wall ms, CPU ms (0 where not read) and peak RSS (MiB). */
interface Figures {
  ms: number;
  cpuMs: number;
  rssMiB: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** One run of `command ...args` (`env` holds the preload): wall time from spawn to exit, CPU time and peak RSS. */
function timeOnce(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let usage = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => (usage += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${out.slice(0, 500)}`));
      else {
        const [rssKiB = 0, cpuMicros = 0] = usage.split(' ').map(Number);
        resolve({ ms, cpuMs: cpuMicros / 1000, rssMiB: rssKiB / 1024 });
      }
    });
  });
}

/** A command to time: its row's name, what to run and with which environment. */
interface Case {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * Median times and RSS of each case over `RUNS` rounds, after one warm-up run of each (which fills the OS file cache).
 * Each round runs every case once, so a burst of load elsewhere on the machine falls on all of them alike rather than
 * on one row's runs.
 */
async function measure(cases: Case[]): Promise<Figures[]> {
  for (const c of cases) await timeOnce(c.command, c.args, c.env);
  const runs = cases.map((): Figures[] => []);
  for (let i = 0; i < RUNS; i++)
    for (const [j, c] of cases.entries()) runs[j]!.push(await timeOnce(c.command, c.args, c.env));
  return runs.map((r) => ({
    ms: median(r.map((x) => x.ms)),
    cpuMs: median(r.map((x) => x.cpuMs)),
    rssMiB: median(r.map((x) => x.rssMiB)),
  }));
}

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
}

/** CPU time (user + system, ms) process `pid` used so far, from /proc (clock ticks of 10 ms). */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** One `trustgate serve` in a fresh folder: ms from spawn until GET /readyz answers 200, CPU ms and VmHWM then (MiB). */
async function serveOnce(): Promise<Figures> {
  const dir = mkdtempSync(join(tmpdir(), 'trustgate-bench-serve-'));
  const port = await freePort();
  const started = performance.now();
  const child = spawn(BIN, ['serve', '--port', String(port)], {
    cwd: dir,
    env: { PATH, HOME: dir },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`trustgate serve exited ${child.exitCode}: ${err.slice(0, 500)}`);
      if (performance.now() - started > 60_000) throw new Error('trustgate serve was not ready within 60 s');
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const ms = performance.now() - started;
    const cpuMs = cpuMsOf(child.pid!);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return { ms, cpuMs, rssMiB: Number(hwm?.[1] ?? 0) / 1024 };
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A service on the sandbox with one connection verified and stack `web` attached; its URL and admin token. */
async function startService() {
  const sandbox = await startSandbox({ accounts: 2 });
  const [platform, customer] = sandbox.accounts as [
    (typeof sandbox.accounts)[number],
    (typeof sandbox.accounts)[number],
  ];
  const user = await createPlatformUser({
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    adminCredentials: platform,
  });
  const service = await createTrustgateService({
    databaseUrl: ':memory:',
    partitions: {
      aws: {
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: user.credentials,
        accountId: platform.accountId,
      },
    },
    publicUrl: 'http://127.0.0.1',
    reverify: false,
    verifyRetry: { maxWaitMs: 0 },
  });
  const url = await service.listen({ port: 0 });
  const { adminToken } = await seedDemoOrganization(service.store);
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text);
  };
  const created = await post('/v1/connections', {
    name: 'bench-startup',
    roleName: 'BenchStartup',
    scope: { kind: 'account', accountId: customer.accountId },
    externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] },
  });
  const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: customer });
  await iam.send(
    new CreateRoleCommand({
      RoleName: 'BenchStartup',
      AssumeRolePolicyDocument: JSON.stringify(created.deliverables.trustPolicy),
    }),
  );
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: 'BenchStartup',
      PolicyName: 'read',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' }],
      }),
    }),
  );
  const connectionId = created.connection.id as string;
  await post(`/v1/connections/${connectionId}/verify`, {
    roleArn: `arn:aws:iam::${customer.accountId}:role/BenchStartup`,
  });
  const stack = await post('/v1/stacks', { slug: 'web', name: 'Web' });
  await post(`/v1/stacks/${stack.id}/attachments`, { connectionId, phases: ['read'], sessionMode: 'shared' });
  return {
    url,
    adminToken,
    stop: async () => {
      await service.close();
      await sandbox.stop();
    },
  };
}

export default async function run(): Promise<void> {
  const hooks = mkdtempSync(join(tmpdir(), 'trustgate-bench-usage-'));
  const reportUsage = join(hooks, 'report-usage.cjs');
  writeFileSync(reportUsage, REPORT_USAGE);
  const clean = { PATH, HOME: tmpdir(), NODE_OPTIONS: `--require ${JSON.stringify(reportUsage)}` };
  const service = await startService();
  try {
    const credsEnv = { ...clean, TRUSTGATE_URL: service.url, TRUSTGATE_TOKEN: service.adminToken };
    const creds = ['creds', '--stack', 'web', '--phase', 'read', '--format', 'credential-process'];
    const first = await timeOnce(BIN, creds, credsEnv);
    if (!(first.ms > 0)) throw new Error('creds did not run');
    const cases: Case[] = [
      { name: 'node -e 0', command: process.execPath, args: ['-e', '0'], env: clean },
      { name: 'trustgate external-id', command: BIN, args: ['external-id'], env: clean },
      { name: 'trustgate creds --format credential-process', command: BIN, args: creds, env: credsEnv },
      { name: 'trustgate --help', command: BIN, args: ['--help'], env: clean },
    ];
    const figures = await measure(cases);
    const node = figures[0]!;
    const rows = cases.map((c, i): [string, Figures] => [c.name, figures[i]!]);
    const serves: Figures[] = [];
    for (let i = 0; i < SERVE_RUNS; i++) serves.push(await serveOnce());
    const serve = {
      ms: median(serves.map((s) => s.ms)),
      rssMiB: median(serves.map((s) => s.rssMiB)),
      cpuMs: median(serves.map((s) => s.cpuMs)),
    };
    for (const [name, r] of rows)
      console.log(
        `${name.padEnd(46)} median ${r.ms.toFixed(0).padStart(5)} ms  ${(r.ms / node.ms).toFixed(1).padStart(4)}x node -e 0  CPU ${r.cpuMs.toFixed(0).padStart(3)} ms ${(r.cpuMs / node.cpuMs).toFixed(1)}x  RSS ${r.rssMiB.toFixed(0)} MiB (median of ${RUNS})`,
      );
    console.log(
      `${'trustgate serve, spawn to /readyz 200'.padEnd(46)} median ${serve.ms.toFixed(0).padStart(5)} ms  ${(serve.ms / node.ms).toFixed(1).padStart(4)}x node -e 0  RSS ${serve.rssMiB.toFixed(0)} MiB, CPU ${serve.cpuMs.toFixed(0)} ms when ready (median of ${SERVE_RUNS}; target under 1,000 ms)`,
    );
    console.log('targets: external-id and creds within 3x node -e 0');
  } finally {
    await service.stop();
    rmSync(hooks, { recursive: true, force: true });
  }
}
