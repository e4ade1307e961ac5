import type { Command } from 'commander';

/** `trustgate attachments`: attachments of connections to stacks, with their phase, duration and session settings. */
export function registerAttachments(program: Command): Command {
  return program
    .command('attachments')
    .description('Attachments of connections to stacks, with their phase, duration and session settings');
}
