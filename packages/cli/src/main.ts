import { runCli } from './run-cli.ts';
import { newProgram, registerAll, WORKER_COMMANDS } from './program.ts';

/**
 * trustgate's command line: the command tree is wired in program.ts. A worker's command (`creds`, `exec`) loads only
 * itself, so `credential_process = trustgate creds ...` starts fast; any other loads every group.
 */
const program = newProgram();
const worker = WORKER_COMMANDS[process.argv[2] ?? ''];
if (worker !== undefined) worker(program);
else await registerAll(program);

await runCli(program, process.argv);
