import { CommanderError, type Command } from 'commander';
import { isTrustgateError } from '@trustgate/core/errors';

/**
 * Runs the program and maps failures to exit codes through core's error catalog: a user's mistake prints
 * one clear line (and its findings) on stderr with exit code 2-7; anything unexpected prints a short
 * message with exit code 1 — never a stack trace unless TRUSTGATE_DEBUG is set.
 */
export async function runCli(program: Command, argv: string[]): Promise<void> {
  forEachCommand(program, (command) => command.exitOverride());
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error);
  }
}

/** Visit a command and all its subcommands (settings such as exitOverride are copied only at creation). */
function forEachCommand(command: Command, visit: (command: Command) => void): void {
  visit(command);
  for (const sub of command.commands) forEachCommand(sub, visit);
}

/** Print an error for a person and return the exit code. */
export function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : 2;
  }
  if (isTrustgateError(error)) {
    process.stderr.write(`error [${error.code}]: ${error.message}\n`);
    for (const f of error.findings) {
      process.stderr.write(`  ${f.severity} ${f.code}${f.path ? ` at ${f.path}` : ''}: ${f.message}\n`);
    }
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error [INTERNAL]: ${message}\n`);
  if (process.env.TRUSTGATE_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return 1;
}
