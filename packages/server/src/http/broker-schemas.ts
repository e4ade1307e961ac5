import { z } from 'zod';
import { STACK_SLUG_PATTERN } from '@trustgate/core';
import { SESSION_MODES } from '../model/broker-records.ts';
import { DEFAULT_DURATION_SECONDS, MAX_DURATION_SECONDS, MIN_DURATION_SECONDS } from '../app/broker/attachments.ts';
import { idField, labelsField, nameField } from './schemas.ts';

/** Request and response schemas of the broker's stack and attachment routes (zod; OpenAPI is derived from them). */

const phase = z.enum(['read', 'write']);
const slug = z
  .string()
  .regex(
    STACK_SLUG_PATTERN,
    '1-64 characters of a-z, 0-9 and "-", starting with a letter or digit (part of the scoped external ID <connection ID>@<slug>@<phase>)',
  )
  .describe('Unique in the organization; cannot change later (roles trust external IDs that carry it).');

/** Path parameters (stack). */
export const stackParams = z.object({ id: idField }).strict();
/** Path parameters (stack and attachment). */
export const attachmentParams = z.object({ id: idField, attachmentId: idField }).strict();

/** Request body: create stack. */
export const createStackBody = z
  .object({ slug, name: nameField, spaceId: idField.nullable().optional(), labels: labelsField.optional() })
  .strict();
/** Request body: update stack (the slug only unchanged). */
export const updateStackBody = createStackBody.partial().strict();
/** Query string: list stacks. */
export const listStacksQuery = z
  .object({
    space: idField.optional(),
    label: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('key:value, repeatable; every label must match'),
  })
  .strict();
/** Response: stack. */
export const stackView = z.object({
  id: z.string(),
  spaceId: z.string().nullable(),
  slug: z.string(),
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Request body: attach a connection to a stack. */
export const createAttachmentBody = z
  .object({
    connectionId: idField,
    accountIds: z
      .array(z.string().max(12))
      .min(1)
      .max(1000)
      .optional()
      .describe(
        'Accounts of the connection the stack may use (each must hold a verified role); default every account the connection has a role in.',
      ),
    phases: z
      .array(phase)
      .min(1)
      .max(2)
      .describe('read = plan, write = apply. Each allowed phase is verified at attach time with its external ID.'),
    durationSeconds: z
      .number()
      .int()
      .min(MIN_DURATION_SECONDS)
      .max(MAX_DURATION_SECONDS)
      .optional()
      .describe(
        `Session duration asked for (default ${DEFAULT_DURATION_SECONDS}); clamped at issue time to the role's MaxSessionDuration, and to 3,600 when the platform's identity is itself a role session (role chaining); the answer says so.`,
      ),
    region: z
      .string()
      .max(32)
      .nullable()
      .optional()
      .describe("Credentials' region and STS endpoint; default the connection's."),
    readOnlySessionPolicy: z
      .boolean()
      .optional()
      .describe(
        "The read phase carries a session policy allowing only the List/Read access levels of the connection's integrations' actions, so a plan cannot write where the role could. POLICY_TOO_LARGE at attach time when it cannot fit STS's limit.",
      ),
    sessionMode: z
      .enum(SESSION_MODES as [string, ...string[]])
      .optional()
      .describe(
        "per-run (default): one STS session per run; CloudTrail names the run (tg-<stack>-<run>); about one AssumeRole per run and phase, refreshes and retries served from the cache. shared: one cached session per stack, phase, account and region, reused by every run until it nears expiry (tg-<stack>-<phase>); about one AssumeRole per key per session lifetime, however many runs; trustgate's audit maps the session to runs.",
      ),
    assumeOnWorker: z
      .boolean()
      .optional()
      .describe(
        "The issuance answers the assumption parameters (role ARN, external ID, session name, duration, session policy, tags) instead of credentials; for an OIDC connection, the run's web identity token (webIdentity) for AWS_WEB_IDENTITY_TOKEN_FILE, refreshed with the run token.",
      ),
    customExternalId: z
      .string()
      .max(1224)
      .nullable()
      .optional()
      .describe(
        "Only with assumeOnWorker: the external ID the worker passes. Refused otherwise: with trustgate's own identity, an ID a tenant chose would let one tenant use another's role (the confused deputy). Not verified by trustgate (it cannot act as the worker).",
      ),
  })
  .strict();

/** Request body: change an attachment (every setting but its stack and connection; a field left out stays). */
export const updateAttachmentBody = createAttachmentBody
  .omit({ connectionId: true })
  .partial()
  .extend({
    accountIds: z
      .array(z.string().max(12))
      .min(1)
      .max(1000)
      .nullable()
      .optional()
      .describe(
        'Accounts of the connection the stack may use (each must hold a verified role); null = every account the connection has a role in.',
      ),
  })
  .strict();

const phaseCheck = z.object({
  accountId: z.string(),
  phase,
  ok: z.boolean(),
  reason: z.string(),
  fixHint: z.string().optional(),
});
/** Response: attachment. */
export const attachmentView = z.object({
  id: z.string(),
  stackId: z.string(),
  connectionId: z.string(),
  accountIds: z.array(z.string()).nullable(),
  phases: z.array(phase),
  durationSeconds: z.number(),
  region: z.string().nullable(),
  readOnlySessionPolicy: z.boolean(),
  sessionMode: z.enum(SESSION_MODES as [string, ...string[]]),
  assumeOnWorker: z.boolean(),
  customExternalId: z.string().nullable(),
  verification: z
    .object({ at: z.string(), checks: z.array(phaseCheck) })
    .nullable()
    .describe(
      'What attaching (or the last re-verification) proved per account and phase; null when not verified (custom external ID).',
    ),
  createdAt: z.string(),
  updatedAt: z.string(),
});
