import { z } from 'zod';
import { idField } from './schemas.ts';

/** Request and response schemas of the audit route (zod; OpenAPI is derived from them). */

/** Query string: audit. */
export const auditQuery = z
  .object({
    connectionId: idField.optional(),
    action: z.string().min(1).max(100).optional().describe('Only events of this action (`connection.verify`).'),
    actorUserId: idField.optional().describe('Only events by this user.'),
    since: z.iso.datetime({ offset: true }).optional().describe('An ISO 8601 time: only events at or after it.'),
    until: z.iso.datetime({ offset: true }).optional().describe('An ISO 8601 time: only events before it.'),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
    after: z.coerce
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .optional()
      .describe(
        "A seq: only the events committed after that event, oldest first (the log's commit order). Read again with the last answer's largest seq to follow the log: each event comes once, none is skipped. after=0 reads from the start. Without it, the newest events first by time.",
      ),
  })
  .strict();

/** Response: audit event. */
export const auditEventView = z.object({
  seq: z.number().int().describe("The event's position in the log's commit order (for `after`)."),
  id: z.string(),
  at: z.string(),
  actorUserId: z.string().nullable(),
  tokenId: z.string().nullable(),
  action: z.string(),
  connectionId: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
