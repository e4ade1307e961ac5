#!/usr/bin/env node
'use strict';
// CommonJS (bin/package.json): its globals, and require() rather than import (see below).
/* global require, __dirname, process */
/* eslint-disable @typescript-eslint/no-require-imports */
// Entry point (CommonJS, see bin/package.json: an ES module entry costs Node its module loader, several ms on every
// call). It runs the CLI built to JavaScript in ../dist (`npm run build`; `npm ci` builds through the root `prepare`
// script), so no TypeScript loader is paid on start-up. The commands AWS tools run on every call (`credential_process =
// trustgate creds ...`) and `external-id`/`trust-policy` run from one bundled file each, dist/fast/<name>.cjs
// (scripts/bundle-fast.mjs), chosen here from the first argument before anything else loads; every other command
// runs dist/main.js, which loads only the group of the command it runs (src/program.ts), as do these when their
// bundle is missing or older than dist/. A bundle holds the same program main.ts builds for its commands, so both
// paths answer alike (test/fast-bundle.test.ts).
const { existsSync, statSync } = require('node:fs');
const { join } = require('node:path');

// trustgate targets the machine's Node 20, which the AWS SDK supports until January 2027; its start-up notice about
// that would otherwise open every command's output. Set the variable to 'false' to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/**
 * The first argument that runs a bundle, to the bundle under dist/fast (src/fast/<name>-main.ts) and the packages whose
 * build it holds: `serve`'s is an ES module bundle in chunks holding the server and the sandbox too.
 */
const CLIENT = ['../dist', '../../core/dist', '../../client/dist'];
const SERVER = [...CLIENT, '../../server/dist', '../../sandbox/dist'];
const FAST = {
  'external-id': { file: 'trust.cjs', from: CLIENT },
  'trust-policy': { file: 'trust.cjs', from: CLIENT },
  creds: { file: 'creds.cjs', from: CLIENT },
  serve: { file: 'serve/serve.js', from: SERVER, esm: true },
};

/**
 * Whether the bundle at `file` exists and is no older than the JavaScript it was made from: in a checkout, a `tsc -b`
 * run alone (not `npm run build`) after an edit of the CLI, core or the client leaves a tsbuildinfo newer than the
 * bundle, and the command then runs unbundled rather than stale. Installed packages ship no tsbuildinfo.
 */
function fresh(file, from) {
  let built;
  try {
    built = statSync(file).mtimeMs;
  } catch {
    return false;
  }
  for (const dist of from) {
    try {
      if (statSync(join(__dirname, dist, 'tsconfig.build.tsbuildinfo')).mtimeMs > built) return false;
    } catch {
      // not a checkout, or that package not built here: nothing to compare
    }
  }
  return true;
}

const first = process.argv[2];
const fast = first !== undefined && Object.hasOwn(FAST, first) ? FAST[first] : undefined;
const bundle = fast === undefined ? undefined : join(__dirname, '../dist/fast', fast.file);
if (bundle !== undefined && fresh(bundle, fast.from)) {
  if (fast.esm) void import(require('node:url').pathToFileURL(bundle).href);
  else require(bundle);
} else {
  const main = join(__dirname, '../dist/main.js');
  if (!existsSync(main)) {
    process.stderr.write('error [INTERNAL]: trustgate is not built: run `npm run build` in the repository.\n');
    process.exit(1);
  }
  void import(require('node:url').pathToFileURL(main).href);
}
