import { z } from 'zod';
import { ACCESS_LEVELS, PARTITIONS } from '@trustgate/core';
import { createConnectionBody } from './schemas.ts';

/** Request and response schemas of the routes the console's connect wizard reads (zod; OpenAPI is derived from them). */

const partition = z.enum(PARTITIONS);
const finding = z.object({ code: z.string(), severity: z.string(), message: z.string(), path: z.string() });

/** Request body: policy preview — a connection's permission settings, as a create takes them. */
export const policyPreviewBody = createConnectionBody
  .pick({
    partition: true,
    roleName: true,
    region: true,
    selection: true,
    managedPolicies: true,
    extraActions: true,
    wildcards: true,
    catalogName: true,
  })
  .extend({
    scope: createConnectionBody.shape.scope
      .optional()
      .describe(
        "The connection's scope (optional): one account fills ${AccountId} in the catalog's ARN templates, as a create does; without, `*`.",
      ),
  })
  .strict();

/** Response: policy preview. */
export const policyPreviewView = z.object({
  partition,
  documents: z
    .array(z.object({ name: z.string(), document: z.record(z.string(), z.unknown()), characters: z.number().int() }))
    .describe("The customer managed policies the role gets, as a created connection's deliverables hold them"),
  managedPolicyArns: z.array(z.string()),
  requiredActions: z.array(
    z.object({ productId: z.string(), integrationId: z.string(), actions: z.array(z.string()) }),
  ),
  wildcardMode: z.enum(['expand', 'keep', 'compact']),
  wildcards: z.array(z.string()),
  warnings: z.array(finding).describe('Integrations not offered in the partition (left out), wildcards written'),
  limits: z.object({
    characters: z
      .number()
      .int()
      .describe('Characters of every document together (IAM counts them without white space)'),
    maxCharactersPerPolicy: z.number().int(),
    maxCharacters: z
      .number()
      .int()
      .describe(
        "What the role's managed policies can hold in all: the default quota's policies left after the AWS managed ones",
      ),
    managedPolicies: z
      .number()
      .int()
      .describe('Managed policies attached: the documents plus the AWS managed policies'),
    maxManagedPolicies: z.number().int().describe('The default quota (AWS raises it up to 20 on request)'),
  }),
});

/** Query string: catalog tree. */
export const catalogTreeQuery = z
  .object({
    catalogName: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe("The organization's catalog; without, the service's default catalog (a connection's catalogName null)"),
  })
  .strict();

const treeIntegration = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().optional(),
  default: z.boolean(),
  partitions: z.array(partition),
  managedPolicies: z.array(z.string()),
  statements: z.array(
    z.object({ effect: z.enum(['Allow', 'Deny']), actions: z.array(z.string()), resources: z.array(z.string()) }),
  ),
});

/** Response: catalog tree. */
export const catalogTreeView = z.object({
  catalogName: z.string().nullable(),
  version: z.number().int(),
  title: z.string().optional(),
  description: z.string().optional(),
  products: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      description: z.string().optional(),
      integrations: z.array(treeIntegration),
    }),
  ),
});

/** Query string: actions. */
export const actionsQuery = z
  .object({
    prefix: z
      .string()
      .max(256)
      .default('')
      .describe('The start of service:Action, any case (`ec2:Desc`); empty lists every action'),
    limit: z.coerce.number().int().min(1).max(500).default(20),
    after: z.string().max(256).optional().describe("The previous page's `next`"),
  })
  .strict();

/** Response: actions. */
export const actionsView = z.object({
  actions: z.array(
    z.object({ name: z.string(), accessLevel: z.enum(ACCESS_LEVELS as [string, ...string[]]).optional() }),
  ),
  total: z.number().int(),
  next: z.string().optional(),
  didYouMean: z
    .array(z.string())
    .optional()
    .describe('The closest real actions when nothing matches a service:Action prefix'),
});
