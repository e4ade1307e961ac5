import type { Command } from 'commander';
import { BASH_INSTALL, bashCompletionScript } from '../completion-bash.ts';
import { ZSH_INSTALL, zshCompletionScript } from '../completion-zsh.ts';

/** The program a command belongs to (completion covers all of it, whatever registered it). */
function rootOf(command: Command): Command {
  let root = command;
  while (root.parent !== null) root = root.parent;
  return root;
}

/**
 * `trustgate completion bash|zsh`: prints a completion script generated from the program's command tree as it is
 * when the command runs, so every command (those added later too) completes, with its subcommands, options and
 * option choices.
 */
export function registerCompletion(program: Command): Command {
  const group = program
    .command('completion')
    .description('Shell completion for bash and zsh: prints a script to load in your shell')
    .addHelpText('after', `${BASH_INSTALL}\n${ZSH_INSTALL}\n`);
  group
    .command('bash')
    .description('Print the bash completion script (how to install it: trustgate completion bash --help)')
    .addHelpText('after', BASH_INSTALL)
    .action((_options: unknown, command: Command) => {
      process.stdout.write(bashCompletionScript(rootOf(command)));
    });
  group
    .command('zsh')
    .description('Print the zsh completion script (how to install it: trustgate completion zsh --help)')
    .addHelpText('after', ZSH_INSTALL)
    .action((_options: unknown, command: Command) => {
      process.stdout.write(zshCompletionScript(rootOf(command)));
    });
  return group;
}
