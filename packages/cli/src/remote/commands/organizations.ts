import type { Command } from 'commander';

/** `trustgate organizations`: organizations of the service (the operator's) and your own. */
export function registerOrganizations(program: Command): Command {
  return program.command('organizations').description("Organizations of the service (the operator's) and your own");
}
