import { z } from 'zod';
import { PARTITIONS } from '../partition/index.ts';

/** Ids: lower-case letters, digits and single dashes, 1-64 characters (`elastic-compute`, `spot-fleet`). */
export const CATALOG_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/**
 * An AWS managed policy name, optionally with its path (`ReadOnlyAccess`, `service-role/AmazonEC2SpotFleetTaggingRole`,
 * `job-function/ViewOnlyAccess`): IAM names are 1-128 characters of `[\w+=,.@-]` (IAM API reference, CreatePolicy).
 */
export const MANAGED_POLICY_NAME = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;

const conditionValue = z.union([z.string(), z.number(), z.boolean()]);

/** Schema of one statement in a catalog file. */
export const catalogStatementSchema = z.strictObject({
  effect: z.enum(['Allow', 'Deny']).optional(),
  actions: z.array(z.string().min(1, 'an action is empty')).min(1, 'a statement needs at least one action'),
  resources: z
    .array(z.string().min(1, 'a resource is empty'))
    .min(1, 'resources, when given, needs at least one entry')
    .optional(),
  conditions: z
    .record(z.string(), z.record(z.string(), z.union([conditionValue, z.array(conditionValue).min(1)])))
    .optional(),
});

/** Schema of one integration (permission bundle). */
export const catalogIntegrationSchema = z.strictObject({
  id: z.string().regex(CATALOG_ID, 'an id is lower-case letters, digits and dashes (1-64)'),
  name: z.string().min(1),
  description: z.string().optional(),
  default: z.boolean(),
  partitions: z.array(z.enum(PARTITIONS)).min(1, 'an integration must be offered in at least one partition').optional(),
  statements: z.array(catalogStatementSchema).default([]),
  managedPolicies: z
    .array(
      z
        .string()
        .regex(MANAGED_POLICY_NAME, 'not an AWS managed policy name (like ReadOnlyAccess or service-role/Name)'),
    )
    .default([]),
});

/** Schema of one product. */
export const catalogProductSchema = z.strictObject({
  id: z.string().regex(CATALOG_ID, 'an id is lower-case letters, digits and dashes (1-64)'),
  name: z.string().min(1),
  description: z.string().optional(),
  integrations: z.array(catalogIntegrationSchema).min(1, 'a product needs at least one integration'),
});

/** Schema of a catalog file (YAML or JSON). Unknown keys are errors, so a typo is never silently ignored. */
export const catalogFileSchema = z.strictObject({
  version: z.literal(1),
  name: z.string().optional(),
  description: z.string().optional(),
  products: z.array(catalogProductSchema).min(1, 'a catalog needs at least one product'),
});

/** A catalog file as the schema accepts it, before the semantic checks. */
export type CatalogFile = z.infer<typeof catalogFileSchema>;
