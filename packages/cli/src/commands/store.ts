import type { Command } from 'commander';
import { CONFIG_FILE_ENV } from '../config/config-schema.ts';
import { loadConfig } from '../config/load-config.ts';
import {
  DEFAULT_DATABASE_FILE,
  exportStore,
  importStore,
  type StoreLocation,
  type TableCounts,
} from '@trustgate/server';

/** Options of `trustgate store export|import`. */
interface StoreOptions {
  db?: string;
  dbSchema?: string;
  config?: string;
  json?: boolean;
}

/** Each subcommand takes the options itself, so they may follow it (`trustgate store export out.json --db ...`). */
function withOptions(command: Command): Command {
  return command
    .option(
      '--db <url>',
      `SQLite file, or postgres://user@host:5432/db (else store.url; default ${DEFAULT_DATABASE_FILE})`,
    )
    .option(
      '--db-schema <schema>',
      'PostgreSQL only: the schema the store lives in (else store.schema; default public)',
    )
    .option(
      '--config <file>',
      `the YAML configuration file (else ${CONFIG_FILE_ENV}); its store settings, under TRUSTGATE_STORE_*`,
    )
    .option('--json', 'print the rows per table as JSON');
}

/** The store: `--db` / `--db-schema`, else the configuration's `store` (file and TRUSTGATE_STORE_*), else the default file. */
async function location(options: StoreOptions): Promise<StoreLocation> {
  const { config } = await loadConfig(options.config === undefined ? {} : { file: options.config });
  const url = options.db ?? config.store?.url ?? DEFAULT_DATABASE_FILE;
  const schema = options.dbSchema ?? (options.db === undefined ? config.store?.schema : undefined);
  return { url, ...(schema === undefined ? {} : { schema }) };
}

/** The store's URL without a password (`postgres://***@host/db`). */
function shown(store: StoreLocation): string {
  const url = store.url.replace(/\/\/[^@/]*@/, '//***@');
  return store.schema === undefined ? url : `${url} (schema ${store.schema})`;
}

function report(verb: string, file: string, options: StoreOptions, store: StoreLocation, counts: TableCounts): void {
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ file, tables: counts }, null, 2)}\n`);
    return;
  }
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const width = Math.max(...Object.keys(counts).map((t) => t.length));
  process.stdout.write(`${verb} ${total} rows of ${shown(store)} ${verb === 'exported' ? 'to' : 'from'} ${file}\n`);
  for (const [table, n] of Object.entries(counts)) process.stdout.write(`  ${table.padEnd(width)}  ${n}\n`);
}

/**
 * `trustgate store export FILE` / `trustgate store import FILE`: a backup of every table of the store as one JSON
 * file (mode 0600), and its restore into an empty store of either dialect (one transaction: all or nothing).
 */
export function registerStore(program: Command): void {
  const store = program.command('store').description("back up and restore the service's store (SQLite or PostgreSQL)");
  withOptions(store.command('export'))
    .argument('<file>', 'the file to write (mode 0600; replaced if it exists)')
    .description('write every table of the store to FILE: token hashes and sealed keys as stored, never a token')
    .action(async (file: string, _o: unknown, command: Command) => {
      const options = command.opts<StoreOptions>();
      const store = await location(options);
      const summary = await exportStore(store, file);
      report('exported', file, options, store, summary.tables);
      if (summary.secretSettings.length > 0)
        process.stderr.write(
          `note: ${file} holds the service's own secrets as the store does (settings ${summary.secretSettings.join(', ')}; never an API token, only their hashes): keep it as private as the database.\n`,
        );
    });
  withOptions(store.command('import'))
    .argument('<file>', 'an export written by `trustgate store export` of the same trustgate version')
    .description(
      'load FILE into an empty store (refused, nothing written, if the store holds rows or FILE is of another schema version)',
    )
    .action(async (file: string, _o: unknown, command: Command) => {
      const options = command.opts<StoreOptions>();
      const store = await location(options);
      report('imported', file, options, store, await importStore(store, file));
    });
}
