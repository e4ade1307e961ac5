import { z } from 'zod';

/** Response schema of the drift route (zod; OpenAPI is derived from it). */

const policyDocument = z.record(z.string(), z.unknown());
const status = z.enum(['pending', 'connected', 'needs-update', 'insecure', 'broken']);

/** Response: a connection's expected policies against each role's current ones. */
export const connectionDriftView = z.object({
  expected: z
    .object({
      policies: z.array(z.object({ name: z.string(), document: policyDocument })),
      managedPolicyArns: z.array(z.string()),
    })
    .describe("What the connection's current template writes."),
  roles: z.array(
    z.object({
      accountId: z.string(),
      roleArn: z.string(),
      status,
      verifiedAt: z.string().nullable(),
      observed: z
        .object({
          policies: z
            .array(z.object({ source: z.string(), name: z.string(), document: policyDocument }))
            .describe(
              'Inline (source `inline:<name>`) and customer managed (source: the ARN) policies with their documents; `name` is what the template names it.',
            ),
          managedPolicyArns: z.array(z.string()).describe('Every attached managed policy (AWS managed by ARN only).'),
        })
        .nullable()
        .describe(
          "The role's policies as its last verification read them; null when never verified or they could not be read.",
        ),
    }),
  ),
});
