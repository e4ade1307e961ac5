import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, runServe, stopServe, type Served } from './run-serve.ts';

/**
 * `trustgate serve`'s operator token (the bearer token that may create organizations) given the three ways: the
 * environment variable and a file, which no other local user can read, and the `--operator-token` flag, which every
 * local user sees in `ps` — still honoured, with a warning on stderr saying what to use instead.
 */
const WARNING =
  /warning: --operator-token is visible to every local user .*set TRUSTGATE_OPERATOR_TOKEN or use --operator-token-file instead/;

async function createOrganization(served: Served, token: string): Promise<number> {
  const res = await fetch(`${served.url}/v1/organizations`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: `Org ${randomBytes(3).toString('hex')}`,
      adminEmail: 'admin@org.test',
      adminName: 'Admin',
    }),
  });
  return res.status;
}

/** Runs `trustgate serve ARGS` expected to refuse before starting; returns its exit code and stderr. */
async function refused(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', ':memory:', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // One that starts after all is stopped (exit code null), so the assertion, not the test's timeout, says so.
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stderr };
}

describe('trustgate serve: the operator token', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-operator-token-'));
  const withoutEnv = { TRUSTGATE_OPERATOR_TOKEN: undefined };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is read from TRUSTGATE_OPERATOR_TOKEN or --operator-token-file without a warning; --operator-token still works but warns on stderr', async () => {
    const fromEnv = `op_env_${randomBytes(12).toString('hex')}`;
    const fromFile = `op_file_${randomBytes(12).toString('hex')}`;
    const fromFlag = `op_flag_${randomBytes(12).toString('hex')}`;
    const file = join(dir, 'operator-token');
    writeFileSync(file, `${fromFile}\n`, { mode: 0o600 });
    const ways: [string, string, Promise<Served>][] = [
      ['environment', fromEnv, runServe(['--db', ':memory:'], { TRUSTGATE_OPERATOR_TOKEN: fromEnv })],
      // The file wins over the environment variable: a deployment can set one default and a file per instance.
      [
        'file',
        fromFile,
        runServe(['--db', ':memory:', '--operator-token-file', file], { TRUSTGATE_OPERATOR_TOKEN: fromEnv }),
      ],
      ['flag', fromFlag, runServe(['--db', ':memory:', '--operator-token', fromFlag], withoutEnv)],
    ];
    const started = await Promise.allSettled(ways.map(([, , s]) => s));
    const served = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    try {
      for (const [i, r] of started.entries())
        if (r.status === 'rejected') throw new Error(`${ways[i]![0]}: ${String(r.reason)}`);
      for (const [i, [way, token]] of ways.entries()) {
        const s = served[i]!;
        expect(await createOrganization(s, token), way).toBe(201);
        expect(await createOrganization(s, `op_wrong_${randomBytes(12).toString('hex')}`), way).toBe(401);
        if (way === 'flag') expect(s.stderr(), way).toMatch(WARNING);
        else expect(s.stderr(), way).not.toMatch(/warning/);
        // Never printed back, whichever way it came.
        expect(s.output(), way).not.toContain(token);
      }
      expect(await createOrganization(served[1]!, fromEnv), 'the file, not the environment').toBe(401);
    } finally {
      for (const s of served) expect(await stopServe(s)).toBe(0);
    }
  }, 120_000);

  it('refuses the flag and a file together, an unreadable file and a token under 16 characters, before starting', async () => {
    const file = join(dir, 'short-token');
    writeFileSync(file, 'short\n');
    const cases: [string, string[], NodeJS.ProcessEnv, number, RegExp][] = [
      [
        'flag and file',
        ['--operator-token', `op_${'x'.repeat(20)}`, '--operator-token-file', file],
        withoutEnv,
        2,
        /INVALID_INPUT.*once/,
      ],
      [
        'missing file',
        ['--operator-token-file', join(dir, 'no-such-file')],
        withoutEnv,
        2,
        /FILE_NOT_READABLE.*--operator-token-file/,
      ],
      [
        'short file',
        ['--operator-token-file', file],
        withoutEnv,
        2,
        /INVALID_INPUT.*--operator-token-file.*16 characters/,
      ],
      [
        'short variable',
        [],
        { TRUSTGATE_OPERATOR_TOKEN: 'short' },
        2,
        /INVALID_INPUT.*TRUSTGATE_OPERATOR_TOKEN.*16 characters/,
      ],
    ];
    const results = await Promise.all(cases.map(([, args, env]) => refused(args, env)));
    for (const [i, [what, , , code, says]] of cases.entries()) {
      expect(results[i]!.code, `${what}: ${results[i]!.stderr}`).toBe(code);
      expect(results[i]!.stderr, what).toMatch(says);
      expect(results[i]!.stderr, what).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
  }, 60_000);
});
