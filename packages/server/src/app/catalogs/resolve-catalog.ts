import { TrustgateError } from '@trustgate/core';
import type { ConnectionDeps } from '../deps.ts';
import { parseCatalogSource, type ParsedCatalog } from './parsed-catalog.ts';

/**
 * The parsed catalog a connection uses: the organization's newest version of `name`, or the service's
 * default catalog when `name` is null. NOT_FOUND (field `catalogName`) for an unknown name.
 */
export async function resolveCatalog(
  deps: ConnectionDeps,
  organizationId: string,
  name: string | null,
): Promise<ParsedCatalog> {
  const record =
    name === null
      ? { ...deps.defaultCatalog, version: 0, organizationId: '*' }
      : await deps.store.directory.getLatestCatalog(organizationId, name);
  if (record === undefined)
    throw new TrustgateError('NOT_FOUND', `No catalog named "${name}".`, { field: 'catalogName' });
  const key = `${record.organizationId}/${record.name}@${record.version}`;
  const cached = deps.catalogCache.get(key);
  if (cached !== undefined) return cached;
  // The default catalog is the operator's own file; a tenant's is parsed off the event loop.
  const { catalog, findings } = await parseCatalogSource({
    source: record.source,
    fileName: record.fileName,
    name: record.name,
    version: record.version,
    inline: name === null,
  });
  if (catalog === undefined)
    throw new TrustgateError('INVALID_CATALOG', `The catalog "${record.name}" is not valid.`, { findings });
  deps.catalogCache.set(key, catalog);
  return catalog;
}
