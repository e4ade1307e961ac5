import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { TrustgateError } from '@trustgate/core';
import { registerPolicy } from './policy.ts';
import { addSelectionOptions, compileSelectionOf, selectionOf, type SelectionOptions } from './selection-options.ts';
import { registerTemplate } from './template.ts';

const SELECTION_FLAGS = [
  '--catalog',
  '--default',
  '--products',
  '--integrations',
  '--extra-actions',
  '--managed-policies',
];

/** The selection options a command declares, as commander holds them: flags, help text and repeatable parsing. */
function selectionOptionsOf(command: Command): Array<{ flags: string; description: string; parses: boolean }> {
  return command.options
    .filter((o) => SELECTION_FLAGS.includes(o.long ?? ''))
    .map((o) => ({ flags: o.flags, description: o.description, parses: o.parseArg !== undefined }));
}

function commandNamed(name: string): Command {
  const program = new Command('trustgate');
  registerPolicy(program);
  registerTemplate(program);
  const command = program.commands.find((c) => c.name() === name);
  if (!command) throw new Error(`no ${name} command`);
  return command;
}

describe('selection options', () => {
  it('are declared once: policy and template show the same options with the same help, in the same order', () => {
    const declared = selectionOptionsOf(addSelectionOptions(new Command()));
    expect(declared.map((o) => o.flags.split(' ')[0])).toEqual(SELECTION_FLAGS);
    expect(selectionOptionsOf(commandNamed('policy'))).toEqual(declared);
    expect(selectionOptionsOf(commandNamed('template'))).toEqual(declared);
  });

  it('parse lists comma-separated and repeatable', () => {
    const command = addSelectionOptions(new Command()).exitOverride();
    command.parse(
      [
        '--products',
        'a,b',
        '--products',
        'c',
        '--integrations',
        'p/x',
        '--extra-actions',
        's3:GetObject',
        '--managed-policies',
        'ReadOnlyAccess',
      ],
      { from: 'user' },
    );
    expect(command.opts()).toEqual({
      products: ['a', 'b', 'c'],
      integrations: ['p/x'],
      extraActions: ['s3:GetObject'],
      managedPolicies: ['ReadOnlyAccess'],
    });
  });
});

describe('selectionOf / compileSelectionOf', () => {
  it.each<[SelectionOptions, ReturnType<typeof compileSelectionOf>]>([
    [{}, { selection: { mode: 'default' } }],
    [
      { default: true, extraActions: ['ec2:Describe*'] },
      { selection: { mode: 'default' }, extraActions: ['ec2:Describe*'] },
    ],
    [{ products: ['iac-runner'] }, { selection: { mode: 'custom', products: ['iac-runner'] } }],
    [
      { integrations: ['plan'], managedPolicies: ['ReadOnlyAccess'] },
      { selection: { mode: 'custom', integrations: ['plan'] }, managedPolicies: ['ReadOnlyAccess'] },
    ],
  ])('%j -> %j', (opts, expected) => {
    expect(compileSelectionOf(opts)).toEqual(expected);
  });

  it('refuses --default with --products or --integrations, naming the field', () => {
    for (const opts of [
      { default: true, products: ['a'] },
      { default: true, integrations: ['b'] },
    ]) {
      expect(() => selectionOf(opts)).toThrow(TrustgateError);
      try {
        selectionOf(opts);
      } catch (error) {
        expect((error as TrustgateError).code).toBe('INVALID_INPUT');
        expect((error as TrustgateError).field).toBe('selection');
      }
    }
  });
});
