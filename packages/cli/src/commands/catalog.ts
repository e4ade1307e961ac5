import { basename } from 'node:path';
import { Option, type Command } from 'commander';
import {
  loadAwsActionList,
  parseCatalog,
  PARTITIONS,
  TrustgateError,
  type ActionList,
  type Catalog,
  type Finding,
} from '@trustgate/core';
import { readTextFile } from './read-text-file.ts';

/**
 * Read and validate a catalog file for the CLI. Throws `FILE_NOT_READABLE` when the file cannot be read and
 * `INVALID_CATALOG` (with every finding) when it is not valid; warnings are printed on stderr.
 */
export async function loadCatalogFile(
  file: string,
): Promise<{ catalog: Catalog; actionList: ActionList; findings: Finding[] }> {
  const text = readTextFile(file, { field: 'catalog', what: 'catalog' });
  const actionList = await loadAwsActionList();
  const { catalog, findings } = parseCatalog(text, { fileName: basename(file), actionList });
  if (!catalog) {
    const errors = findings.filter((f) => f.severity === 'error').length;
    throw new TrustgateError(
      'INVALID_CATALOG',
      `${basename(file)} is not a valid catalog: ${errors} error${errors === 1 ? '' : 's'}`,
      { findings },
    );
  }
  return { catalog, actionList, findings };
}

/** Distinct concrete actions a list of action entries stands for. */
function countActions(entries: string[], actionList: ActionList): number {
  return new Set(
    entries
      .flatMap((e) => (/[*?]/.test(e) ? actionList.expand(e) : [actionList.canonical(e) ?? e]))
      .map((a) => a.toLowerCase()),
  ).size;
}

/** The catalog as a tree with action counts, for `catalog show`. */
function catalogTree(catalog: Catalog, actionList: ActionList, file: string) {
  const products = catalog.products.map((p) => {
    const integrations = p.integrations.map((i) => ({
      id: i.id,
      name: i.name,
      default: i.default,
      partitions: i.partitions,
      actions: countActions(
        i.statements.flatMap((s) => s.actions),
        actionList,
      ),
      statements: i.statements.length,
      managedPolicies: i.managedPolicies,
    }));
    return {
      id: p.id,
      name: p.name,
      integrations,
      actions: countActions(
        p.integrations.flatMap((i) => i.statements.flatMap((s) => s.actions)),
        actionList,
      ),
    };
  });
  const all = catalog.products.flatMap((p) => p.integrations.flatMap((i) => i.statements.flatMap((s) => s.actions)));
  return {
    name: catalog.name ?? basename(file),
    file: basename(file),
    products,
    actions: countActions(all, actionList),
  };
}

function printWarnings(findings: Finding[]): void {
  for (const f of findings) process.stderr.write(`${f.severity}: ${f.message}\n`);
}

/**
 * `trustgate catalog validate FILE` checks a permission catalog against the schema and AWS's action list
 * (exit 0 valid, 2 invalid with every finding on stderr); `trustgate catalog show FILE` prints its products and
 * integrations as a tree with action counts (`--format json` for the same as JSON).
 */
export function registerCatalog(program: Command): void {
  // exitOverride: usage errors reach the CLI wrapper (exit 2) instead of commander exiting with 1.
  const catalog = program.command('catalog').description('Validate and show permission catalogs.').exitOverride();
  const format = () => new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');

  catalog
    .command('validate')
    .exitOverride()
    .description("Check a catalog file (YAML or JSON) against the schema and AWS's action list.")
    .argument('<file>', 'catalog file')
    .addOption(format())
    .action(async (file: string, opts: { format: 'text' | 'json' }) => {
      let loaded;
      try {
        loaded = await loadCatalogFile(file);
      } catch (error) {
        // JSON callers get the findings on stdout too; the exit code still comes from the error.
        if (opts.format === 'json' && error instanceof TrustgateError && error.code === 'INVALID_CATALOG') {
          process.stdout.write(
            `${JSON.stringify({ valid: false, file: basename(file), findings: error.findings }, null, 2)}\n`,
          );
        }
        throw error;
      }
      const { catalog: c, actionList, findings } = loaded;
      const tree = catalogTree(c, actionList, file);
      const integrations = tree.products.reduce((n, p) => n + p.integrations.length, 0);
      if (opts.format === 'json') {
        process.stdout.write(
          `${JSON.stringify({ valid: true, file: tree.file, products: tree.products.length, integrations, actions: tree.actions, findings }, null, 2)}\n`,
        );
        return;
      }
      printWarnings(findings);
      process.stdout.write(
        `valid: ${tree.file} — ${tree.products.length} products, ${integrations} integrations, ${tree.actions} actions${findings.length ? `, ${findings.length} warning(s)` : ''}\n`,
      );
    });

  catalog
    .command('show')
    .exitOverride()
    .description("Print a catalog's products and integrations as a tree with action counts.")
    .argument('<file>', 'catalog file')
    .addOption(format())
    .action(async (file: string, opts: { format: 'text' | 'json' }) => {
      const { catalog: c, actionList, findings } = await loadCatalogFile(file);
      const tree = catalogTree(c, actionList, file);
      if (opts.format === 'json') {
        process.stdout.write(`${JSON.stringify(tree, null, 2)}\n`);
        return;
      }
      printWarnings(findings);
      const lines = [`${tree.name} (${tree.file}): ${tree.products.length} products, ${tree.actions} actions`];
      tree.products.forEach((p, pi) => {
        const lastProduct = pi === tree.products.length - 1;
        lines.push(
          `${lastProduct ? '└─' : '├─'} ${p.id}: ${p.name} (${p.integrations.length} integrations, ${p.actions} actions)`,
        );
        p.integrations.forEach((i, ii) => {
          const bar = lastProduct ? '   ' : '│  ';
          const branch = ii === p.integrations.length - 1 ? '└─' : '├─';
          const notes = [
            i.default ? 'default' : 'optional',
            i.partitions.length === PARTITIONS.length ? 'all partitions' : `only ${i.partitions.join(', ')}`,
            ...(i.managedPolicies.length ? [`managed: ${i.managedPolicies.join(', ')}`] : []),
          ];
          lines.push(
            `${bar}${branch} ${i.id}: ${i.name} — ${i.actions} action${i.actions === 1 ? '' : 's'} [${notes.join('; ')}]`,
          );
        });
      });
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
