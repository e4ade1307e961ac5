import { registerServe } from '../commands/serve.ts';
import { newProgram } from '../new-program.ts';
import { runCli } from '../run-cli.ts';

/**
 * `trustgate serve`: the program main.ts builds for it (its group alone, see program.ts), as an entry that the build
 * bundles with the server, the sandbox and their dependencies into dist/fast/serve/ (an ES module bundle in chunks:
 * the server's modules load as a few files, not about 1,450 resolved and linked one by one; scripts/bundle-fast.mjs),
 * which bin/trustgate.js runs when the first argument is `serve`.
 */
const program = newProgram();
registerServe(program);
void runCli(program, process.argv);
