import { Command } from 'commander';

/**
 * The root `trustgate` command with no command registered: what main.ts fills in through program.ts, and what each
 * fast entry (src/fast/) registers its one group on. Kept apart from program.ts, whose group table imports every
 * command group lazily, so a fast entry's bundle holds none of them.
 */
export function newProgram(): Command {
  return new Command('trustgate')
    .description("Connect customers' AWS accounts and act in them safely.")
    .version('0.1.0');
}
