import type { Command } from 'commander';

/** `trustgate completion`: shell completion for bash and zsh. */
export function registerCompletion(program: Command): Command {
  return program.command('completion').description('Shell completion for bash and zsh');
}
