import type { Command } from 'commander';

/** `trustgate users`: users of your organization. */
export function registerUsers(program: Command): Command {
  return program.command('users').description('Users of your organization');
}
