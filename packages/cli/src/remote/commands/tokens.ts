import type { Command } from 'commander';

/** `trustgate tokens`: aPI tokens: create (the secret is shown once), list, revoke. */
export function registerTokens(program: Command): Command {
  return program.command('tokens').description('API tokens: create (the secret is shown once), list, revoke');
}
