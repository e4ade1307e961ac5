export type { Catalog, CatalogIntegration, CatalogProduct, CatalogStatement } from './catalog-types.ts';
export { parseCatalog, type ParseCatalogOptions } from './parse-catalog.ts';
export { CATALOG_LIMITS, type CatalogLimit } from './catalog-limits.ts';
export { catalogFileSchema, CATALOG_ID, MANAGED_POLICY_NAME, type CatalogFile } from './catalog-schema.ts';
export { checkAction, isConditionOperator, type ActionCheck } from './check-actions.ts';
export {
  checkArnTemplate,
  checkTemplateVariables,
  resolveTemplate,
  TEMPLATE_VARIABLES,
  type TemplateValues,
} from './arn-template.ts';
