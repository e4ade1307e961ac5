import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The packages as a user gets them: `npm pack` of each workspace (the tarballs hold dist/, built by the suite's
 * global setup), installed into an empty folder with npm (from the npm cache where it can; the registry for what it
 * lacks), then run with plain Node — no TypeScript loader, no workspace links. Install scripts are skipped: the only
 * one is better-sqlite3's native build, which `trustgate serve` needs and these commands do not.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = ['core', 'client', 'sandbox', 'server', 'console', 'cli'];
let dir: string;
let app: string;

/**
 * Runs npm without blocking the test worker: a synchronous `npm install` of a minute or more starves the worker's
 * messages to vitest, which then fails the whole run ("Timeout calling onTaskUpdate") though every test passed.
 */
const npm = async (args: string[], cwd: string): Promise<string> =>
  (await promisify(execFile)('npm', args, { cwd, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 })).stdout;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustgate-pack-'));
  const tarballs = join(dir, 'tarballs');
  app = join(dir, 'app');
  for (const d of [tarballs, app]) mkdirSync(d, { recursive: true });
  await npm(
    ['pack', '--silent', '--pack-destination', tarballs, ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`])],
    ROOT,
  );
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  await npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...files], app);
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the installed `trustgate` as npm links it, with a clean environment. */
function trustgate(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(join(app, 'node_modules/.bin/trustgate'), args, {
    cwd: app,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH, HOME: dir },
  });
}

describe('the packed packages, installed from their tarballs', { timeout: 120_000 }, () => {
  it('hold the built JavaScript and type declarations, not the sources or tests', () => {
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    for (const p of PACKAGES) {
      // Every @trustgate package is one of the tarballs, none a namesake from the registry.
      expect(lock.packages[`node_modules/@trustgate/${p}`]?.resolved).toMatch(/^file:.*\.tgz$/);
      const installed = join(app, 'node_modules/@trustgate', p);
      const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string };
      expect(manifest.version).toBe('0.1.0');
      const entries = readdirSync(installed);
      expect(entries).toContain('dist');
      expect(entries).not.toContain('src');
      expect(entries).not.toContain('test');
    }
    expect(readdirSync(join(app, 'node_modules/@trustgate/core/dist'))).toEqual(
      expect.arrayContaining(['index.js', 'index.d.ts', 'index.d.ts.map']),
    );
    expect(readdirSync(join(app, 'node_modules'))).not.toContain('tsx');
  });

  it('`trustgate --help` lists the commands', () => {
    const r = trustgate('--help');
    expect(r.status, r.stderr).toBe(0);
    for (const name of ['policy', 'external-id', 'creds', 'serve', 'connections'])
      expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it('`trustgate external-id` and `trustgate creds` run from the bundles the CLI package ships', () => {
    const fast = readdirSync(join(app, 'node_modules/@trustgate/cli/dist/fast'));
    expect(fast).toEqual(expect.arrayContaining(['trust.cjs', 'creds.cjs']));
    const id = trustgate('external-id');
    expect(id.status, id.stderr).toBe(0);
    expect(id.stdout).toMatch(/^[A-Za-z0-9_-]{32}\n$/);
    const creds = trustgate('creds', '--stack', 'web', '--phase', 'read', '--format', 'credential-process');
    expect(creds.status).toBe(2);
    expect(creds.stderr).toBe('error [INVALID_INPUT]: Which trustgate service? Pass --url URL or set TRUSTGATE_URL.\n');
  });

  it('`trustgate serve` runs from its bundle, which finds the default catalog and what it leaves outside installed', () => {
    const fast = join(app, 'node_modules/@trustgate/cli/dist/fast');
    expect(readdirSync(join(fast, 'serve'))).toEqual(expect.arrayContaining(['serve.js', 'catalog-worker.js']));
    expect(readFileSync(join(fast, 'catalogs/example.yaml'), 'utf8')).toBe(
      readFileSync(join(ROOT, 'packages/server/catalogs/example.yaml'), 'utf8'),
    );
    const help = trustgate('serve', '--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toMatch(/^Usage: trustgate serve /m);
  });

  it('@trustgate/server ships its default catalog, which the installed `trustgate catalog` reads', () => {
    // The file serve loads when no catalog is configured, resolved by the installed module itself.
    const found = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', "console.log((await import('@trustgate/server')).DEFAULT_CATALOG_FILE)"],
      { cwd: app, encoding: 'utf8', timeout: 60_000 },
    );
    expect(found.status, found.stderr).toBe(0);
    const file = found.stdout.trim();
    expect(file).toBe(join(realpathSync(app), 'node_modules/@trustgate/server/catalogs/example.yaml'));
    expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(ROOT, 'catalogs/example.yaml'), 'utf8'));
    const r = trustgate('catalog', 'validate', file);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^valid: example.yaml — 4 products/);
  });

  it("`trustgate policy` compiles the default catalog's default selection into IAM policy documents", () => {
    const example = join(app, 'node_modules/@trustgate/server/catalogs/example.yaml');
    const r = trustgate('policy', '--catalog', example, '--default', '--format', 'json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      partition: string;
      documents: { document: { Version: string; Statement: { Effect: string; Action: string[] }[] } }[];
    };
    expect(out.partition).toBe('aws');
    expect(out.documents.length).toBeGreaterThan(0);
    const statements = out.documents.flatMap((d) => d.document.Statement);
    expect(out.documents.every((d) => d.document.Version === '2012-10-17')).toBe(true);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(statements.flatMap((s) => s.Action)).toContain('autoscaling:DescribeAutoScalingGroups');
  });

  it('a plain Node ESM program imports @trustgate/core (and a subpath) and uses it', () => {
    writeFileSync(
      join(app, 'use-core.mjs'),
      [
        "import { buildTrustPolicy, generateExternalId, isTrustgateError, validateExternalId } from '@trustgate/core';",
        "import { scopedExternalId } from '@trustgate/core/external-id';",
        'const externalId = generateExternalId();',
        'const trust = buildTrustPolicy({',
        "  partition: 'aws',",
        "  principals: [{ type: 'role', roleArn: 'arn:aws:iam::111122223333:role/worker', externalId: { ids: [externalId] } }],",
        '});',
        "let refused = '';",
        "try { buildTrustPolicy({ partition: 'aws', principals: [{ type: 'role', roleArn: 'not-an-arn', externalId: { ids: [externalId] } }] }); } catch (e) { refused = isTrustgateError(e) ? e.code : 'other'; }",
        'console.log(JSON.stringify({ externalId, findings: validateExternalId(externalId, "id").length,',
        "  scoped: scopedExternalId({ accountName: 'acme', integrationId: 'i1', stackSlug: 'prod', phase: 'read' }),",
        '  trust: trust.document, refused }));',
      ].join('\n'),
    );
    const r = spawnSync(process.execPath, ['use-core.mjs'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      externalId: string;
      findings: number;
      scoped: string;
      trust: unknown;
      refused: string;
    };
    expect(out.findings).toBe(0);
    expect(out.scoped).toBe('acme@i1@prod@read');
    expect(JSON.stringify(out.trust)).toContain(out.externalId);
    expect(JSON.stringify(out.trust)).toContain('arn:aws:iam::111122223333:role/worker');
    expect(out.refused).toMatch(/^INVALID_/);
  });
});
