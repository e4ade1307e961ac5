import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Every dependency of every workspace is pinned to an exact version, so a fresh install is reproducible. */
const root = join(import.meta.dirname, '..');
const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
const manifests = ['.', ...rootPkg.workspaces];

describe('pinned dependency versions', () => {
  it.each(manifests)('%s/package.json pins exact versions', (dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    const loose: string[] = [];
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      for (const [name, version] of Object.entries(pkg[field] ?? {})) {
        if (!/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) loose.push(`${field}.${name}@${version}`);
      }
    }
    expect(loose).toEqual([]);
  });
});
