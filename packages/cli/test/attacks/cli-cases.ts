import fc from 'fast-check';
import type { Command, Option } from 'commander';

/**
 * The bad invocations of every command of the `trustgate` program, generated from its commander tree (a command or
 * option added later is attacked with no change here). Each case is an argument list that is wrong for sure, so
 * the command must refuse it before doing anything: an option the command does not have, an option's value left
 * out, a value outside an option's choices, a required argument left out, one argument too many, and a bad value
 * (fast-check, seeded) for every option that takes one and every positional argument of the commands that compute
 * locally (see {@link PURE_GROUPS}) and of those that talk to the service ({@link isServiceCommand}).
 */
export interface CliCase {
  /** `connections create`. */
  command: string;
  kind: string;
  args: string[];
  /** Whether the value may be accepted (a free-text value the command takes as it is): then exit 0 is not a failure. */
  mayBeAccepted: boolean;
}

/**
 * Commands that talk to the service (they take `--url`): given bad values too, run against a real service, whose
 * refusal (a 4xx naming the field) the command must turn into an exit code and a message. `login` is left out: it
 * reads a token from stdin or a prompt, which a case in this process cannot give it.
 */
export function isServiceCommand(path: readonly string[], command: Command): boolean {
  return path[0] !== 'login' && command.options.some((o) => o.long === '--url');
}

/** Top-level groups whose commands compute locally (no service, no server started, no file written). */
export const PURE_GROUPS: ReadonlySet<string> = new Set([
  'catalog',
  'policy',
  'trust-policy',
  'external-id',
  'template',
]);

/** Bad values for an option or argument: what a badly pasted or hostile value holds. */
export const BAD_ARGUMENTS: readonly string[] = [
  '',
  ' ',
  '-1',
  '0',
  '1e999',
  'NaN',
  '99999999999999999999',
  '12345678901',
  '1234567890123',
  'arn:aws:iam::12345678901:role/x',
  'arn:aws-moon:iam::123456789012:role/x',
  'arn::::',
  'arn:aws:iam::123456789012',
  'a\u0007b',
  'line\nbreak',
  '\u001b[31mred\u001b[0m',
  'abc\u202Edcba',
  '\u2066isolate\u2069',
  "' OR '1'='1' --",
  '$(id)',
  '../../../../etc/passwd',
  '/nonexistent/dir/file.yaml',
  '{{7*7}}',
  '__proto__',
  'x'.repeat(100_000),
  '\uFFFD\uFFFD',
];

/** Every command without subcommands, with its path of names (`connections create`). */
export function leafCommands(program: Command): { path: string[]; command: Command }[] {
  const out: { path: string[]; command: Command }[] = [];
  const walk = (command: Command, path: string[]) => {
    if (command.commands.length === 0 && path.length > 0) out.push({ path, command });
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  walk(program, []);
  return out;
}

/** A valid-looking value for a positional argument, so the case has only the one thing wrong. */
function placeholder(name: string): string {
  return name.endsWith('file') || name === 'files' ? 'catalog.yaml' : `x-${name}`;
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}

/** Options that take a value (`--port <n>`), not flags and not `--help`/`--version`. */
function valueOptions(command: Command): Option[] {
  return command.options.filter((o) => (o.required || o.optional) && o.long !== '--version');
}

/** Every bad invocation of one command; `runsPerOption` bad values drawn for each value of a pure command. */
export function cliCasesFor(
  path: string[],
  command: Command,
  options: { seed: number; runsPerOption: number },
): CliCase[] {
  const name = path.join(' ');
  const required = command.registeredArguments.filter((a) => a.required);
  const positional = command.registeredArguments.map((a) => placeholder(a.name()));
  const variadic = command.registeredArguments.some((a) => a.variadic);
  const cases: CliCase[] = [];
  const withValues = PURE_GROUPS.has(path[0] ?? '') || isServiceCommand(path, command);
  const add = (kind: string, args: string[], mayBeAccepted = false) =>
    cases.push({ command: name, kind, args: [...path, ...args], mayBeAccepted });

  add('unknown option', [...positional, '--not-an-option']);
  add('unknown option with a value', [...positional, '--not-an-option=1']);
  if (required.length > 0) add('required argument missing', []);
  if (!variadic) add('one argument too many', [...positional, 'extra-argument']);
  for (const option of valueOptions(command)) {
    const flag = option.long ?? option.short ?? '';
    if (option.required) add(`${flag}: value missing`, [...positional, flag]);
    const choices = option.argChoices;
    const draw = (salt: string) =>
      fc.sample(fc.constantFrom(...BAD_ARGUMENTS), {
        seed: options.seed ^ hash(`${name} ${flag} ${salt}`),
        numRuns: options.runsPerOption,
      });
    if (choices !== undefined) {
      for (const value of new Set(draw('choice').filter((v) => !choices.includes(v))))
        add(`${flag}: not one of its choices`, [...positional, `${flag}=${value}`]);
    } else if (withValues) {
      for (const value of new Set(draw('value'))) add(`${flag}: bad value`, [...positional, `${flag}=${value}`], true);
    }
  }
  if (withValues)
    command.registeredArguments.forEach((argument, i) => {
      const draw = fc.sample(fc.constantFrom(...BAD_ARGUMENTS), {
        seed: options.seed ^ hash(`${name} ${argument.name()}`),
        numRuns: options.runsPerOption,
      });
      for (const value of new Set(draw)) {
        const args = [...positional];
        args[i] = value;
        add(`<${argument.name()}>: bad value`, args, true);
      }
    });
  return cases;
}

/** What leaks the CLI's insides: a stack frame, a source path. */
const INTERNALS = /\n\s+at |\bat [\w.<>]+ \(|node_modules|file:\/\/|\.ts:\d+/;

/**
 * What is wrong with a command's answer to a bad invocation, or undefined when it refused it well: an exit code of
 * a user's mistake (2-7: never 0, never 1, the code of trustgate's own failures), a message on stderr, no stack
 * trace or source path. A case whose value may be accepted may also exit 0.
 */
export function cliProblem(
  c: CliCase,
  run: { code: number | null; stdout: string; stderr: string },
): string | undefined {
  if (INTERNALS.test(run.stderr) || INTERNALS.test(run.stdout))
    return `leaks internals: ${(run.stderr || run.stdout).slice(0, 300)}`;
  if (run.code === 0) return c.mayBeAccepted ? undefined : `exit 0: ${run.stdout.slice(0, 200)}`;
  if (run.code === null || run.code < 2 || run.code > 7)
    return `exit ${run.code} (not a user's mistake's 2-7): ${run.stderr.slice(0, 300)}`;
  if (run.stderr.trim().length === 0) return `exit ${run.code} with no message on stderr`;
  return undefined;
}
