import type { ActionList } from '../../src/actions/index.ts';
import { CATALOG_LIMITS } from '../../src/catalog/catalog-limits.ts';

/** How big a generated catalog is; every count defaults to its limit in CATALOG_LIMITS. */
export interface BigCatalogSize {
  products?: number;
  integrations?: number;
  actions?: number;
  wildcardActions?: number;
  serviceWildcards?: number;
}

/**
 * A valid catalog as big as the limits allow (or as `size` says): `integrations` spread evenly over `products`,
 * `actions` real AWS actions spread evenly over the integrations (each integration's actions distinct), of which
 * `wildcardActions` are wildcards that match their own action (`ec2:DescribeSpotFleetRequest*`) and
 * `serviceWildcards` of those have a wildcard service prefix too (`*:DescribeSpotFleetRequest*`). Block YAML,
 * as a person writes it; every fourth statement has a templated resource and a condition.
 */
export function bigCatalog(actionList: ActionList, size: BigCatalogSize = {}): string {
  const products = size.products ?? CATALOG_LIMITS.products;
  const integrations = size.integrations ?? CATALOG_LIMITS.integrations;
  const actions = size.actions ?? CATALOG_LIMITS.actions;
  const wildcards = size.wildcardActions ?? CATALOG_LIMITS.wildcardActions;
  const serviceWildcards = size.serviceWildcards ?? CATALOG_LIMITS.serviceWildcards;
  const names = actionList.services().flatMap((service) => actionList.actionsOf(service));
  const entry = (n: number): string => {
    const name = names[n % names.length]!;
    if (n >= wildcards) return name;
    const prefix = name.slice(0, Math.max(name.indexOf(':') + 2, name.length - 3));
    return n < serviceWildcards ? `*:${prefix.slice(prefix.indexOf(':') + 1)}*` : `${prefix}*`;
  };
  const lines = ['version: 1', 'name: Big vendor', 'description: A catalog at the limits.', 'products:'];
  let action = 0;
  let integration = 0;
  for (let p = 0; p < products; p++) {
    lines.push(
      `  - id: product-${p}`,
      `    name: Product ${p}`,
      `    description: Everything product ${p} does.`,
      '    integrations:',
    );
    const count = Math.floor(integrations / products) + (p < integrations % products ? 1 : 0);
    for (let i = 0; i < count; i++, integration++) {
      lines.push(
        `      - id: integration-${integration}`,
        `        name: Integration ${integration}`,
        `        default: ${integration % 2 === 0}`,
        '        statements:',
        '          - actions:',
      );
      const per = Math.floor(actions / integrations) + (integration < actions % integrations ? 1 : 0);
      for (let a = 0; a < per; a++, action++) lines.push(`              - '${entry(action)}'`);
      if (integration % 4 === 0) {
        lines.push(
          "            resources: ['arn:${Partition}:s3:::vendor-${AccountId}-${Region}/*']",
          '            conditions:',
          '              StringEquals:',
          "                aws:ResourceAccount: ['${AccountId}']",
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}
