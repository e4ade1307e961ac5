import type { Command } from 'commander';

/** `trustgate spaces`: spaces that group stacks and connections. */
export function registerSpaces(program: Command): Command {
  return program.command('spaces').description('Spaces that group stacks and connections');
}
