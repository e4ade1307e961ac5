import { TrustgateError, type Finding } from '@trustgate/core';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { ConnectionDeps } from '../deps.ts';
import { refreshConnectionsForCatalog } from '../connections/connections.ts';
import { parseCatalogSource } from './parsed-catalog.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { CatalogRecord } from '../../model/records.ts';

/**
 * Uploads a new version of a catalog (admins only). It is validated first — a catalog with errors is refused
 * with INVALID_CATALOG and every finding, and nothing is stored; then connections using it are recompiled and
 * those whose permissions changed become `needs-update`.
 */
export async function uploadCatalog(
  deps: ConnectionDeps,
  principal: Principal,
  input: { name: string; fileName: string; source: string },
): Promise<{ catalog: Omit<CatalogRecord, 'source'>; findings: Finding[]; connectionsNeedingUpdate: number }> {
  requireScope(principal, 'admin');
  const latest = await deps.store.directory.getLatestCatalog(principal.organizationId, input.name);
  const { catalog, findings } = await parseCatalogSource({
    source: input.source,
    fileName: input.fileName,
    name: input.name,
    version: (latest?.version ?? 0) + 1,
  });
  if (catalog === undefined || findings.some((f) => f.severity === 'error')) {
    throw new TrustgateError(
      'INVALID_CATALOG',
      `The catalog "${input.fileName}" is not valid: ${findings.filter((f) => f.severity === 'error').length} error(s).`,
      { findings },
    );
  }
  const record = await deps.store.directory.addCatalogVersion({ organizationId: principal.organizationId, ...input });
  deps.catalogCache.set(`${record.organizationId}/${record.name}@${record.version}`, catalog);
  await recordAudit(deps.store, {
    principal,
    action: 'catalog.upload',
    details: { name: record.name, version: record.version },
  });
  const connectionsNeedingUpdate = await refreshConnectionsForCatalog(deps, principal, input.name);
  const { source: _source, ...view } = record;
  return { catalog: view, findings, connectionsNeedingUpdate };
}

/** The newest version of every catalog of the organization. */
export async function listCatalogs(
  deps: ConnectionDeps,
  principal: Principal,
): Promise<Omit<CatalogRecord, 'source'>[]> {
  requireScope(principal, 'connections:read');
  return deps.store.directory.listCatalogs(principal.organizationId);
}
