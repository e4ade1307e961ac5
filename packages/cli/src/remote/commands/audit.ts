import type { Command } from 'commander';

/** `trustgate audit`: the audit trail, with filters; --follow to keep reading. */
export function registerAudit(program: Command): Command {
  return program.command('audit').description('The audit trail, with filters; --follow to keep reading');
}
