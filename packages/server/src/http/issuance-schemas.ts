import { z } from 'zod';
import { NAME_FORBIDDEN, NAME_RULE } from './text-rules.ts';

/** Request and response schemas of the credential broker's issuance routes (issue 12). */

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
const phase = z.enum(['read', 'write']).describe('`read` (plan) or `write` (apply).');
const accountId = z.string().regex(/^\d{12}$/, 'an AWS account ID is 12 digits');
const region = z
  .string()
  .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'an AWS region such as eu-west-1')
  .describe('Region of the credentials and of the STS endpoint called (default: the attachment\u2019s).');

/** Most a run token may live: 12 hours (a run longer than that asks again with its orchestrator's token). */
export const RUN_TOKEN_MAX_SECONDS = 43_200;

/** Body of `POST /v1/issuances`. */
export const issueBody = z
  .object({
    stack: z
      .string()
      .min(1)
      .max(64)
      .refine((n) => !NAME_FORBIDDEN.test(n), NAME_RULE)
      .describe('The stack\u2019s ID or slug.'),
    phase,
    runId: z
      .string()
      .min(1)
      .max(128)
      .refine((n) => !NAME_FORBIDDEN.test(n), NAME_RULE)
      .describe('The platform\u2019s run ID; it names the session (per-run mode) and is audited.'),
    accountId: accountId
      .optional()
      .describe('Required when the stack\u2019s attachment covers several accounts of a multi-account connection.'),
    connectionId: id
      .optional()
      .describe('Required only when several connections are attached to the stack for this phase.'),
    region: region.optional(),
    runToken: z
      .object({ lifetimeSeconds: z.number().int().min(60).max(RUN_TOKEN_MAX_SECONDS) })
      .strict()
      .optional()
      .describe(
        'Also answer a run token bound to (stack, phase, run, account, region) for the run\u2019s lifetime: the worker refreshes with it (`POST /v1/issuances/refresh`, `GET /v1/container-credentials`) without the orchestrator\u2019s token.',
      ),
  })
  .strict();

const clamped = z.object({ from: z.number(), to: z.number(), reason: z.string() });

/** The assumption parameters of an assume-on-worker attachment. */
export const assumeRoleView = z.object({
  roleArn: z.string(),
  externalId: z.string(),
  roleSessionName: z.string(),
  durationSeconds: z.number(),
  policy: z.string().optional(),
  sourceIdentity: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

/** The web identity delivery of an OIDC connection's assume-on-worker attachment (the token is a secret). */
export const webIdentityView = z
  .object({
    token: z.string().describe('The OIDC token: write it to the file AWS_WEB_IDENTITY_TOKEN_FILE names (mode 0600).'),
    roleArn: z.string(),
    roleSessionName: z.string(),
    expiresAt: z
      .string()
      .describe("When the token expires (the issuer's longest lifetime, never past the run's token): refresh before."),
    durationSeconds: z.number(),
    env: z
      .record(z.string(), z.string())
      .describe(
        'AWS_ROLE_ARN, AWS_ROLE_SESSION_NAME, AWS_REGION, AWS_DEFAULT_REGION; add AWS_WEB_IDENTITY_TOKEN_FILE.',
      ),
  })
  .describe(
    'The run assumes the role by itself: the AWS CLI and SDKs read the token file and call AssumeRoleWithWebIdentity, re-reading the file whenever they refresh. POST /v1/issuances/refresh with the run token answers a fresh token for as long as the run lasts.',
  );

/** Response of an issuance: credentials and every delivery format, or (assume on worker) the assumption parameters. */
export const issuanceView = z.object({
  phase,
  runId: z.string(),
  stackId: z.string(),
  connectionId: z.string(),
  accountId: z.string(),
  region: z.string(),
  sessionName: z.string(),
  durationSeconds: z.number(),
  clamped: clamped.optional(),
  /** The platform identity is itself a role session: AWS caps the chained session at one hour. */
  chained: z.boolean(),
  assumedRoleArn: z.string().optional(),
  expiration: z.string().optional(),
  source: z.enum(['cache', 'sts', 'stale-cache']).optional(),
  credentials: z.object({ accessKeyId: z.string(), secretAccessKey: z.string(), sessionToken: z.string() }).optional(),
  formats: z
    .object({
      env: z.record(z.string(), z.string()),
      credentialProcess: z.object({
        Version: z.literal(1),
        AccessKeyId: z.string(),
        SecretAccessKey: z.string(),
        SessionToken: z.string(),
        Expiration: z.string(),
      }),
      configProfile: z.string(),
      container: z.object({
        AccessKeyId: z.string(),
        SecretAccessKey: z.string(),
        Token: z.string(),
        Expiration: z.string(),
      }),
    })
    .optional(),
  assumeRole: assumeRoleView.optional(),
  webIdentity: webIdentityView.optional(),
  runToken: z.string().optional(),
  runTokenExpiresAt: z.string().optional(),
});

/** Response of the container credentials endpoint: what the AWS SDKs' container provider reads. */
export const containerCredentialsView = z.object({
  AccessKeyId: z.string(),
  SecretAccessKey: z.string(),
  Token: z.string(),
  Expiration: z.string(),
});

/** Response of `POST /v1/connections/:id/revoke-sessions`. */
export const revokeSessionsView = z.object({
  revokedBefore: z.string(),
  remedy: z
    .object({
      policyName: z.string(),
      cutoff: z.string().describe('The cut-off as the policy writes it (ISO 8601, whole seconds).'),
      document: z.record(z.string(), z.unknown()),
      cli: z.string(),
      cloudformation: z.record(z.string(), z.unknown()),
      consoleUrl: z.string(),
    })
    .describe(
      "AWS's remedy for the customer's role (IAM console: Revoke active sessions): an inline policy denying every session issued before the cut-off, as a CLI command and a CloudFormation snippet",
    ),
});
