import type { Command } from 'commander';

/** `trustgate stacks`: stacks (what runs act for) and their attachments to connections. */
export function registerStacks(program: Command): Command {
  return program.command('stacks').description('Stacks (what runs act for) and their attachments to connections');
}
