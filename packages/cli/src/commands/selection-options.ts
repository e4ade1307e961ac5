import type { Command } from 'commander';
import { TrustgateError, type CompileOptions, type Selection } from '@trustgate/core';
import { commaList } from './repeatable-options.ts';

/** The catalog-selection options shared by `policy` and `template`, as commander parses them. */
export interface SelectionOptions {
  catalog?: string;
  default?: boolean;
  products?: string[];
  integrations?: string[];
  extraActions?: string[];
  managedPolicies?: string[];
}

/**
 * Declare the catalog-selection options on `command`, in this order and with these help texts, for every command
 * that compiles a catalog (`policy`, `template`): `--catalog`, `--default`, `--products`, `--integrations`,
 * `--extra-actions`, `--managed-policies` (the lists comma-separated and repeatable, {@link commaList}). The
 * command checks `--catalog` itself where it needs it: commander would demand a mandatory option of every
 * subcommand too. Returns `command`, so declarations chain on.
 */
export function addSelectionOptions(command: Command): Command {
  return command
    .option('--catalog <file>', 'permission catalog (YAML or JSON) to compile permissions from')
    .option('--default', "select the catalog's default integrations (the default when nothing is selected)")
    .option('--products <ids>', 'select every integration of these products (comma-separated, repeatable)', commaList)
    .option(
      '--integrations <ids>',
      'select these integrations, by id or product/id (comma-separated, repeatable)',
      commaList,
    )
    .option(
      '--extra-actions <actions>',
      "more allowed actions, validated against AWS's list (comma-separated, repeatable)",
      commaList,
    )
    .option(
      '--managed-policies <names>',
      'AWS managed policies to attach, by name or ARN (comma-separated, repeatable; needs --catalog)',
      commaList,
    );
}

/**
 * The selection from `--default`, `--products` and `--integrations`: the default integrations unless products or
 * integrations are named; `--default` with either is refused naming the field.
 */
export function selectionOf(opts: SelectionOptions): Selection {
  const custom = (opts.products?.length ?? 0) > 0 || (opts.integrations?.length ?? 0) > 0;
  if (opts.default && custom) {
    throw new TrustgateError('INVALID_INPUT', '--default cannot be combined with --products or --integrations', {
      field: 'selection',
    });
  }
  if (!custom) return { mode: 'default' };
  return {
    mode: 'custom',
    ...(opts.products ? { products: opts.products } : {}),
    ...(opts.integrations ? { integrations: opts.integrations } : {}),
  };
}

/**
 * The compiler's inputs from the selection options: the selection ({@link selectionOf}) and, when given, the extra
 * actions and AWS managed policies (which add to whichever selection).
 */
export function compileSelectionOf(
  opts: SelectionOptions,
): Pick<CompileOptions, 'selection' | 'extraActions' | 'managedPolicies'> {
  return {
    selection: selectionOf(opts),
    ...(opts.extraActions ? { extraActions: opts.extraActions } : {}),
    ...(opts.managedPolicies ? { managedPolicies: opts.managedPolicies } : {}),
  };
}
