import { Option, type Command } from 'commander';
import { createTrustgateClient, type TrustgateClient } from '@trustgate/client';
import { TrustgateError } from '@trustgate/core/errors';
import { formatList, formatRecord, outputFormat, type Column, type OutputFormat } from './output.ts';
import { resolveTarget, type Target } from './target.ts';

/** The options every service command takes. */
export interface RemoteOptions {
  url?: string;
  profile?: string;
  tokenFile?: string;
  output?: string;
  timeout?: string;
}

/** What a service command's action gets: a client for the target, the output format and printers. */
export interface RemoteContext {
  client: TrustgateClient;
  target: Target;
  output: OutputFormat;
  /** Prints a list answer (table or JSON). */
  printList<T>(rows: readonly T[], columns: readonly Column<T>[]): void;
  /** Prints one object (key: value lines or JSON). */
  printRecord(record: object, fields?: readonly string[]): void;
  /** Prints a line for people (table output only; JSON output stays parseable). */
  say(line: string): void;
}

/** Adds the options every service command takes. */
export function addRemoteOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the trustgate service (default: TRUSTGATE_URL, else the profile)')
    .option('--profile <name>', 'a profile stored by trustgate login (default: TRUSTGATE_PROFILE, else default)')
    .option('--token-file <file>', 'a file holding the API token (default: TRUSTGATE_TOKEN, else the profile)')
    .addOption(new Option('-o, --output <format>', 'table for people, json for scripts').choices(['table', 'json']))
    .option('--timeout <seconds>', 'how long one request may take', '30');
}

/**
 * `--timeout` in milliseconds: a number of seconds above 0, at most a day (default 30); INVALID_INPUT naming
 * `timeout` otherwise (`--timeout=abc`, `NaN`, `1e999` and `-1` used to fall back to no timeout without a word).
 */
export function requestTimeoutMs(timeout: string | undefined): number {
  const text = (timeout ?? '30').trim();
  const seconds = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  if (!(seconds > 0 && seconds <= 86_400))
    throw new TrustgateError(
      'INVALID_INPUT',
      `--timeout ${JSON.stringify(text.slice(0, 40))}: give a number of seconds above 0 and at most 86400, such as 30.`,
      { field: 'timeout' },
    );
  return seconds * 1000;
}

/** The context of a command from its options (the target is resolved, and checked, now). */
export function remoteContext(options: RemoteOptions, env: NodeJS.ProcessEnv = process.env): RemoteContext {
  const timeoutMs = requestTimeoutMs(options.timeout);
  const target = resolveTarget({ url: options.url, profile: options.profile, tokenFile: options.tokenFile, env });
  const output = outputFormat(options.output);
  const client = createTrustgateClient({
    baseUrl: target.baseUrl,
    token: target.token,
    timeoutMs,
    refusedHint: ` (the token from ${target.tokenFrom} was refused: revoked, expired or mistyped; run trustgate login again)`,
  });
  return {
    client,
    target,
    output,
    printList: (rows, columns) => process.stdout.write(formatList(rows, columns, output)),
    printRecord: (record, fields) =>
      process.stdout.write(formatRecord(record as Record<string, unknown>, output, fields)),
    say: (line) => {
      if (output === 'table') process.stdout.write(`${line}\n`);
    },
  };
}

/**
 * A service subcommand of `parent`: `name` (with its arguments, commander syntax), the shared options, and an action
 * that gets the context, the positional arguments and the command's own options.
 */
export function remoteCommand<O extends object = Record<string, unknown>>(
  parent: Command,
  nameAndArgs: string,
  description: string,
  configure: (command: Command) => Command,
  action: (ctx: RemoteContext, args: string[], options: O & RemoteOptions) => Promise<void>,
): Command {
  const command = addRemoteOptions(configure(parent.command(nameAndArgs).description(description)));
  command.action(async (...received: unknown[]) => {
    const self = received[received.length - 1] as Command;
    const options = self.opts<O & RemoteOptions>();
    const args = received.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a : a === undefined ? [] : [a])) as string[];
    await action(remoteContext(options), args, options);
  });
  return command;
}
