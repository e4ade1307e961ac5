import type { Command } from 'commander';

/** `trustgate catalogs`: permission catalogs: upload (validated here first), list, show. */
export function registerCatalogs(program: Command): Command {
  return program.command('catalogs').description('Permission catalogs: upload (validated here first), list, show');
}
