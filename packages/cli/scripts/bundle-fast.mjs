// After `tsc -b` (`npm run build`, and test/global-setup.ts before the suite): bundles each fast entry,
// dist/fast/<name>-main.js, into one CommonJS file, dist/fast/<name>.cjs, holding commander, the CLI modules and the
// parts of @trustgate/core and @trustgate/client the command uses. bin/trustgate.js runs it for `external-id`,
// `trust-policy` and `creds` (what `credential_process` runs on every AWS call), so those load one file through
// Node's CommonJS loader instead of about 40 ES modules, each resolved and linked. CommonJS, not ESM: Node starts an
// ES module entry with its module loader, several ms more. It bundles tsc's JavaScript, not the sources, so the
// bundle runs exactly the code the unbundled commands run. A bundle that would import anything but a Node built-in
// fails the build: it would load a second copy of a package beside the bundled one. dist/fast/bundles.json lists
// what each bundle holds (test/lazy-load.test.ts checks the heavy parts stay out).
import { writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { relative } from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cli = fileURLToPath(new URL('..', import.meta.url));
const NAMES = ['trust', 'creds'];

const result = await build({
  absWorkingDir: cli,
  entryPoints: Object.fromEntries(NAMES.map((name) => [name, `dist/fast/${name}-main.js`])),
  outdir: 'dist/fast',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // The workspace packages resolve to their dist/ (the "default" export; "@trustgate/source" is not a condition here).
  // Chains tsc's source maps, so `node --enable-source-maps` points into the TypeScript sources.
  sourcemap: true,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const contents = {};
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.cjs')) continue;
  const foreign = output.imports.filter((i) => !builtins.has(i.path)).map((i) => i.path);
  if (foreign.length > 0) {
    process.stderr.write(`bundle-fast: ${file} imports ${foreign.join(', ')}: only Node built-ins may stay outside\n`);
    process.exit(1);
  }
  contents[relative('dist/fast', file)] = Object.keys(output.inputs).sort();
}
writeFileSync(`${cli}/dist/fast/bundles.json`, `${JSON.stringify(contents, null, 2)}\n`);
