/**
 * cfn-lint as the deliverable tests run it, and the one rule for when its run shows the templates clean.
 *
 * cfn-lint's exit status is a bit mask (cfn-lint's runner, `cfnlint/runner/cli.py`): 2 = errors, 4 = warnings,
 * 8 = informational findings. 1 means cfn-lint failed before or instead of linting — bad arguments, a
 * configuration file (`.cfnlintrc` in the working folder or home, `--config-file`) it cannot parse, a crash —
 * and then it prints no E line at all, whatever the templates hold. Other codes (32 for an unsupported region)
 * are failures to run as well. So a run is clean only when cfn-lint started, exited by itself with nothing but
 * the warning and informational bits, and printed no error line.
 */
import { spawnSync } from 'node:child_process';
import { expect } from 'vitest';

/** One run of cfn-lint over some templates. */
export interface CfnLintRun {
  /** Exit status; null when the process did not exit by itself (or never started). */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started (cfn-lint not installed, not executable). */
  error?: Error;
}

/** Options of {@link runCfnLint}. */
export interface CfnLintOptions {
  /** Working folder (where cfn-lint looks for `.cfnlintrc`); default the test process's. */
  cwd?: string;
  /** The executable; default `cfn-lint` on the PATH. */
  command?: string;
}

/** The exit bits of findings cfn-lint reports without failing a template: warnings (4) and informational (8). */
const FINDING_BITS = 4 | 8;
/** An error line of `--format parseable`: `file:line:col:endline:endcol:E3012:message`. */
const ERROR_LINE = /:E\d+:/;

/** Runs `cfn-lint --format parseable -- <files>`. */
export function runCfnLint(files: string[], options: CfnLintOptions = {}): CfnLintRun {
  const r = spawnSync(options.command ?? 'cfn-lint', ['--format', 'parseable', '--', ...files], {
    encoding: 'utf8',
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    ...(r.error ? { error: r.error } : {}),
  };
}

/**
 * Why `run` does not show its templates clean; empty when cfn-lint ran to the end and reported no error
 * (warnings and informational findings are allowed). A run that could not start, was killed, or exited with the
 * fatal bit 1 (or any bit but 2, 4 and 8) is a problem even without an error line.
 */
export function cfnLintProblems(run: CfnLintRun): string[] {
  if (run.error) return [`cfn-lint could not be started: ${run.error.message}`];
  if (run.status === null) return [`cfn-lint did not exit by itself (signal ${run.signal ?? 'none'})`];
  const problems = run.stdout.split('\n').filter((line) => ERROR_LINE.test(line));
  if ((run.status & 1) !== 0)
    problems.push(`cfn-lint failed to run or to read its input (exit status ${run.status} has the fatal bit 1)`);
  if ((run.status & ~(1 | 2 | FINDING_BITS)) !== 0)
    problems.push(`cfn-lint exited with status ${run.status}, not a combination of 2, 4 and 8`);
  if ((run.status & 2) !== 0 && problems.length === 0)
    problems.push(`cfn-lint reported errors (exit status ${run.status}) but printed no error line`);
  return problems;
}

/** Runs cfn-lint over `files` and fails, with cfn-lint's output, unless the run is clean ({@link cfnLintProblems}). */
export function expectCfnLintClean(files: string[], options: CfnLintOptions = {}): void {
  const run = runCfnLint(files, options);
  expect(cfnLintProblems(run), `cfn-lint output:\n${run.stdout}${run.stderr}`).toEqual([]);
}
