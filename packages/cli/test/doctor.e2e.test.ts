import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { runServe, stopServe, type Served } from './run-serve.ts';
import { runTrustgate } from './run-trustgate.ts';

/**
 * `trustgate doctor` against a working configuration (the sandbox as AWS, reached with a named profile; SQLite;
 * Redis; a running `trustgate serve` started from the same file) and a broken one (PostgreSQL and Redis on closed
 * ports, a missing profile, an issuer that does not resolve, no service): progress per check, each problem with
 * its fix, the exit code, and no secret in the output.
 */
describe('trustgate doctor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trustgate-doctor-'));
  const cacheKey = randomBytes(32).toString('base64');
  let sandbox: Sandbox;
  let served: Served;
  let env: NodeJS.ProcessEnv;
  const good = join(dir, 'good.yaml');

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1 });
    const platform = sandbox.accounts[0]!;
    writeFileSync(
      join(dir, 'credentials'),
      `[platform]\naws_access_key_id = ${platform.accessKeyId}\naws_secret_access_key = ${platform.secretAccessKey}\n`,
    );
    writeFileSync(join(dir, 'config'), '');
    env = {
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_CONFIG_FILE: join(dir, 'config'),
      TRUSTGATE_CACHE_KEY: cacheKey,
    };
    writeFileSync(
      good,
      [
        'store:',
        `  url: ${join(dir, 'trustgate.db')}`,
        'listen:',
        '  port: 1',
        'aws:',
        '  mode: default',
        '  partitions:',
        '    aws:',
        '      profile: platform',
        `      endpoint: ${sandbox.endpoint}`,
        `      region: ${sandbox.region}`,
        '      stsRegions: [us-east-1, eu-west-1]',
        'cache:',
        '  redisUrl: redis://127.0.0.1:6379',
        'log:',
        '  level: error',
        '',
      ].join('\n'),
    );
    // --port 0 (runServe's flag) wins over the file's listen.port 1.
    served = await runServe(['--config', good], env);
  }, 60_000);

  afterAll(async () => {
    if (served !== undefined) await stopServe(served);
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes every check of a working configuration, showing each as it goes', async () => {
    expect(new URL(served.url).port).not.toBe('1');
    // The environment wins over the file: doctor reaches the running service at its real URL.
    const run = await runTrustgate(['doctor', '--config', good], { env: { ...env, TRUSTGATE_PUBLIC_URL: served.url } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe(`configuration ${good}: valid`);
    expect(lines.slice(1, -1)).toEqual([
      expect.stringMatching(/^\[1\/6\] store .*trustgate\.db \.\.\. ok: reachable \(sqlite\), migrations applied$/),
      '[2/6] Redis cache redis://127.0.0.1:6379 ... ok: reachable (PING PONG), key of 32 bytes',
      expect.stringMatching(
        new RegExp(
          `^\\[3/6\\] platform identity in aws \\(profile platform\\) \\.\\.\\. ok: arn:aws:iam::${sandbox.accounts[0]!.accountId}:\\S+ \\(account ${sandbox.accounts[0]!.accountId}\\)$`,
        ),
      ),
      '[4/6] STS in us-east-1 (aws) ... ok: reachable, the platform identity is valid there',
      '[5/6] STS in eu-west-1 (aws) ... ok: reachable, the platform identity is valid there',
      expect.stringMatching(
        /^\[6\/6\] callback route http:\/\/127\.0\.0\.1:\d+\/v1\/callbacks\/cloudformation \.\.\. ok: answered \(HTTP 4\d\d/,
      ),
    ]);
    expect(lines.at(-1)).toBe('all checks passed');
    expect(run.stdout).not.toContain(cacheKey);
  }, 60_000);

  it('names each problem of a broken configuration with its fix and exits 6', async () => {
    const broken = join(dir, 'broken.yaml');
    writeFileSync(
      broken,
      [
        'store:',
        '  url: postgres://trustgate:hunter2hunter2@127.0.0.1:1/test',
        'publicUrl: http://127.0.0.1:1',
        'aws:',
        '  mode: default',
        '  partitions:',
        '    aws:',
        '      profile: nobody',
        `      endpoint: ${sandbox.endpoint}`,
        'cache:',
        '  redisUrl: redis://127.0.0.1:1',
        'oidc:',
        '  issuer: https://oidc.trustgate.invalid',
        '',
      ].join('\n'),
    );
    const identityKey = randomBytes(32).toString('base64');
    const run = await runTrustgate(['doctor', '--config', broken], {
      env: { ...env, TRUSTGATE_IDENTITY_KEY: identityKey },
    });
    expect(run.code).toBe(6);
    const out = run.stdout;
    expect(out).toMatch(
      /\[1\/6\] store postgres:\/\/\*\*\*@127\.0\.0\.1:1\/test \.\.\. FAILED: cannot open the store: .*ECONNREFUSED/,
    );
    expect(out).toContain('fix: check store.url (TRUSTGATE_STORE_URL): is PostgreSQL running');
    expect(out).toMatch(
      /\[2\/6\] Redis cache redis:\/\/127\.0\.0\.1:1 \.\.\. FAILED: cannot reach Redis: .*ECONNREFUSED/,
    );
    expect(out).toMatch(/\[3\/6\] platform identity in aws \(profile nobody\) \.\.\. FAILED: .*nobody/);
    expect(out).toContain('fix: check that profile nobody exists');
    // The sandbox's endpoint answers, though no identity signs: reachable, and the identity is named as the problem.
    expect(out).toContain('[4/6] STS in us-east-1 (aws) ... ok: reachable (HTTP');
    expect(out).toMatch(
      /\[5\/6\] OIDC issuer https:\/\/oidc\.trustgate\.invalid \.\.\. FAILED: cannot read the discovery document/,
    );
    expect(out).toMatch(
      /\[6\/6\] callback route http:\/\/127\.0\.0\.1:1\/v1\/callbacks\/cloudformation \.\.\. FAILED: cannot reach the service/,
    );
    expect(out).toContain('fix: start trustgate serve with this configuration');
    expect(out.trim().split('\n').at(-1)).toBe('5 of 6 checks failed');
    for (const secret of ['hunter2hunter2', cacheKey, identityKey]) expect(out + run.stderr).not.toContain(secret);
  }, 60_000);

  it('finds a store whose migrations were never applied, and changes nothing', async () => {
    const fresh = join(dir, 'fresh.db');
    const run = await runTrustgate(['doctor'], { env: { TRUSTGATE_STORE_URL: fresh, TRUSTGATE_LISTEN_PORT: '1' } });
    expect(run.code).toBe(6);
    expect(run.stdout).toMatch(
      /\[1\/3\] store .*fresh\.db \.\.\. FAILED: reachable \(sqlite\), but \d+ migration\(s\) not applied: 0001-/,
    );
    expect(run.stdout).toContain('fix: start trustgate serve once with this configuration');
    expect(run.stdout).toContain('[2/3] AWS ... ok: aws.mode sandbox: serve starts the AWS sandbox in-process');
    const again = await runTrustgate(['doctor'], { env: { TRUSTGATE_STORE_URL: fresh, TRUSTGATE_LISTEN_PORT: '1' } });
    expect(again.stdout).toContain('migration(s) not applied');
  });

  it('stops at an invalid configuration, naming the setting (exit 2)', async () => {
    const run = await runTrustgate(['doctor'], { env: { TRUSTGATE_STS_RATE_PER_SECOND: 'fast' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/TRUSTGATE_STS_RATE_PER_SECOND \(sts\.ratePerSecond\): .*number/);
    expect(run.stdout).toBe('');
  });
});
