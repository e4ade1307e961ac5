import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runServe, stopServe, type Served } from './run-serve.ts';

/** `trustgate issuer keys|rotate|revoke` against `trustgate serve` (the demo is an OIDC issuer), with the operator token. */
describe('trustgate issuer: the OIDC signing keys from the command line', () => {
  const operatorToken = `op_${randomBytes(16).toString('hex')}`;
  let served: Served;

  const cli = (args: string[], env: NodeJS.ProcessEnv = { TRUSTGATE_OPERATOR_TOKEN: operatorToken }) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'issuer', ...args, '--url', served.url], {
        env: { PATH: process.env.PATH, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.once('exit', (code) => resolve({ code, stdout, stderr }));
    });
  const jwksKids = async () =>
    ((await (await fetch(`${served.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );

  beforeAll(async () => {
    served = await runServe(['--db', ':memory:'], { TRUSTGATE_OPERATOR_TOKEN: operatorToken });
  }, 60_000);
  afterAll(async () => {
    if (served !== undefined) await stopServe(served);
  });

  it('lists, rotates and revokes; the JWKS follows', async () => {
    const listed = await cli(['keys', '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const keys = JSON.parse(listed.stdout).keys as { kid: string; state: string }[];
    expect(keys.map((k) => k.state)).toEqual(['signing']);
    const rotated = await cli(['rotate']);
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(rotated.stdout).toMatch(/gen 2 {2}RS256 {2}next {2}signs from /);
    expect(rotated.stdout).toContain(`${keys[0]!.kid}  gen 1  RS256  signing`);
    const next = rotated.stdout.split('  ')[0]!;
    expect(await jwksKids()).toEqual([next, keys[0]!.kid]);
    const revoked = await cli(['revoke', next]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout.trim().split('\n')).toHaveLength(1);
    expect(await jwksKids()).toEqual([keys[0]!.kid]);
    expect(served.output()).not.toContain(operatorToken);
  });

  it('a wrong operator token is refused (exit 4, never echoed), none is a usage error, an unknown kid exit 3', async () => {
    const wrong = `op_${randomBytes(16).toString('hex')}`;
    const refused = await cli(['keys'], { TRUSTGATE_OPERATOR_TOKEN: wrong });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/UNAUTHENTICATED.*operator token/);
    expect(refused.stderr + refused.stdout).not.toContain(wrong);
    const none = await cli(['keys'], {});
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/TRUSTGATE_OPERATOR_TOKEN/);
    const unknown = await cli(['revoke', 'no-such-kid']);
    expect(unknown.code).toBe(3);
  });
});
