import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { COMMAND_GROUPS, newProgram, registerFor } from '../src/program.ts';
import { BIN } from './run-serve.ts';

const RECORD_LOADS = fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trustgate-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built bin with `args` and returns its exit code, output and the URL of every module it loaded. */
function loadsOf(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): { status: number | null; stdout: string; stderr: string; urls: string[] } {
  const log = join(dir, `${args.join('_').replace(/\W/g, '_')}.log`);
  const r = spawnSync(process.execPath, ['--import', RECORD_LOADS, BIN, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      TRUSTGATE_TEST_LOAD_LOG: log,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, urls: readFileSync(log, 'utf8').split('\n') };
}

/** What the fast commands must not load: the HTTP server, the AWS SDK, the store, the service, AWS's action list. */
const HEAVY = [
  /\/node_modules\/fastify\//,
  /\/node_modules\/@aws-sdk\//,
  /\/node_modules\/@smithy\//,
  /\/node_modules\/kysely\//,
  /\/node_modules\/better-sqlite3\//,
  /\/node_modules\/@cloud-copilot\/iam-data\//,
  /\/packages\/server\//,
  /\/packages\/sandbox\//,
  /\/packages\/core\/dist\/(catalog|compiler|engine|templates|blueprints)\//,
  /\/node_modules\/undici\//,
];
const heavyIn = (urls: string[]): string[] => urls.filter((u) => HEAVY.some((h) => h.test(u)));

/** The files bundled into dist/fast/<name>.cjs, as absolute paths (dist/fast/bundles.json, written by the build). */
function bundled(name: string): string[] {
  const cli = fileURLToPath(new URL('..', import.meta.url));
  const bundles = JSON.parse(readFileSync(join(cli, 'dist/fast/bundles.json'), 'utf8')) as Record<string, string[]>;
  return (bundles[`${name}.cjs`] ?? []).map((file) => resolve(cli, file));
}

/** What a fast command loads besides Node's built-ins: the bin and its one bundle, nothing else. */
const ownLoads = (urls: string[]): string[] => urls.filter((u) => u !== '' && !u.startsWith('node:'));

describe('the CLI loads only what the command it runs needs', () => {
  it('`trustgate external-id` runs its one bundle, which holds no server, AWS SDK or IAM catalog', () => {
    const r = loadsOf(['external-id']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().length).toBeGreaterThanOrEqual(32);
    expect(new Set(ownLoads(r.urls).map((u) => u.replace(/^.*\/packages\/cli\//, '')))).toEqual(
      new Set(['bin/trustgate.js', 'dist/fast/trust.cjs']),
    );
    const inside = bundled('trust');
    expect(inside.some((f) => f.endsWith('/packages/cli/dist/commands/trust.js'))).toBe(true);
    expect(heavyIn(inside)).toEqual([]);
  });

  it('`trustgate creds --format credential-process` runs its one bundle, the service client and no server (none listens: it says so)', () => {
    const args = ['creds', '--format', 'credential-process', '--stack', 'web', '--phase', 'read'];
    const r = loadsOf(args, { TRUSTGATE_URL: 'http://127.0.0.1:9', TRUSTGATE_TOKEN: 'tg_not-a-real-token' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/^error \[[A-Z_]+\]: .*127\.0\.0\.1:9/m);
    expect(r.stderr).not.toContain('tg_not-a-real-token');
    expect(new Set(ownLoads(r.urls).map((u) => u.replace(/^.*\/packages\/cli\//, '')))).toEqual(
      new Set(['bin/trustgate.js', 'dist/fast/creds.cjs']),
    );
    const inside = bundled('creds');
    expect(inside.some((f) => f.endsWith('/packages/cli/dist/commands/creds.js'))).toBe(true);
    expect(inside.some((f) => f.includes('/packages/client/dist/'))).toBe(true);
    expect(heavyIn(inside)).toEqual([]);
  });

  it('`trustgate --help` lists every command loading no command group, `serve --help` loads its group', () => {
    const help = loadsOf(['--help']);
    expect(help.status).toBe(0);
    for (const group of COMMAND_GROUPS)
      for (const name of Object.keys(group.commands)) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(help.urls.filter((u) => u.includes('/packages/cli/dist/commands/'))).toEqual([]);
    expect(heavyIn(help.urls)).toEqual([]);
    const serve = loadsOf(['serve', '--help']);
    expect(serve.status).toBe(0);
    // serve runs its bundle (dist/fast/serve/), not the program in dist/main.js.
    expect(serve.urls.some((u) => u.includes('/packages/cli/dist/fast/serve/serve.js'))).toBe(true);
    expect(serve.urls.some((u) => u.includes('/packages/cli/dist/main.js'))).toBe(false);
  });
});

describe('the command names and descriptions --help lists without loading the groups', () => {
  it('are those each group registers, in the same order', async () => {
    for (const group of COMMAND_GROUPS) {
      const program = new Command('trustgate');
      (await group.load())(program);
      expect(Object.fromEntries(program.commands.map((c) => [c.name(), c.description()]))).toEqual(group.commands);
    }
  });

  it('a command named in the arguments (also after `help`) gets its real definition, an unknown one the list', async () => {
    const policy = await registerFor(newProgram(), ['help', 'policy']);
    expect(policy.commands.map((c) => c.name())).toEqual(['policy']);
    expect(policy.commands[0]!.commands.map((c) => c.name())).toContain('check');
    const unknown = await registerFor(newProgram(), ['--verbose', 'nonsense']);
    expect(unknown.commands).toHaveLength(COMMAND_GROUPS.flatMap((g) => Object.keys(g.commands)).length);
    expect(unknown.commands.every((c) => c.commands.length === 0)).toBe(true);
  });
});
