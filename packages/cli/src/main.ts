import { runCli } from './run-cli.ts';
import { newProgram, registerFor } from './program.ts';

/**
 * trustgate's command line: the command tree is wired in program.ts. Only the group of the command being run is
 * loaded, so `credential_process = trustgate creds ...` and `trustgate external-id` start fast; `--help` lists
 * every command from their names and descriptions alone.
 */
await runCli(await registerFor(newProgram(), process.argv.slice(2)), process.argv);
