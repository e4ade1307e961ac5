import type { Command } from 'commander';

/** `trustgate connections`: connections to AWS accounts: create, deliverables, verify, wait, rotate, revoke sessions, delete. */
export function registerConnections(program: Command): Command {
  return program
    .command('connections')
    .description('Connections to AWS accounts: create, deliverables, verify, wait, rotate, revoke sessions, delete');
}
