import { Command } from 'commander';
import { registerCreds } from './commands/creds.ts';
import { registerExec } from './commands/exec.ts';

/**
 * trustgate's command tree. Each command group lives in `commands/<group>.ts` (the service's in
 * `remote/commands/<group>.ts`) and exports one `register<Group>(program)` function; this file only wires them
 * together, so main.ts and the tests (shell completion walks the whole tree) build the same program.
 */
export function newProgram(): Command {
  return new Command('trustgate')
    .description("Connect customers' AWS accounts and act in them safely.")
    .version('0.1.0');
}

/**
 * The run-time commands of a platform's worker. They only call the service over HTTP, so when one of them is the
 * command nothing else is loaded (the server, the sandbox, the AWS SDK): `credential_process = trustgate creds ...`
 * is run by the AWS CLI for every command and must start fast.
 */
export const WORKER_COMMANDS: Readonly<Record<string, (program: Command) => void>> = {
  creds: registerCreds,
  exec: registerExec,
};

/** Registers every command group on `program` (loading the heavy ones: the server, the sandbox, the AWS SDK). */
export async function registerAll(program: Command): Promise<Command> {
  const [catalog, policy, policyEngine, trust, template, serve, sandbox, issuer, remote, store, keys] =
    await Promise.all([
      import('./commands/catalog.ts'),
      import('./commands/policy.ts'),
      import('./commands/policy-engine.ts'),
      import('./commands/trust.ts'),
      import('./commands/template.ts'),
      import('./commands/serve.ts'),
      import('./commands/sandbox.ts'),
      import('./commands/issuer.ts'),
      import('./remote/register-remote.ts'),
      import('./commands/store.ts'),
      import('./commands/keys.ts'),
    ]);
  const [config, doctor] = await Promise.all([import('./commands/config.ts'), import('./commands/doctor.ts')]);
  // Command groups register themselves here, one line each.
  config.registerConfig(program);
  doctor.registerDoctor(program);
  catalog.registerCatalog(program);
  policy.registerPolicy(program);
  policyEngine.registerPolicyEngine(program);
  trust.registerTrust(program);
  template.registerTemplate(program);
  serve.registerServe(program);
  sandbox.registerSandbox(program);
  issuer.registerIssuer(program);
  remote.registerRemote(program);
  store.registerStore(program);
  keys.registerKeys(program);
  for (const register of Object.values(WORKER_COMMANDS)) register(program);
  return program;
}

/** The whole program, every command registered (what `trustgate --help` and shell completion see). */
export async function buildProgram(): Promise<Command> {
  return registerAll(newProgram());
}
