import type { Partition } from '../partition/index.ts';
import type { ConditionBlock } from '../policy-document/index.ts';

/**
 * A permission catalog: what a platform may ask of a customer's AWS account, as products -> integrations
 * (permission bundles) -> IAM statements. A customer selects the default integrations or ticks products and
 * integrations; an unticked integration contributes nothing to the compiled policy.
 *
 * A catalog returned by {@link parseCatalog} is fully validated: every action is canonical or a wildcard that
 * expands to at least one real action, every ARN template is well formed, ids are unique.
 */
export interface Catalog {
  /** Format version of the file (currently 1); set by {@link parseCatalog}, optional for catalogs built in code. */
  version?: 1;
  /** Human name of the catalog (the platform's name). */
  name?: string;
  /** Description shown to customers. */
  description?: string;
  /** The file the catalog was read from, when known (for messages). */
  source?: string;
  products: CatalogProduct[];
}

/** A product of the platform; ticking a product selects all of its integrations. */
export interface CatalogProduct {
  /** Unique across the catalog: lower-case letters, digits and `-`. */
  id: string;
  name: string;
  description?: string;
  integrations: CatalogIntegration[];
}

/** A permission bundle: statements plus AWS managed policies, offered in some partitions. */
export interface CatalogIntegration {
  /** Unique across the whole catalog (so a selection may name it without its product). */
  id: string;
  name: string;
  description?: string;
  /** Part of the "default permissions" selection. */
  default: boolean;
  /** Partitions the integration is offered in; all three when the file does not say. */
  partitions: Partition[];
  statements: CatalogStatement[];
  /** Names of AWS managed policies to attach (`ReadOnlyAccess`, `service-role/AmazonEC2SpotFleetTaggingRole`). */
  managedPolicies: string[];
}

/**
 * One IAM statement of an integration. `actions` are canonical names or wildcards; `resources` are ARN
 * templates that may use `${Partition}`, `${AccountId}` and `${Region}` (default `["*"]`); condition values
 * may use the same templates.
 */
export interface CatalogStatement {
  /** Default `Allow`. */
  effect?: 'Allow' | 'Deny';
  actions: string[];
  resources?: string[];
  conditions?: ConditionBlock;
}
