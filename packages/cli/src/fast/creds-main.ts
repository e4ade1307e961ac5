import { registerCreds } from '../commands/creds.ts';
import { newProgram } from '../new-program.ts';
import { runCli } from '../run-cli.ts';

/**
 * `trustgate creds` (what `credential_process` runs on every AWS call): the program main.ts builds for it (its group
 * alone, see program.ts), as an entry that the build bundles with commander, the service client and the parts of
 * @trustgate/core it uses into one CommonJS file, dist/fast/creds.cjs (scripts/bundle-fast.mjs), which
 * bin/trustgate.js runs when the first argument is `creds`. No top-level await: a CommonJS bundle has none, and runCli
 * catches every failure.
 */
const program = newProgram();
registerCreds(program);
void runCli(program, process.argv);
