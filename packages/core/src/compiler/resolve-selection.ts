import { editDistance } from '../actions/index.ts';
import type { Catalog, CatalogIntegration, CatalogProduct } from '../catalog/index.ts';
import { TrustgateError, type Finding } from '../errors/index.ts';
import type { Partition } from '../partition/index.ts';
import type { Selection } from './compile-types.ts';

/** An integration chosen by a selection, with its place in the catalog. */
export interface SelectedIntegration {
  product: CatalogProduct;
  integration: CatalogIntegration;
  path: string;
}

/**
 * Resolve a selection to integrations, in catalog order whatever the order of the selection (so output is
 * deterministic). `default`: integrations with `default: true`. `custom`: every integration of each listed product,
 * plus each listed integration (`id` or `product/id`). Integrations not offered in `partition` are left out with a
 * warning (`INTEGRATION_NOT_OFFERED`). Unknown names throw `INVALID_SELECTION` with suggestions.
 */
export function resolveSelection(
  catalog: Catalog,
  selection: Selection,
  partition: Partition,
): { selected: SelectedIntegration[]; warnings: Finding[] } {
  const wanted = new Set<CatalogIntegration>();
  if (selection.mode === 'default') {
    for (const p of catalog.products) for (const i of p.integrations) if (i.default) wanted.add(i);
  } else {
    const problems: Finding[] = [];
    const productIds = catalog.products.map((p) => p.id);
    (selection.products ?? []).forEach((id, n) => {
      const product = catalog.products.find((p) => p.id === id);
      if (!product) problems.push(unknown('product', id, productIds, `selection.products[${n}]`));
      else for (const i of product.integrations) wanted.add(i);
    });
    const all = catalog.products.flatMap((p) => p.integrations.map((i) => ({ p, i })));
    (selection.integrations ?? []).forEach((name, n) => {
      const [productId, integrationId] = name.includes('/') ? name.split('/', 2) : [undefined, name];
      const match = all.find(({ p, i }) => i.id === integrationId && (productId === undefined || p.id === productId));
      if (!match)
        problems.push(
          unknown(
            'integration',
            name,
            all.map(({ i }) => i.id),
            `selection.integrations[${n}]`,
          ),
        );
      else wanted.add(match.i);
    });
    if (problems.length > 0) {
      throw new TrustgateError('INVALID_SELECTION', problems.map((p) => p.message).join('; '), {
        findings: problems,
        field: 'selection',
      });
    }
  }

  const selected: SelectedIntegration[] = [];
  const warnings: Finding[] = [];
  catalog.products.forEach((product, p) => {
    product.integrations.forEach((integration, i) => {
      if (!wanted.has(integration)) return;
      const path = `products[${p}].integrations[${i}]`;
      if (!integration.partitions.includes(partition)) {
        warnings.push({
          code: 'INTEGRATION_NOT_OFFERED',
          severity: 'warning',
          path,
          message: `integration "${integration.id}" of product "${product.id}" is not offered in ${partition} (only ${integration.partitions.join(', ')}); left out`,
        });
        return;
      }
      selected.push({ product, integration, path });
    });
  });
  return { selected, warnings };
}

function unknown(kind: string, name: string, known: string[], path: string): Finding {
  const near = known
    .map((k) => ({ k, d: editDistance(k, name) }))
    .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : 1))
    .slice(0, 2)
    .map(({ k }) => k);
  return {
    code: 'INVALID_SELECTION',
    severity: 'error',
    path,
    message: `unknown ${kind} "${name}"${near.length ? ` (did you mean ${near.join(' or ')}?)` : ''}`,
  };
}
