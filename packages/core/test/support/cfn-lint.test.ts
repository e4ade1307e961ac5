import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cfnLintProblems, runCfnLint } from './cfn-lint.ts';

const GOOD = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n';
const BROKEN_YAML = 'Resources:\n  Topic: [unclosed\n';

let dir = '';
let good = '';
let broken = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trustgate-cfn-lint-'));
  good = join(dir, 'good.yaml');
  broken = join(dir, 'broken.yaml');
  writeFileSync(good, GOOD);
  writeFileSync(broken, BROKEN_YAML);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A folder whose `.cfnlintrc` is not YAML: cfn-lint cannot read its configuration there and lints nothing. */
function folderWithUnreadableConfig(): string {
  const folder = mkdtempSync(join(dir, 'rc-'));
  writeFileSync(join(folder, '.cfnlintrc'), 'templates: [unclosed\n');
  return folder;
}

describe('the cfn-lint check', () => {
  it('passes a valid template', () => {
    const run = runCfnLint([good]);
    expect(cfnLintProblems(run), run.stdout + run.stderr).toEqual([]);
  }, 60_000);

  it("refuses a template that is not YAML, with cfn-lint's E0000 line", () => {
    const problems = cfnLintProblems(runCfnLint([broken]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/broken\.yaml:\d+:\d+:\d+:\d+:E0000:/);
  }, 60_000);

  it('refuses a run where cfn-lint could not parse its configuration: exit status 1 and no E line, even for a broken template', () => {
    // The check before this helper looked only at E lines and bit 2, so it passed this run.
    const run = runCfnLint([broken], { cwd: folderWithUnreadableConfig() });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toMatch(/:E\d{4}:/);
    expect(cfnLintProblems(run)).toEqual([
      'cfn-lint failed to run or to read its input (exit status 1 has the fatal bit 1)',
    ]);
  }, 60_000);

  it('refuses a run that could not start, was killed, or exited with a code outside the mask', () => {
    expect(cfnLintProblems(runCfnLint([good], { command: 'cfn-lint-not-installed' }))[0]).toMatch(
      /^cfn-lint could not be started: .*ENOENT/,
    );
    expect(cfnLintProblems({ status: null, signal: 'SIGKILL', stdout: '', stderr: '' })).toEqual([
      'cfn-lint did not exit by itself (signal SIGKILL)',
    ]);
    expect(cfnLintProblems({ status: 32, signal: null, stdout: '', stderr: 'Regions are unsupported' })).toEqual([
      'cfn-lint exited with status 32, not a combination of 2, 4 and 8',
    ]);
    expect(cfnLintProblems({ status: 2, signal: null, stdout: 'not parseable output', stderr: '' })).toEqual([
      'cfn-lint reported errors (exit status 2) but printed no error line',
    ]);
  });

  it('allows warnings and informational findings', () => {
    const warning = 't.yaml:1:1:1:2:W3005:Obsolete DependsOn on resource';
    expect(
      cfnLintProblems({ status: 4 | 8, signal: null, stdout: `${warning}\nt.yaml:2:1:2:2:I3011:info`, stderr: '' }),
    ).toEqual([]);
  });
});
