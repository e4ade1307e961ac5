/**
 * trustgate's command tree. Each command group lives in `commands/<group>.ts` (the service's in
 * `remote/commands/<group>.ts`) and exports one `register<Group>(program)` function; this file only wires them
 * together, so main.ts and the tests (shell completion walks the whole tree) build the same program.
 *
 * Start-up is paid on every call (AWS tools run `credential_process = trustgate creds ...` for each command), so a
 * group's module — and what it imports: the server, the sandbox, the AWS SDK, the IAM catalog — is loaded only when
 * one of its commands runs. The names and descriptions below are what `trustgate --help` lists without loading any
 * group; a test checks them against what the groups register. The hottest groups (`creds`, and `external-id` with
 * `trust-policy`) are also bundled whole from src/fast/, which bin/trustgate.js runs for them instead of main.ts.
 */
import type { Command } from 'commander';
import { newProgram } from './new-program.ts';

export { newProgram };

/** A command group: its top-level commands (name to description) and how to load its `register` function. */
export interface CommandGroup {
  commands: Readonly<Record<string, string>>;
  load: () => Promise<(program: Command) => void>;
}

const REMOTE_COMMANDS = {
  login:
    'Store a profile: the service URL and an API token (read from --token-file, stdin, or a prompt — never an argument), checked with the service first',
  logout: 'Remove a profile (the token stays valid on the service: revoke it with trustgate tokens revoke)',
  profiles: 'List the stored profiles (names and URLs; never the tokens)',
  organizations: "Organizations of the service (the operator's) and your own",
  users: 'Users of your organization',
  tokens: 'API tokens: create (the secret is shown once), list, revoke',
  spaces: 'Spaces that group stacks and connections',
  catalogs: 'Permission catalogs: upload (validated here first), list, show',
  access: 'Who may use a connection: grants of owner, editor, user or viewer',
  audit: 'The audit trail, with filters; --follow to keep reading',
  connections: 'Connections to AWS accounts: create, deliverables, verify, wait, rotate, revoke sessions, delete',
  stacks: 'Stacks (what runs act for) and their attachments to connections',
  attachments: 'Attachments of connections to stacks, with their phase, duration and session settings',
  completion: 'Shell completion for bash and zsh: prints a script to load in your shell',
};

/** Every group, in the order `--help` lists them. */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    commands: { config: "The service's configuration: a YAML file and TRUSTGATE_* variables (the environment wins)" },
    load: async () => (await import('./commands/config.ts')).registerConfig,
  },
  {
    commands: {
      doctor:
        'Check a configuration end to end: store and migrations, Redis, each platform identity, STS per region, the OIDC issuer, the callback route',
    },
    load: async () => (await import('./commands/doctor.ts')).registerDoctor,
  },
  {
    commands: { catalog: 'Validate and show permission catalogs.' },
    load: async () => (await import('./commands/catalog.ts')).registerCatalog,
  },
  {
    commands: { policy: "Compile a catalog selection into IAM policy documents within AWS's size limits." },
    load: async () => {
      const [policy, engine] = await Promise.all([
        import('./commands/policy.ts'),
        import('./commands/policy-engine.ts'),
      ]);
      return (program) => {
        policy.registerPolicy(program);
        engine.registerPolicyEngine(program);
      };
    },
  },
  {
    commands: {
      'trust-policy': 'Print a role trust policy: platform account/role with external IDs, service principal, or OIDC.',
      'external-id': 'Generate an external ID, check a custom one, or build scoped IDs and their patterns.',
    },
    load: async () => (await import('./commands/trust.ts')).registerTrust,
  },
  {
    commands: {
      template:
        "Write a blueprint's deliverable: CloudFormation (JSON/YAML, StackSet), Terraform, AWS CLI script or raw JSON.",
    },
    load: async () => (await import('./commands/template.ts')).registerTemplate,
  },
  {
    commands: {
      serve:
        'Run the connection service (HTTP API, OpenAPI at /openapi.json, docs at /docs). With no flags: embedded SQLite, the AWS sandbox in-process, a demo organization.',
    },
    load: async () => (await import('./commands/serve.ts')).registerServe,
  },
  {
    commands: {
      sandbox:
        'Run the AWS-compatible sandbox (STS, IAM, CloudFormation, S3, Organizations and SNS delivery over the AWS wire protocols with SigV4) on 127.0.0.1',
    },
    load: async () => (await import('./commands/sandbox.ts')).registerSandbox,
  },
  {
    commands: { issuer: "the OIDC issuer's signing keys (service operators): list, rotate, revoke" },
    load: async () => (await import('./commands/issuer.ts')).registerIssuer,
  },
  { commands: REMOTE_COMMANDS, load: async () => (await import('./remote/register-remote.ts')).registerRemote },
  {
    commands: { store: "back up and restore the service's store (SQLite or PostgreSQL)" },
    load: async () => (await import('./commands/store.ts')).registerStore,
  },
  {
    commands: { keys: 'the keys that encrypt what the service keeps at rest (OIDC signing keys, cached credentials)' },
    load: async () => (await import('./commands/keys.ts')).registerKeys,
  },
  {
    commands: {
      creds:
        "Issue a run's short-lived AWS credentials and print them: env (export lines), json, or credential-process (for credential_process in ~/.aws/config); or web-identity: write the run's OIDC token to a file and print the AWS_WEB_IDENTITY_TOKEN_FILE variables",
    },
    load: async () => (await import('./commands/creds.ts')).registerCreds,
  },
  {
    commands: {
      exec: "Run a command with a run's short-lived AWS credentials (like aws-vault exec); its exit code is passed through",
    },
    load: async () => (await import('./commands/exec.ts')).registerExec,
  },
];

/** Registers every command group on `program` (loading all of them: the server, the sandbox, the AWS SDK). */
export async function registerAll(program: Command): Promise<Command> {
  const registers = await Promise.all(COMMAND_GROUPS.map((group) => group.load()));
  for (const register of registers) register(program);
  return program;
}

/** The whole program, every command registered (what shell completion walks). */
export async function buildProgram(): Promise<Command> {
  return registerAll(newProgram());
}

/** Commands that need the whole tree loaded whatever they are (completion prints a script for every command). */
const WHOLE_TREE = new Set(['completion']);

/**
 * Registers on `program` what running `args` (the arguments after `trustgate`) needs: the group of the command they
 * name (also for `help <command>`), or every group when the command walks the tree; with no known command (`--help`,
 * `--version`, a mistyped name) only the names and descriptions, so help and commander's suggestions load nothing.
 */
export async function registerFor(program: Command, args: readonly string[]): Promise<Command> {
  const words = args.filter((a) => !a.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  if (name !== undefined && WHOLE_TREE.has(name)) return registerAll(program);
  const group = name === undefined ? undefined : COMMAND_GROUPS.find((g) => Object.hasOwn(g.commands, name));
  if (group !== undefined) {
    (await group.load())(program);
    return program;
  }
  for (const g of COMMAND_GROUPS)
    for (const [command, description] of Object.entries(g.commands)) program.command(command).description(description);
  return program;
}
