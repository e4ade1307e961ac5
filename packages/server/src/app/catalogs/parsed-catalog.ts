import { loadAwsActionList, parseCatalog, type Catalog, type Finding } from '@trustgate/core';
import { parseCatalogInWorker } from './parse-in-worker.ts';

/** A parsed, validated catalog version, as the connection use cases compile from it. */
export interface ParsedCatalog {
  name: string;
  version: number;
  catalog: Catalog;
}

/**
 * Parses and validates catalog text with core's parser, checking every action against AWS's action list; a
 * finding of severity `error` leaves `catalog` undefined (a catalog over CATALOG_LIMITS is such a finding).
 *
 * A tenant's catalog (uploaded, or stored and read back) is checked in the catalog worker thread
 * ({@link parseCatalogInWorker}), off the event loop. `inline` parses on the calling thread instead: only for the
 * service's default catalog, which the operator configured (as trusted as the code, and parsed once).
 */
export async function parseCatalogSource(input: {
  source: string;
  fileName: string;
  name: string;
  version: number;
  inline?: boolean;
}): Promise<{ catalog?: ParsedCatalog; findings: Finding[] }> {
  const { catalog, findings } =
    input.inline === true
      ? parseCatalog(input.source, { fileName: input.fileName, actionList: await loadAwsActionList() })
      : await parseCatalogInWorker({ source: input.source, fileName: input.fileName });
  return catalog === undefined
    ? { findings }
    : { catalog: { name: input.name, version: input.version, catalog }, findings };
}
