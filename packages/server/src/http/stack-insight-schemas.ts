import { z } from 'zod';
import { idField } from './schemas.ts';

/** Schemas of the stack insight routes: a stack's example trust statement and its recent issuances (issue 14). */

const phase = z.enum(['read', 'write']);

/** Request body: the example trust statement of a stack and phase for a connection. */
export const trustStatementBody = z
  .object({
    connectionId: idField,
    phase: phase.describe('read = plan, write = apply.'),
    assumeOnWorker: z.boolean().optional(),
    customExternalId: z
      .string()
      .max(1224)
      .nullable()
      .optional()
      .describe("Only with assumeOnWorker: the external ID the worker passes (the statement names the worker's role)."),
    accountId: z
      .string()
      .max(12)
      .optional()
      .describe(
        "OIDC: the account whose IAM OIDC provider the statement trusts (default the connection's first role's).",
      ),
  })
  .strict();

/** Response: the example trust statement. */
export const trustStatementView = z.object({
  stackId: z.string(),
  connectionId: z.string(),
  phase,
  trust: z.enum(['external-id', 'oidc']),
  externalId: z.string().optional().describe('What runs of the stack in the phase pass as sts:ExternalId.'),
  subject: z.string().optional().describe("The sub of the runs' OIDC tokens."),
  scopedToStack: z.boolean().describe('The statement admits this stack in this phase only.'),
  statement: z.record(z.string(), z.unknown()),
  policy: z.record(z.string(), z.unknown()).describe('The statement as a whole trust policy document.'),
  notes: z.array(z.string()),
});

/** Query string: a stack's issuances. */
export const stackIssuancesQuery = z
  .object({
    hours: z.coerce
      .number()
      .int()
      .min(1)
      .max(168)
      .optional()
      .describe('The window, in hours up to now (default 24): hourly buckets, 10-minute buckets for 6 hours or less.'),
  })
  .strict();

/** Response: a stack's recent issuances and their series. */
export const stackIssuancesView = z.object({
  stackId: z.string(),
  issuances: z.array(
    z.object({
      id: z.string(),
      at: z.string(),
      runId: z.string(),
      phase: z.string(),
      connectionId: z.string().nullable(),
      accountId: z.string(),
      region: z.string(),
      sessionName: z.string(),
      sessionMode: z.string(),
      durationSeconds: z.number(),
      source: z.enum(['sts', 'cache', 'stale-cache']).nullable(),
      assumeOnWorker: z.boolean(),
      via: z.string(),
      expiration: z.string().nullable(),
      actorUserId: z.string().nullable(),
    }),
  ),
  series: z.object({
    bucketSeconds: z.number(),
    since: z.string(),
    buckets: z.array(z.object({ start: z.string(), issued: z.number(), cacheHits: z.number() })),
  }),
  truncated: z.boolean(),
});
