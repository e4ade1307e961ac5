import { Command } from 'commander';
import { runCli } from './run-cli.ts';
import { registerCatalog } from './commands/catalog.ts';
import { registerPolicy } from './commands/policy.ts';
import { registerPolicyEngine } from './commands/policy-engine.ts';
import { registerTrust } from './commands/trust.ts';
import { registerTemplate } from './commands/template.ts';
import { registerServe } from './commands/serve.ts';
import { registerSandbox } from './commands/sandbox.ts';
import { registerCreds } from './commands/creds.ts';
import { registerExec } from './commands/exec.ts';

/**
 * trustgate's command line. Each command group lives in `commands/<group>.ts` and exports one
 * `register<Group>(program)` function; this file only wires them together.
 */
const program = new Command('trustgate')
  .description("Connect customers' AWS accounts and act in them safely.")
  .version('0.1.0');

// Command groups register themselves here, one line each.
registerCatalog(program);
registerPolicy(program);
registerPolicyEngine(program);
registerTrust(program);
registerTemplate(program);
registerServe(program);
registerSandbox(program);
registerCreds(program);
registerExec(program);

await runCli(program, process.argv);
