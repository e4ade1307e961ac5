import { basename, extname } from 'node:path';
import type { Command } from 'commander';
import { TrustgateError } from '@trustgate/core';
import { unwrap } from '@trustgate/client';
import { loadCatalogFile } from '../../commands/catalog.ts';
import { readTextFile } from '../../commands/read-text-file.ts';
import type { Column } from '../output.ts';
import { remoteCommand } from '../remote-command.ts';

/** A catalog version as the API shows it (without its source). */
interface CatalogView {
  id: string;
  name: string;
  version: number;
  fileName: string;
  createdAt: string;
}

const COLUMNS: readonly Column<CatalogView>[] = [
  { header: 'name', value: (c) => c.name },
  { header: 'version', value: (c) => c.version },
  { header: 'file', value: (c) => c.fileName },
  { header: 'id', value: (c) => c.id },
  { header: 'uploaded', value: (c) => c.createdAt },
];

/** A catalog's name in the API: lowercase letters, digits and `-`, starting with a letter or digit, at most 64. */
const CATALOG_NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** `--name`, else the file's name without its extension when that is a catalog name. */
function catalogName(file: string, given: string | undefined): string {
  const name = given ?? basename(file, extname(file));
  if (!CATALOG_NAME.test(name))
    throw new TrustgateError(
      'INVALID_INPUT',
      `${given === undefined ? `The file's name ${JSON.stringify(name)}` : `--name ${JSON.stringify(name)}`} is not a catalog name: ` +
        `use lowercase letters, digits and -, starting with a letter or digit (at most 64)${given === undefined ? '; pass --name NAME' : ''}.`,
      { field: 'name' },
    );
  return name;
}

/** `trustgate catalogs`: permission catalogs: upload (validated here first), list, show. */
export function registerCatalogs(program: Command): Command {
  const group = program
    .command('catalogs')
    .description('Permission catalogs: upload (validated here first), list, show');

  remoteCommand<{ name?: string }>(
    group,
    'upload <file>',
    "Upload a new version of a catalog (admins); it is checked here first with core's parser, then by the service",
    (c) => c.option('--name <name>', "the catalog's name (default: the file's name without its extension)"),
    async (ctx, [file], options) => {
      const name = catalogName(file!, options.name);
      // Checked here first: an invalid catalog is reported with every finding and nothing is sent.
      await loadCatalogFile(file!);
      const source = readTextFile(file!, { field: 'catalog', what: 'catalog' });
      const answer = await unwrap(
        ctx.client.POST('/v1/catalogs', { body: { name, fileName: basename(file!), source } }),
      );
      if (ctx.output === 'json') {
        ctx.printRecord(answer);
        return;
      }
      // The service's findings (its check is the one that counts): warnings only, as it accepted the catalog.
      for (const f of answer.findings) process.stderr.write(`${f.severity}: ${f.message}\n`);
      ctx.printRecord(answer.catalog);
      ctx.say(
        answer.connectionsNeedingUpdate === 0
          ? 'No connection needs an update.'
          : `${answer.connectionsNeedingUpdate} connection(s) need an update (their customers re-apply the deliverables).`,
      );
    },
  );

  remoteCommand(
    group,
    'list',
    'Catalogs of your organization (the newest version of each)',
    (c) => c,
    async (ctx) => {
      ctx.printList(await unwrap(ctx.client.GET('/v1/catalogs')), COLUMNS);
    },
  );

  remoteCommand(
    group,
    'show <name>',
    "One catalog's newest version (from the list: the API has no route for one catalog)",
    (c) => c,
    async (ctx, [name]) => {
      const catalog = (await unwrap(ctx.client.GET('/v1/catalogs'))).find((c) => c.name === name);
      if (catalog === undefined)
        throw new TrustgateError('NOT_FOUND', `No catalog ${name} in your organization.`, { field: 'name' });
      ctx.printRecord(catalog);
    },
  );
  return group;
}
