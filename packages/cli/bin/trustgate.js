#!/usr/bin/env node
// Entry point: runs the CLI built to JavaScript in ../dist (`npm run build`; `npm ci` builds through the root
// `prepare` script), so no TypeScript loader is paid on start-up.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

// trustgate targets the machine's Node 20, which the AWS SDK supports until January 2027; its start-up notice
// about that would otherwise open every command's output. Set the variable to 'false' to see it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('error [INTERNAL]: trustgate is not built: run `npm run build` in the repository.\n');
  process.exit(1);
}
await import(main.href);
