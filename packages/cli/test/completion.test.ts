import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../src/program.ts';
import { bashCompletionScript } from '../src/remote/completion-bash.ts';
import { zshCompletionScript } from '../src/remote/completion-zsh.ts';
import { shellQuote } from '../src/remote/completion.ts';
import { runTrustgate } from './run-trustgate.ts';

/** A completion request: the words on the line, the last one being completed (possibly ''). */
type Line = readonly string[];

const hasZsh = spawnSync('zsh', ['-c', 'exit 0']).status === 0;
let dir: string;
let program: Command;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trustgate-completion-'));
  program = await buildProgram();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Sources the bash script in a real `bash` and asks its completion function for every line, as bash does on a tab:
 * COMP_WORDS / COMP_CWORD set, `_trustgate` called, COMPREPLY read. One bash process for all the lines.
 */
function bashComplete(script: string, lines: readonly Line[]): string[][] {
  const file = join(dir, `completion-${Math.random().toString(36).slice(2)}.bash`);
  writeFileSync(
    file,
    [
      `source ${shellQuote(join(dir, 'script.bash'))}`,
      ...lines.map(
        (words) =>
          `COMP_WORDS=(${words.map(shellQuote).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); ` +
          `_trustgate; printf '%s\\037' "\${COMPREPLY[@]}"; printf '\\n'`,
      ),
    ].join('\n'),
  );
  writeFileSync(join(dir, 'script.bash'), script);
  const out = execFileSync('bash', ['--norc', '--noprofile', file], { encoding: 'utf8', cwd: dir });
  return out
    .split('\n')
    .slice(0, lines.length)
    .map((line) => line.split('\x1f').filter((w) => w !== ''));
}

describe('trustgate completion bash', () => {
  it('completes commands, subcommands, options and their choices from the program tree', () => {
    writeFileSync(join(dir, 'token.txt'), 'x');
    const lines: Line[] = [
      ['trustgate', 'conn'], // 'con' is also config
      ['trustgate', ''],
      ['trustgate', 'connections', ''],
      ['trustgate', 'connections', 'li'],
      ['trustgate', 'connections', 'list', '--'],
      ['trustgate', 'connections', 'list', '--output', ''],
      ['trustgate', 'connections', 'list', '-o', 'j'],
      // bash splits --output=j at = (COMP_WORDBREAKS), or leaves it whole when = is not a word break
      ['trustgate', 'connections', 'list', '--output', '=', 'j'],
      ['trustgate', 'connections', 'list', '--output', '=', ''],
      ['trustgate', 'connections', 'list', '--output=j'],
      ['trustgate', 'connections', 'list', '--output', 'json', '--pro'],
      ['trustgate', 'completion', ''],
      ['trustgate', 'help', 'conn'],
      ['trustgate', 'login', '--token-file', 'tok'],
      ['trustgate', 'login', '--url', ''],
      ['trustgate', 'nonsense', ''],
      ['trustgate', 'exec', '--stack', 's', '--', 'ech'],
    ];
    const [
      top,
      all,
      connections,
      li,
      dashes,
      output,
      short,
      split,
      splitEmpty,
      whole,
      afterValue,
      shells,
      help,
      file,
      url,
      unknown,
      command,
    ] = bashComplete(bashCompletionScript(program), lines);
    expect(top).toEqual(['connections']);
    const topLevel = program.commands.map((c) => c.name());
    expect(all).toEqual(expect.arrayContaining([...topLevel, 'help']));
    expect(all).toHaveLength(topLevel.length + 1);
    const subcommands = program.commands.find((c) => c.name() === 'connections')!.commands.map((c) => c.name());
    expect(subcommands).toContain('list');
    expect(connections).toEqual([...subcommands, 'help']);
    expect(li).toEqual(['list']);
    expect(dashes).toEqual(expect.arrayContaining(['--output', '--url', '--profile', '--token-file', '--help']));
    expect(output).toEqual(['table', 'json']);
    expect(short).toEqual(['json']);
    expect(split).toEqual(['json']);
    expect(splitEmpty).toEqual(['table', 'json']);
    expect(whole).toEqual(['--output=json']);
    expect(afterValue).toEqual(['--profile']);
    expect(shells).toEqual(['bash', 'zsh', 'help']);
    expect(help).toEqual(['connections']);
    expect(file).toEqual(['token.txt']);
    expect(url).toEqual([]);
    expect(unknown).toEqual([]);
    expect(command).toContain('echo');
  });

  it('offers every command its own subcommands and every option its choices', () => {
    // the oracle is commander's own tree and what its help lists, walked here apart from the generator
    const groups: { path: string[]; names: string[] }[] = [];
    const choices: { path: string[]; flag: string; choices: string[] }[] = [];
    const walk = (command: Command, path: string[]): void => {
      const names = command
        .createHelp()
        .visibleCommands(command)
        .map((c) => c.name());
      if (names.length > 0) groups.push({ path, names });
      const subs = command.commands.filter((c) => names.includes(c.name()));
      for (const option of command.options)
        if (!option.hidden && option.argChoices)
          for (const flag of [option.short, option.long])
            if (flag) choices.push({ path, flag, choices: option.argChoices });
      for (const sub of subs) walk(sub, [...path, sub.name()]);
    };
    walk(program, ['trustgate']);
    expect(groups.length).toBeGreaterThan(3);
    expect(choices.length).toBeGreaterThan(1);
    const answers = bashComplete(bashCompletionScript(program), [
      ...groups.map((g) => [...g.path, '']),
      ...choices.map((c) => [...c.path, c.flag, '']),
    ]);
    expect(answers.slice(0, groups.length)).toEqual(groups.map((g) => g.names));
    expect(answers.slice(groups.length)).toEqual(choices.map((c) => c.choices));
  });

  it('covers a command registered later with no change to the generator', async () => {
    writeFileSync(join(dir, 'token.txt'), 'x');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const later = await buildProgram();
    later
      .command('zz-later')
      .description('added by a future command file')
      .command('run')
      .addOption(new Option('--mode <mode>', 'how').choices(['fast', 'careful']))
      .option('--template <template>', 'a string, not a file')
      .option('--report <file>', 'a file')
      .option('--into <dir>', 'a folder');
    const [top, sub, mode, template, report, into] = bashComplete(bashCompletionScript(later), [
      ['trustgate', 'zz'],
      ['trustgate', 'zz-later', ''],
      ['trustgate', 'zz-later', 'run', '--mode', 'c'],
      ['trustgate', 'zz-later', 'run', '--template', ''],
      ['trustgate', 'zz-later', 'run', '--report', 'to'],
      ['trustgate', 'zz-later', 'run', '--into', ''],
    ]);
    expect(top).toEqual(['zz-later']);
    expect(sub).toEqual(['run', 'help']);
    expect(mode).toEqual(['careful']);
    expect(template).toEqual([]);
    expect(report).toEqual(['token.txt']);
    expect(into).toEqual(['sub']);
  });
});

describe('trustgate completion zsh', () => {
  // .ci/run installs zsh; a machine without it skips this part, and says so
  it.skipIf(!hasZsh)('is valid zsh and completes the same tree (zsh -n, then _trustgate; skipped without zsh)', () => {
    const script = join(dir, '_trustgate');
    writeFileSync(script, zshCompletionScript(program));
    expect(spawnSync('zsh', ['-n', script], { encoding: 'utf8' }).stderr).toBe('');
    // zsh's completion builtins need a live line editor, so they are stubbed to print what they were given
    const probe = join(dir, 'probe.zsh');
    writeFileSync(
      probe,
      [
        'compdef() { :; }; compset() { :; }',
        '_describe() { local -a items; items=("${(@P)${@[-1]}}"); print -r -- "${(j: :)${(@)items%%:*}}"; }',
        'compadd() { print -r -- "${(@P)2}"; }',
        '_files() { print -r -- "@files $*"; }',
        `source ${shellQuote(script)}`,
        'q() { local -a words; words=("$@"); local CURRENT=${#words}; _trustgate; }',
        "q trustgate connections ''",
        "q trustgate connections list --output ''",
        'q trustgate connections list --output=j',
        "q trustgate login --token-file ''",
        "q trustgate completion ''",
      ].join('\n'),
    );
    const out = execFileSync('zsh', ['-f', probe], { encoding: 'utf8' }).split('\n');
    const subcommands = program.commands.find((c) => c.name() === 'connections')!.commands.map((c) => c.name());
    expect(out.slice(0, 5)).toEqual([
      [...subcommands, 'help'].join(' '),
      'table json',
      'table json',
      '@files ',
      'bash zsh help',
    ]);
  });
});

describe('the trustgate completion command', () => {
  it('prints the script of the running program and says how to install it', async () => {
    // four runs at once: each is mostly tsx's start-up
    const [bash, zsh, help, fish] = await Promise.all([
      runTrustgate(['completion', 'bash']),
      runTrustgate(['completion', 'zsh']),
      runTrustgate(['completion', '--help']),
      runTrustgate(['completion', 'fish']),
    ]);
    expect(bash.code).toBe(0);
    expect(bash.stdout).toBe(bashCompletionScript(program));
    expect(zsh.code).toBe(0);
    expect(zsh.stdout).toBe(zshCompletionScript(program));
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('eval "$(trustgate completion bash)"');
    expect(help.stdout).toContain('trustgate completion zsh > ~/.zsh/completions/_trustgate');
    expect(fish.code).toBe(2);
    expect(fish.stderr).toContain('fish');
    expect(fish.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
