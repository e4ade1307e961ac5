import type { Partition } from '@trustgate/core';
import { requireScope, type Principal } from '../../auth/principal.ts';
import type { ConnectionDeps } from '../deps.ts';
import { resolveCatalog } from './resolve-catalog.ts';

/** One integration as the console's permission tree shows it: what ticking it grants. */
export interface CatalogTreeIntegration {
  id: string;
  name: string;
  description?: string;
  default: boolean;
  partitions: Partition[];
  managedPolicies: string[];
  /** The catalog's statements as written (actions may be wildcards; the preview lists what they grant). */
  statements: { effect: 'Allow' | 'Deny'; actions: string[]; resources: string[] }[];
}

/** A catalog as products -> integrations -> statements, for the console's permission tree. */
export interface CatalogTree {
  /** The catalog's name as a connection names it (`catalogName`); null for the service's default catalog. */
  catalogName: string | null;
  version: number;
  title?: string;
  description?: string;
  products: { id: string; name: string; description?: string; integrations: CatalogTreeIntegration[] }[];
}

/**
 * The newest version of the organization's catalog `name` (or the service's default catalog, `name` null) as a
 * tree, for ticking a custom selection. NOT_FOUND (field `catalogName`) for an unknown name.
 */
export async function catalogTree(
  deps: ConnectionDeps,
  principal: Principal,
  name: string | null,
): Promise<CatalogTree> {
  requireScope(principal, 'connections:read');
  const parsed = await resolveCatalog(deps, principal.organizationId, name);
  const { catalog } = parsed;
  return {
    catalogName: name,
    version: parsed.version,
    ...(catalog.name === undefined ? {} : { title: catalog.name }),
    ...(catalog.description === undefined ? {} : { description: catalog.description }),
    products: catalog.products.map((p) => ({
      id: p.id,
      name: p.name,
      ...(p.description === undefined ? {} : { description: p.description }),
      integrations: p.integrations.map((i) => ({
        id: i.id,
        name: i.name,
        ...(i.description === undefined ? {} : { description: i.description }),
        default: i.default,
        partitions: i.partitions,
        managedPolicies: i.managedPolicies,
        statements: i.statements.map((s) => ({
          effect: s.effect ?? 'Allow',
          actions: s.actions,
          resources: s.resources ?? ['*'],
        })),
      })),
    })),
  };
}
