import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The real `trustgate` bin, as a newcomer runs it. */
export const BIN = fileURLToPath(new URL('../bin/trustgate.js', import.meta.url));

/** The start-up lines that carry the admin token: an `export` a shell runs, then a curl that names the variable. */
const EXPORT_LINE = /^ {4}export TRUSTGATE_TOKEN=(\S+)$/m;
const TRY_LINE = /^ {4}curl -H "Authorization: Bearer \$TRUSTGATE_TOKEN" (http:\/\/\S+)\/v1\/connections$/m;

/** A running `trustgate serve` child and what it printed. */
export interface Served {
  child: ChildProcess;
  /** stdout and stderr as printed so far, interleaved. */
  output: () => string;
  /** stderr alone. */
  stderr: () => string;
  url: string;
  /** The admin token, read from the `export TRUSTGATE_TOKEN=` line. */
  token: string;
}

/**
 * Runs `trustgate serve --port 0 ARGS` with `env` added to this process's environment and waits (up to a minute)
 * until it printed its URL and the admin token's two lines.
 */
export async function runServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    err += chunk.toString();
  });
  for (let i = 0; i < 600 && !TRY_LINE.test(out) && child.exitCode === null; i++)
    await new Promise((r) => setTimeout(r, 100));
  const url = /serving at (http:\/\/\S+)/.exec(out)?.[1];
  const token = EXPORT_LINE.exec(out)?.[1];
  if (url === undefined || token === undefined || TRY_LINE.exec(out)?.[1] !== url) {
    child.kill('SIGKILL');
    throw new Error(`serve did not start:\n${out}`);
  }
  return { child, output: () => out, stderr: () => err, url, token };
}

/** Stops it with SIGTERM (as Ctrl-C would) and returns its exit code. */
export async function stopServe(served: Served): Promise<number | null> {
  if (served.child.exitCode !== null) return served.child.exitCode;
  const exited = new Promise<number | null>((resolve) => served.child.once('exit', (code) => resolve(code)));
  served.child.kill('SIGTERM');
  return exited;
}
