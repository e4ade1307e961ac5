import { Option, type Command } from 'commander';
import {
  compilePolicies,
  isPartition,
  TrustgateError,
  WILDCARD_MODES,
  type CompiledPolicies,
  type Partition,
  type WildcardMode,
} from '@trustgate/core';
import { loadCatalogFile } from './catalog.ts';
import { addSelectionOptions, compileSelectionOf, type SelectionOptions } from './selection-options.ts';

/** Options of `trustgate policy`, as commander parses them. */
interface PolicyOptions extends SelectionOptions {
  partition: string;
  accountId?: string;
  region?: string;
  wildcards?: WildcardMode;
  compact?: boolean;
  inline?: boolean;
  maxManagedPolicies?: string;
  namePrefix?: string;
  format: 'text' | 'json';
}

function printText(result: CompiledPolicies): void {
  const out: string[] = [];
  for (const d of result.documents) {
    out.push(
      `# ${result.mode === 'inline' ? 'inline policy' : 'customer managed policy'} ${d.name}: ${d.size.toLocaleString('en-US')} characters, ${d.actions} action entries`,
    );
    out.push(JSON.stringify(d.document, null, 2));
  }
  if (result.managedPolicyArns.length > 0) {
    out.push('# AWS managed policies to attach');
    out.push(...result.managedPolicyArns);
  }
  out.push(wildcardLine(result));
  const f = result.figures;
  out.push(
    `# ${f.actions} actions in ${f.documents} document(s) + ${result.managedPolicyArns.length} AWS managed; ${f.characters.toLocaleString('en-US')} characters (naive one statement per action: ${f.naiveCharacters.toLocaleString('en-US')})`,
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The line saying which wildcard mode was used and which wildcards the documents contain. */
function wildcardLine(result: CompiledPolicies): string {
  if (result.wildcardMode === 'expand')
    return '# wildcards: expand — every action listed exactly (least privilege today)';
  const how = result.wildcardMode === 'keep' ? 'kept as the catalog writes them' : 'written by compaction';
  if (result.wildcardDetails.length === 0) return `# wildcards: ${result.wildcardMode} — none ${how}`;
  const each = result.wildcardDetails.map(
    (d) => `${d.pattern} (${d.actions} action${d.actions === 1 ? '' : 's'} today: ${d.accessLevels.join(', ')})`,
  );
  return `# wildcards: ${result.wildcardMode} — ${each.length} ${how}: ${each.join(', ')}`;
}

/**
 * `trustgate policy --catalog FILE [--default | --products a,b | --integrations x,y] ...` compiles a selection of
 * a catalog into IAM policy documents and prints them (`--format json` for the whole compiler result). Without
 * `--products`/`--integrations` the default integrations are selected (extra actions and managed policies add to
 * whichever selection). `--wildcards expand` (default) lists every action exactly; `keep` writes the catalog's
 * wildcards as written; `compact` (alias `--compact`) writes word-boundary wildcards of one access level where they
 * grant exactly the same today; the output says which mode was used and which wildcards were written. Warnings
 * (integrations not offered in the partition, wildcards) go to stderr.
 *
 * Other command files add subcommands (`policy check`, `policy simulate`) by finding this command with
 * `program.commands.find((c) => c.name() === 'policy')`. Options are positional, so options after a subcommand
 * name belong to the subcommand, and `--catalog` is checked in the action rather than declared mandatory (commander
 * would otherwise demand it of every subcommand too).
 */
export function registerPolicy(program: Command): void {
  // Positional options at the root and on `policy`: `trustgate policy check --catalog x` gives `--catalog` to
  // `check`, not to `policy` (commander otherwise lets a parent consume its options anywhere on the line).
  program.enablePositionalOptions();
  const policy = program
    .command('policy')
    .description("Compile a catalog selection into IAM policy documents within AWS's size limits.")
    .exitOverride()
    .enablePositionalOptions();
  addSelectionOptions(policy)
    .addOption(
      new Option('--partition <partition>', 'AWS partition').choices(['aws', 'aws-us-gov', 'aws-cn']).default('aws'),
    )
    .option('--account-id <id>', "the customer's 12-digit account ID, for ${AccountId} (else *)")
    .option('--region <region>', "the customer's region, for ${Region} (else *)")
    .addOption(
      new Option(
        '--wildcards <mode>',
        "expand: list every action exactly (default); keep: the catalog's wildcards as written; compact: word-boundary wildcards of one access level, exact today (warns)",
      ).choices([...WILDCARD_MODES]),
    )
    .option('--compact', 'the same as --wildcards compact')
    .option('--inline', 'one inline policy (10,240 characters) instead of customer managed policies')
    .option(
      '--max-managed-policies <n>',
      'managed policies a role may have, AWS managed included (default 10; up to 20 by quota increase)',
    )
    .option('--name-prefix <prefix>', 'name prefix of the documents', 'trustgate-permissions')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: PolicyOptions) => {
      if (!opts.catalog) throw new TrustgateError('INVALID_INPUT', 'missing --catalog FILE', { field: 'catalog' });
      if (!isPartition(opts.partition))
        throw new TrustgateError('INVALID_PARTITION', `unknown partition ${opts.partition}`, { field: 'partition' });
      if (opts.compact && opts.wildcards !== undefined && opts.wildcards !== 'compact')
        throw new TrustgateError(
          'INVALID_INPUT',
          `--compact is --wildcards compact; it cannot go with --wildcards ${opts.wildcards}`,
          { field: 'wildcards' },
        );
      const max = opts.maxManagedPolicies === undefined ? undefined : Number(opts.maxManagedPolicies);
      const { catalog, actionList } = await loadCatalogFile(opts.catalog);
      const result = compilePolicies(
        {
          catalog,
          ...compileSelectionOf(opts),
          partition: opts.partition as Partition,
          ...(opts.accountId ? { accountId: opts.accountId } : {}),
          ...(opts.region ? { region: opts.region } : {}),
          ...(max !== undefined ? { maxManagedPolicies: max } : {}),
          ...(opts.namePrefix ? { namePrefix: opts.namePrefix } : {}),
          wildcards: opts.wildcards ?? (opts.compact ? 'compact' : 'expand'),
          inline: opts.inline === true,
        },
        actionList,
      );
      for (const w of result.warnings)
        process.stderr.write(`${w.severity === 'info' ? 'note' : 'warning'}: ${w.message}\n`);
      if (opts.format === 'json') process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else printText(result);
    });
}
