/**
 * The most one catalog may hold, so that the work a single upload can cause is bounded (issue 11: one source of
 * 40,000 keys kept the service busy for 40 s). A catalog over a limit is refused before the expensive checks with
 * a `CATALOG_LIMIT` finding that names the limit, the value found and what to change.
 *
 * Each limit is far above a real catalog. catalogs/example.yaml has 4 products, 17 integrations and 178 actions,
 * nests 9 collections deep and has at most 6 keys in a mapping; a big vendor's catalog of ~2,000 actions
 * in ~40 products and ~200 integrations is ~150 KB of YAML. The limits allow about 5 times that vendor in every
 * dimension, and a catalog at all limits at once still fits in {@link CATALOG_LIMITS.sourceLength}.
 */
export const CATALOG_LIMITS = {
  /** Characters of YAML or JSON source: 1,000,000 (about 7 times the 2,000-action catalog). */
  sourceLength: 1_000_000,
  /**
   * Collections (mappings and sequences) nested in each other: 32. A catalog needs at most 10 (catalog > products
   * > product > integrations > integration > statements > statement > conditions > operator > values).
   */
  depth: 32,
  /** Keys in one mapping: 1,000. The widest mapping of a catalog is a condition operator's block, with a few keys. */
  mappingKeys: 1_000,
  /** Products in the catalog: 250. */
  products: 250,
  /** Integrations in the whole catalog (all products together): 1,000. */
  integrations: 1_000,
  /** Action entries in the whole catalog (every statement's `actions`, a repeated action counted each time): 10,000. */
  actions: 10_000,
  /** Action entries with a wildcard (`ec2:Describe*`, `iam:List?oles`) in the whole catalog: 1,000. */
  wildcardActions: 1_000,
  /** Action entries with a wildcard in the service prefix (`*:GetObject`; each is matched against every AWS action): 20. */
  serviceWildcards: 20,
  /** Wildcard characters (`*`, `?`) in one action entry: 8. */
  actionWildcards: 8,
  /** Characters of one action entry: 256 (AWS's longest action name, service prefix included, has 71). */
  actionLength: 256,
  /** Characters of one resource ARN template or condition value: 2,048 (IAM's own limit on an ARN). */
  templateLength: 2_048,
  /** `${...}` variables in one resource ARN template or condition value: 16 (a real one has at most 3). */
  templateVariables: 16,
  /** Errors reported for one catalog: 100. Checking stops there, with a last finding saying so. */
  errors: 100,
} as const;

/** The limits of {@link CATALOG_LIMITS} by name. */
export type CatalogLimit = keyof typeof CATALOG_LIMITS;

/**
 * The message of a `CATALOG_LIMIT` finding: what was found, the limit by name and value, and what to change
 * (`catalog.yaml: 40,000 keys in one mapping; at most 1,000 (CATALOG_LIMITS.mappingKeys): ...`).
 */
export function limitMessage(limit: CatalogLimit, found: string, change: string): string {
  return `${found}; at most ${CATALOG_LIMITS[limit].toLocaleString('en-US')} (CATALOG_LIMITS.${limit}): ${change}`;
}
