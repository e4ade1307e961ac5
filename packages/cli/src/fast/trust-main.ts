import { registerTrust } from '../commands/trust.ts';
import { newProgram } from '../new-program.ts';
import { runCli } from '../run-cli.ts';

/**
 * `trustgate external-id` and `trustgate trust-policy`: the program main.ts builds for these commands (their group
 * alone, see program.ts), as an entry that the build bundles with commander and the parts of @trustgate/core it uses
 * into one CommonJS file, dist/fast/trust.cjs (scripts/bundle-fast.mjs), which bin/trustgate.js runs when the first
 * argument names one of them. No top-level await: a CommonJS bundle has none, and runCli catches every failure.
 */
const program = newProgram();
registerTrust(program);
void runCli(program, process.argv);
