import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './run-serve.ts';

/**
 * bin/trustgate.js runs `external-id`, `trust-policy` and `creds` from their bundles (dist/fast/*.cjs), `serve` from
 * dist/fast/serve/; every other command, `help <command>` included, from dist/main.js. Both must answer alike: each case runs the bin and
 * dist/main.js itself (the unbundled program) with the same arguments and environment, and compares exit code,
 * stdout and stderr.
 */
const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trustgate-fast-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, 'tg_not-a-real-token\n', { mode: 0o600 });

function run(entry: string, args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [entry, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: dir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const NO_SERVICE = { TRUSTGATE_URL: 'http://127.0.0.1:9', TRUSTGATE_TOKEN: 'tg_not-a-real-token' };
const PLATFORM_ROLE = 'arn:aws:iam::111122223333:role/worker';
const CASES: { args: string[]; env?: NodeJS.ProcessEnv }[] = [
  { args: ['external-id', '--help'] },
  { args: ['trust-policy', '--help'] },
  { args: ['creds', '--help'] },
  { args: ['creds', '--version'] },
  { args: ['external-id', '--check', 'not valid!'] },
  { args: ['external-id', '--check', 'a-valid_external-id-0123456789'] },
  { args: ['external-id', '--bytes', '8'] },
  { args: ['external-id', '--scoped', '--account-name', 'acme', '--integration', 'i1', '--stack', 'web'] },
  {
    args: [
      'external-id',
      '--scoped',
      '--account-name',
      'acme',
      '--integration',
      'i1',
      '--stack',
      'web',
      '--phase',
      'read',
    ],
  },
  { args: ['external-id', '--patterns', '--account-name', 'acme', '--integration', 'i1'] },
  { args: ['external-id', '--parse', 'acme@i1@web@write'] },
  { args: ['external-id', '--bogus'] },
  { args: ['external-id', 'surplus'] },
  { args: ['trust-policy'] },
  { args: ['trust-policy', '--platform-role-arn', PLATFORM_ROLE, '--external-id', 'a-valid_external-id-0123456789'] },
  { args: ['trust-policy', '--platform-role-arn', 'not-an-arn', '--external-id', 'a-valid_external-id-0123456789'] },
  { args: ['trust-policy', '--partition', 'mars'] },
  { args: ['trust-policy', '--oidc-issuer', 'id.example.com', '--oidc-account', '111122223333', '--audience', 'sts'] },
  { args: ['creds'] },
  { args: ['creds', '--stack', 'web', '--phase', 'plan'] },
  { args: ['creds', '--stack', 'web', '--phase', 'read', '--format', 'yaml'] },
  { args: ['creds', '--stack', 'web', '--phase', 'read', '--format', 'credential-process'] },
  { args: ['creds', '--stack', 'web', '--phase', 'read', '--format', 'credential-process'], env: NO_SERVICE },
  { args: ['creds', '--stack', 'web', '--phase', 'read', '--format', 'web-identity'], env: NO_SERVICE },
  {
    args: ['creds', '--stack', 'web', '--phase', 'write', '--url', 'https://127.0.0.1:9', '--token-file', tokenFile],
  },
  { args: ['creds', '--stack', 'web', '--phase', 'read', '--url', 'ftp://127.0.0.1:9'], env: NO_SERVICE },
  { args: ['serve', '--help'] },
  { args: ['serve', '--bogus'] },
];

describe('the bundled commands answer as the unbundled program does', () => {
  it.each(CASES)('trustgate $args', ({ args, env = {} }) => {
    const bundled = run(BIN, args, env);
    const unbundled = run(MAIN, args, env);
    expect(bundled).toEqual(unbundled);
    expect(bundled.stdout + bundled.stderr).not.toContain('tg_not-a-real-token');
  });

  it('`trustgate external-id` prints a new 32-character ID from the bundle, as from the program', () => {
    for (const entry of [BIN, MAIN]) {
      const r = run(entry, ['external-id'], {});
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^[A-Za-z0-9_-]{32}\n$/);
    }
  });
});

describe('bin/trustgate.js picks the bundle only when it is there and no older than dist/', () => {
  // A copy of the bin beside stand-ins that say which one ran, with the tsbuildinfo times set per case.
  const cli = join(dir, 'layout/cli');
  const at = (path: string, seconds: number, text = '') => {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, text);
    utimesSync(path, seconds, seconds);
  };
  const layout = (files: Record<string, number>) => {
    rmSync(join(dir, 'layout'), { recursive: true, force: true });
    mkdirSync(join(cli, 'bin'), { recursive: true });
    copyFileSync(BIN, join(cli, 'bin/trustgate.js'));
    copyFileSync(fileURLToPath(new URL('../bin/package.json', import.meta.url)), join(cli, 'bin/package.json'));
    for (const [file, seconds] of Object.entries(files)) {
      const says = file.endsWith('.js') || file.endsWith('.cjs') ? `process.stdout.write('ran ${file}');` : '';
      at(join(dir, 'layout', file), seconds, says);
    }
  };
  const ran = (args: string[]) => run(join(cli, 'bin/trustgate.js'), args, {});

  it('runs the bundle of the command named first, dist/main.js for any other', () => {
    layout({
      'cli/dist/main.js': 100,
      'cli/dist/fast/trust.cjs': 200,
      'cli/dist/fast/creds.cjs': 200,
      'cli/dist/fast/serve/serve.js': 200,
    });
    expect(ran(['serve', '--port', '0']).stdout).toBe('ran cli/dist/fast/serve/serve.js');
    expect(ran(['sandbox']).stdout).toBe('ran cli/dist/main.js');
    expect(ran(['external-id']).stdout).toBe('ran cli/dist/fast/trust.cjs');
    expect(ran(['trust-policy', '--help']).stdout).toBe('ran cli/dist/fast/trust.cjs');
    expect(ran(['creds']).stdout).toBe('ran cli/dist/fast/creds.cjs');
    expect(ran(['help', 'creds']).stdout).toBe('ran cli/dist/main.js');
    expect(ran(['--help']).stdout).toBe('ran cli/dist/main.js');
    expect(ran(['policy', 'creds']).stdout).toBe('ran cli/dist/main.js');
  });

  it('runs dist/main.js when a tsbuildinfo of the CLI, core or the client is newer than the bundle', () => {
    const built = { 'cli/dist/main.js': 100, 'cli/dist/fast/trust.cjs': 200 };
    layout({ ...built, 'cli/dist/tsconfig.build.tsbuildinfo': 150, 'core/dist/tsconfig.build.tsbuildinfo': 150 });
    expect(ran(['external-id']).stdout).toBe('ran cli/dist/fast/trust.cjs');
    for (const stale of ['cli', 'core', 'client']) {
      layout({ ...built, [`${stale}/dist/tsconfig.build.tsbuildinfo`]: 300 });
      expect(ran(['external-id']).stdout).toBe('ran cli/dist/main.js');
    }
  });

  it("runs serve's bundle only when no tsbuildinfo of the CLI, core, the client, the server or the sandbox is newer", () => {
    const built = { 'cli/dist/main.js': 100, 'cli/dist/fast/serve/serve.js': 200 };
    layout({ ...built, 'server/dist/tsconfig.build.tsbuildinfo': 150, 'sandbox/dist/tsconfig.build.tsbuildinfo': 150 });
    expect(ran(['serve']).stdout).toBe('ran cli/dist/fast/serve/serve.js');
    for (const stale of ['cli', 'core', 'client', 'server', 'sandbox']) {
      layout({ ...built, [`${stale}/dist/tsconfig.build.tsbuildinfo`]: 300 });
      expect(ran(['serve']).stdout).toBe('ran cli/dist/main.js');
    }
  });

  it('runs dist/main.js without a bundle, and says the CLI is not built without either', () => {
    layout({ 'cli/dist/main.js': 100 });
    expect(ran(['creds']).stdout).toBe('ran cli/dist/main.js');
    layout({});
    expect(ran(['creds'])).toEqual({
      status: 1,
      stdout: '',
      stderr: 'error [INTERNAL]: trustgate is not built: run `npm run build` in the repository.\n',
    });
  });
});
