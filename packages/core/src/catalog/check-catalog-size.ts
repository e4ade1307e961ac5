import type { Finding } from '../errors/index.ts';
import { CATALOG_LIMITS, limitMessage, type CatalogLimit } from './catalog-limits.ts';

/** What to change when a count is over its limit. */
const CHANGE: Partial<Record<CatalogLimit, string>> = {
  products: 'split the catalog into several catalogs',
  integrations: 'merge integrations that are always granted together, or split the catalog into several catalogs',
  actions: 'grant long lists with a wildcard (ec2:Describe*) or an AWS managed policy, or split the catalog',
  wildcardActions: 'merge wildcards (one ec2:Describe* for several), or split the catalog',
  serviceWildcards: 'name the service of each action (s3:GetObject rather than *:GetObject)',
};

const list = (value: unknown, key: string): unknown[] => {
  const inner = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return Array.isArray(inner) ? inner : [];
};

/**
 * Counts the products, integrations and action entries of a catalog's data (before the schema, so a malformed
 * part counts as far as it is a list) and refuses the catalog with a `CATALOG_LIMIT` finding per count over its
 * limit in {@link CATALOG_LIMITS}: products, integrations, actions, wildcardActions, serviceWildcards. Checked
 * before the schema and the action checks, so an oversized catalog costs one cheap pass.
 */
export function checkCatalogSize(data: unknown, fileName: string): Finding[] {
  const products = list(data, 'products');
  const integrations = products.flatMap((product) => list(product, 'integrations'));
  const actions = integrations
    .flatMap((integration) => list(integration, 'statements'))
    .flatMap((statement) => list(statement, 'actions'));
  const wildcards = actions.filter((action): action is string => typeof action === 'string' && /[*?]/.test(action));
  const counts: Array<[CatalogLimit, number, string]> = [
    ['products', products.length, 'products'],
    ['integrations', integrations.length, 'integrations'],
    ['actions', actions.length, 'action entries'],
    ['wildcardActions', wildcards.length, 'action entries with a wildcard'],
    [
      'serviceWildcards',
      wildcards.filter((action) => /[*?]/.test(action.split(':')[0]!)).length,
      'action entries with a wildcard service prefix',
    ],
  ];
  return counts
    .filter(([limit, count]) => count > CATALOG_LIMITS[limit])
    .map(([limit, count, what]) => ({
      code: 'CATALOG_LIMIT',
      severity: 'error',
      path: 'products',
      message: `${fileName}: ${limitMessage(limit, `${count.toLocaleString('en-US')} ${what}`, CHANGE[limit]!)}`,
    }));
}
