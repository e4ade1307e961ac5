import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * trustgate is Apache-2.0: every package installed for production (not `dev` in package-lock.json) must carry
 * a permissive licence, and the AGPL cloud-copilot siblings may only ever be devDependencies.
 */
const PERMISSIVE = new Set([
  'MIT',
  'ISC',
  'Apache-2.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  '0BSD',
  'BlueOak-1.0.0',
  'Unlicense',
  'CC0-1.0',
  'Python-2.0',
]);
const root = join(import.meta.dirname, '..');

interface LockEntry {
  dev?: boolean;
  devOptional?: boolean;
  link?: boolean;
  license?: string;
}

function licenceOf(path: string, entry: LockEntry): string {
  if (entry.license) return entry.license;
  const manifest = join(root, path, 'package.json');
  if (!existsSync(manifest)) return 'UNKNOWN';
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { license?: string | { type: string } };
  return typeof pkg.license === 'string' ? pkg.license : (pkg.license?.type ?? 'UNKNOWN');
}

/** `(MIT OR Apache-2.0)` is fine when one side is permissive; `MIT AND X` needs both. */
function isPermissive(expression: string): boolean {
  const e = expression.replace(/[()]/g, ' ').trim();
  if (/ OR /.test(e)) return e.split(/ OR /).some((p) => isPermissive(p));
  if (/ AND /.test(e)) return e.split(/ AND /).every((p) => isPermissive(p));
  return PERMISSIVE.has(e.trim());
}

describe('licences of runtime dependencies', () => {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };
  const runtime = Object.entries(lock.packages).filter(
    ([path, entry]) => path.includes('node_modules/') && !entry.dev && !entry.devOptional && !entry.link,
  );

  it('are all permissive', () => {
    expect(runtime.length).toBeGreaterThan(10);
    const offending = runtime
      .map(([path, entry]) => ({ path, licence: licenceOf(path, entry) }))
      .filter(({ licence }) => !isPermissive(licence));
    expect(offending).toEqual([]);
  });

  it('never include the AGPL @cloud-copilot packages', () => {
    const agpl = runtime
      .map(([path]) => path)
      .filter((p) => /@cloud-copilot\/iam-(simulate|expand|policy|utils)$/.test(p));
    expect(agpl).toEqual([]);
  });

  it('recognises licence expressions', () => {
    expect(isPermissive('(MIT OR GPL-3.0)')).toBe(true);
    expect(isPermissive('MIT AND GPL-3.0')).toBe(false);
    expect(isPermissive('AGPL-3.0')).toBe(false);
    expect(isPermissive('MPL-2.0')).toBe(false);
  });
});
