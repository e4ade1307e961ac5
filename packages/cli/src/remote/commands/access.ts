import type { Command } from 'commander';

/** `trustgate access`: who may use a connection: grants of owner, editor, user or viewer. */
export function registerAccess(program: Command): Command {
  return program.command('access').description('Who may use a connection: grants of owner, editor, user or viewer');
}
