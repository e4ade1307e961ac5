import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BIN } from '../../run-serve.ts';
import type { SecretLedger } from './secret-ledger.ts';

/** A JSON answer of the service, recorded as the place `place`. */
export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are read field by field
  body: any;
  headers: Headers;
  place: string;
}

/** A `trustgate` run; `out` names the place holding its stdout. */
export interface CliRan {
  code: number | null;
  stdout: string;
  stderr: string;
  out: string;
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<Omit<CliRan, 'out'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Requests to the service at `url` and runs of the real CLI, each recorded in `ledger`: an answer (status, headers,
 * body) as one place, a CLI run's stderr and stdout as two. Places are numbered in order. The CLI runs with this
 * process's environment but AWS_* and TRUSTGATE_*, reads no AWS file, prints stack traces (TRUSTGATE_DEBUG) and
 * calls the service at `url`.
 */
export function recordedCalls(ledger: SecretLedger, url: string, dir: string) {
  const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('TRUSTGATE_'));
  const childEnv: NodeJS.ProcessEnv = {
    ...Object.fromEntries(inherited),
    AWS_CONFIG_FILE: join(dir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TRUSTGATE_URL: url,
    TRUSTGATE_DEBUG: '1',
  };
  let n = 0;
  return {
    count: () => n,
    async api(
      method: string,
      path: string,
      o: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
    ): Promise<Answer> {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      if (o.body !== undefined || o.raw !== undefined) headers['content-type'] = 'application/json';
      const body = o.raw ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
      const res = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      const head: string[] = [];
      res.headers.forEach((value, key) => head.push(`${key}: ${value}`));
      const name = `answer #${++n} ${method} ${path.split('?')[0]} ${res.status}`;
      return {
        status: res.status,
        body: parsed,
        headers: res.headers,
        place: ledger.place(name, `${head.join('\n')}\n\n${text}`),
      };
    },
    async cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRan> {
      const ran = await run(args, { ...childEnv, ...env });
      const name = `trustgate ${args.slice(0, 8).join(' ')} #${++n}`;
      ledger.place(`${name} stderr`, ran.stderr);
      return { ...ran, out: ledger.place(`${name} stdout`, ran.stdout) };
    },
  };
}
