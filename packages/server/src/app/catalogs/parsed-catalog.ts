import { loadAwsActionList, parseCatalog, type Catalog, type Finding } from '@trustgate/core';

/** A parsed, validated catalog version, as the connection use cases compile from it. */
export interface ParsedCatalog {
  name: string;
  version: number;
  catalog: Catalog;
}

/**
 * Parses and validates catalog text with core's parser, checking every action against AWS's action list; a
 * finding of severity `error` leaves `catalog` undefined. Pure but for loading the action list once.
 */
export async function parseCatalogSource(input: { source: string; fileName: string; name: string; version: number }): Promise<{ catalog?: ParsedCatalog; findings: Finding[] }> {
  const { catalog, findings } = parseCatalog(input.source, { fileName: input.fileName, actionList: await loadAwsActionList() });
  return catalog === undefined ? { findings } : { catalog: { name: input.name, version: input.version, catalog }, findings };
}
