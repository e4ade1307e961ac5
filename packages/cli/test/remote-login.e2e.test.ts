import { mkdtemp, readFile, rm, stat, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_AWS, startTestService, type TestService } from '../../server/test/service-harness.ts';
import { runTrustgate } from './run-trustgate.ts';

let t: TestService;
let org: { adminToken: string };
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  t = await startTestService({ dialect: 'sqlite', partitions: NO_AWS });
  org = await t.newOrganization('login-e2e');
  dir = await mkdtemp(join(tmpdir(), 'trustgate-login-'));
  env = { TRUSTGATE_CONFIG: join(dir, 'config.yaml') };
});
afterAll(async () => {
  await t.close();
  await rm(dir, { recursive: true, force: true });
});

describe('trustgate login, profiles and logout', () => {
  it('stores a checked profile with mode 0600 from stdin, lists it without the token, and removes it', async () => {
    const login = await runTrustgate(['login', '--url', t.url, '--profile', 'prod'], {
      env,
      input: `${org.adminToken}\n`,
    });
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/Logged in to http:\/\/127\.0\.0\.1:\d+ as login-e2e admin \(admin/);
    const file = env.TRUSTGATE_CONFIG!;
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toContain(org.adminToken);

    const listed = await runTrustgate(['profiles', '--output', 'json'], { env: { ...env, TRUSTGATE_PROFILE: 'prod' } });
    expect(JSON.parse(listed.stdout)).toEqual([{ name: 'prod', url: t.url, current: true }]);

    for (const run of [login, listed]) expect(run.stdout + run.stderr).not.toContain(org.adminToken);

    const out = await runTrustgate(['logout', '--profile', 'prod'], { env });
    expect(out.code).toBe(0);
    expect(await readFile(file, 'utf8')).not.toContain(org.adminToken);
    const again = await runTrustgate(['logout', '--profile', 'prod'], { env });
    expect(again.code).toBe(3);
    expect(again.stderr).toMatch(/No profile prod/);
  });

  it('refuses a wrong token before storing anything, without quoting it, with the catalog\u2019s exit code', async () => {
    const wrong = `tg_${'B'.repeat(43)}`;
    const run = await runTrustgate(['login', '--url', t.url, '--profile', 'bad'], { env, input: wrong });
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/UNAUTHENTICATED.*nothing was stored/);
    expect(run.stdout + run.stderr).not.toContain(wrong);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const listed = await runTrustgate(['profiles', '--output', 'json'], { env });
    expect(JSON.parse(listed.stdout)).toEqual([]);
  });

  it('refuses a config file others may read, and a URL that would send the token in clear', async () => {
    const loose = join(dir, 'loose.yaml');
    await writeFile(loose, `profiles:\n  default:\n    url: ${t.url}\n    token: ${org.adminToken}\n`);
    await chmod(loose, 0o644);
    const run = await runTrustgate(['profiles'], { env: { TRUSTGATE_CONFIG: loose } });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/chmod 600/);
    expect(run.stderr).not.toContain(org.adminToken);

    const clear = await runTrustgate(['login', '--url', 'http://trustgate.example.com'], {
      env,
      input: org.adminToken,
    });
    expect(clear.code).toBe(2);
    expect(clear.stderr).toMatch(/use https/);
  });
});
