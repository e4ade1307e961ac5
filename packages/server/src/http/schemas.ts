import { z } from 'zod';
import { parseStackArn, STACK_SLUG_PATTERN, WILDCARD_MODES, type WildcardMode } from '@trustgate/core';
import { ACCESS_LEVELS, TOKEN_SCOPES } from '../model/records.ts';
import { DELIVERABLE_FORMATS } from '../app/connections/render-deliverables.ts';
import { NAME_FORBIDDEN, NAME_RULE } from './text-rules.ts';

/** Request and response schemas of the HTTP API (zod; JSON Schema for OpenAPI is derived from them). */

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
const name = z
  .string()
  .trim()
  .min(1)
  .max(128)
  .refine((n) => !NAME_FORBIDDEN.test(n), NAME_RULE)
  .describe(
    `1-128 characters of one line of visible text (${NAME_RULE}). Every text field of the API is valid Unicode without NUL characters.`,
  );
const labelKey = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9_.\-/]+$/);
const labels = z
  .record(
    labelKey,
    z
      .string()
      .max(256)
      .refine((v) => !NAME_FORBIDDEN.test(v), NAME_RULE),
  )
  .refine((l) => Object.keys(l).length <= 50, 'at most 50 labels');
const actionName = z.string().min(1).max(256);
const status = z.enum(['pending', 'connected', 'needs-update', 'insecure', 'broken']);
const partition = z.enum(['aws', 'aws-us-gov', 'aws-cn']);

/** Path parameters (id). */
export const idParams = z.object({ id }).strict();
/** Path parameters (user). */
export const userParams = z.object({ userId: id }).strict();
/** Path parameters (token). */
export const tokenParams = z.object({ tokenId: id }).strict();
/** Path parameters (space). */
export const spaceParams = z.object({ spaceId: id }).strict();
/** Path parameters (catalog). */
export const catalogParams = z
  .object({
    name: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[a-z0-9][a-z0-9-]*$/),
  })
  .strict();
/** Path parameters (access). */
export const accessParams = z.object({ id, userId: id }).strict();
/** Path parameters (format). */
export const formatParams = z.object({ id, format: z.enum(DELIVERABLE_FORMATS) }).strict();

/** Response: organization. */
export const organizationView = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
/** Response: user. */
export const userView = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.enum(['admin', 'member']),
  createdAt: z.string(),
});
/** Response: token. */
export const tokenView = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES as [string, ...string[]])),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  issueRestriction: z
    .object({ spaceIds: z.array(z.string()).optional(), stackIds: z.array(z.string()).optional() })
    .nullable(),
});
/** Response: issued token. */
export const issuedTokenView = z.object({
  token: tokenView,
  secret: z.string().describe('Shown once; only its SHA-256 hash is stored.'),
});
/** Response: space. */
export const spaceView = z.object({ id: z.string(), name: z.string(), createdAt: z.string() });
/** Response: catalog. */
export const catalogView = z.object({
  id: z.string(),
  name: z.string(),
  version: z.number(),
  fileName: z.string(),
  createdAt: z.string(),
});
/** Response: ok. */
export const okView = z.object({ ok: z.literal(true) });

/** Request body: create organization. */
export const createOrganizationBody = z.object({ name, adminEmail: z.email(), adminName: name }).strict();
/** Response: created organization. */
export const createdOrganizationView = z.object({
  organization: organizationView,
  admin: userView,
  token: issuedTokenView,
});
/** Request body: rename organization. */
export const renameOrganizationBody = z.object({ name }).strict();
/** Request body: create user. */
export const createUserBody = z
  .object({ email: z.email(), name, role: z.enum(['admin', 'member']).default('member') })
  .strict();
/** Request body: create token. */
export const createTokenBody = z
  .object({
    name,
    scopes: z
      .array(z.enum(TOKEN_SCOPES as [string, ...string[]]))
      .min(1)
      .max(TOKEN_SCOPES.length),
    userId: id.optional(),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
    issueRestriction: z
      .object({
        spaceIds: z.array(id).min(1).max(100).optional(),
        stackIds: z.array(id).min(1).max(100).optional(),
      })
      .strict()
      .refine((r) => r.spaceIds !== undefined || r.stackIds !== undefined, {
        message: 'give spaceIds and/or stackIds',
      })
      .optional()
      .describe(
        'With the credentials:issue scope: the token issues only for stacks in these spaces and/or these stacks. A token issued by a restricted token is restricted at least as narrowly (its restriction by default).',
      ),
  })
  .strict();
/** Request body: create space. */
export const createSpaceBody = z.object({ name }).strict();
/** Request body: upload catalog. */
export const uploadCatalogBody = z
  .object({
    name: catalogParams.shape.name,
    fileName: z.string().max(256).default('catalog.yaml'),
    source: z.string().min(1).max(2_000_000),
  })
  .strict();
/** Response: uploaded catalog. */
export const uploadedCatalogView = z.object({
  catalog: catalogView,
  findings: z.array(z.object({ code: z.string(), severity: z.string(), message: z.string(), path: z.string() })),
  connectionsNeedingUpdate: z.number(),
});

const scope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('account'), accountId: z.string() }).strict(),
  z.object({ kind: z.literal('accounts'), accountIds: z.array(z.string()).min(1).max(1000) }).strict(),
  z
    .object({
      kind: z.literal('organization'),
      organizationId: z.string(),
      organizationalUnitIds: z.array(z.string().max(64)).max(100).optional(),
    })
    .strict()
    .describe(
      "Every account of an AWS Organization. Verification proves each role's account belongs to it by calling organizations:DescribeOrganization as the role (the template grants it); an account in another organization or none is broken, an unreadable membership needs-update. organizationalUnitIds shape the StackSet deliverable; OU membership is not verified.",
    ),
]);
const selection = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('default') }).strict(),
  z
    .object({
      mode: z.literal('custom'),
      products: z.array(z.string().max(128)).max(500).optional(),
      integrations: z.array(z.string().max(256)).max(2000).optional(),
    })
    .strict(),
]);

/** The run phases a role trusts: read (plan), write (apply), or both. */
const trustedPhases = z
  .array(z.enum(['read', 'write']))
  .min(1)
  .max(2);

const externalIdTrust = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('exact') }).strict(),
    z
      .object({
        kind: z.literal('scoped'),
        stacks: z
          .array(z.string().regex(STACK_SLUG_PATTERN, 'a stack slug (1-64 of a-z, 0-9 and "-")'))
          .min(1)
          .max(100)
          .optional(),
        phases: trustedPhases,
      })
      .strict(),
  ])
  .describe(
    'Which external ID the role trusts. exact (default): StringEquals the connection\'s external ID. scoped: StringLike <external ID>@<stack slug>@<read|write> for any stack (stacks omitted) or the listed stack slugs, for the listed phases (["read"] = read only); runs pass <external ID>@<stack>@<phase>.',
  );

const connectionTrust = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('external-id') }).strict(),
    z
      .object({
        kind: z.literal('oidc'),
        audience: z.string().min(1).max(255).optional(),
        stackIds: z.array(id).min(1).max(100).optional(),
        phases: trustedPhases,
      })
      .strict(),
  ])
  .describe(
    "How the role trusts the platform. external-id (default): the platform's AWS account or role with the external ID (externalIdTrust). oidc: trustgate's OIDC issuer (an IAM OIDC provider in each account of the scope, which every deliverable creates or reuses; any scope, manual or automatic mode), StringEquals <issuer>:aud = audience (default sts.amazonaws.com, sts.amazonaws.com.cn in aws-cn) and StringLike <issuer>:sub for the organization's stacks (any, or the listed stack IDs) in the listed phases ([\"read\"] = read only). Needs the service's OIDC issuer.",
  );

const wildcardMode = z
  .enum(WILDCARD_MODES as unknown as [WildcardMode, ...WildcardMode[]])
  .describe(
    "What the compiler does with the catalog's wildcards. expand (default): every action listed exactly. keep: the catalog's wildcards as written (they grant the actions AWS adds later under them). compact: word-boundary wildcards of one access level that grant exactly the same today.",
  );

/** Request body: create connection. */
export const createConnectionBody = z
  .object({
    name,
    partition: partition.optional(),
    mode: z.enum(['manual', 'automatic']).optional(),
    scope,
    roleName: z.string().max(128).optional(),
    region: z.string().max(32).nullable().optional(),
    labels: labels.optional(),
    selection: selection.optional(),
    managedPolicies: z.array(z.string().max(2048)).max(20).optional(),
    extraActions: z.array(actionName).max(1000).optional(),
    wildcards: wildcardMode.optional(),
    catalogName: z.string().max(64).nullable().optional(),
    spaceId: id.nullable().optional(),
    trust: connectionTrust.optional(),
    externalIdTrust: externalIdTrust.optional(),
    sessionTagging: z
      .boolean()
      .optional()
      .describe(
        "The trust policy also allows sts:TagSession and sts:SetSourceIdentity, so runs' sessions carry the stack, phase and run as session tags and a source identity (CloudTrail shows them).",
      ),
  })
  .strict();
/** Request body: update connection. */
export const updateConnectionBody = createConnectionBody
  .pick({
    name: true,
    labels: true,
    selection: true,
    managedPolicies: true,
    extraActions: true,
    wildcards: true,
    catalogName: true,
    spaceId: true,
    region: true,
    trust: true,
    externalIdTrust: true,
    sessionTagging: true,
  })
  .partial()
  .strict();
/** Query string: list connections. */
export const listConnectionsQuery = z
  .object({
    status: status.optional(),
    space: id.optional(),
    label: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('key:value, repeatable; every label must match'),
  })
  .strict();
/** Request body: verify. */
export const verifyBody = z
  .object({
    roleArn: z.string().max(2048).optional(),
    stackId: z
      .string()
      .max(2048)
      .refine(
        (v) => parseStackArn(v) !== undefined,
        'a CloudFormation stack ARN: arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>',
      )
      .optional()
      .describe('The CloudFormation stack that created the role (for update-stack links)'),
  })
  .strict();

const integrationActions = z.object({ productId: z.string(), integrationId: z.string(), actions: z.array(z.string()) });
/** Response: policy diff. */
export const policyDiffView = z.object({
  changed: z.boolean(),
  added: z.array(integrationActions),
  removed: z.array(integrationActions),
  managedPoliciesAdded: z.array(z.string()),
  managedPoliciesRemoved: z.array(z.string()),
  wildcardsAdded: z
    .array(z.string())
    .describe('Wildcards the new documents write (they grant the actions AWS adds later under them too)'),
  wildcardsRemoved: z.array(z.string()).describe('Wildcards the new documents no longer write'),
  wildcardMode: z.object({ from: wildcardMode, to: wildcardMode }).optional().describe('Set when the mode changed'),
});
/** Response: connection. */
export const connectionView = z.object({
  id: z.string(),
  name: z.string(),
  spaceId: z.string().nullable(),
  partition: z.string(),
  mode: z.string(),
  scope,
  roleName: z.string(),
  region: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  selection,
  managedPolicies: z.array(z.string()),
  extraActions: z.array(z.string()),
  wildcards: wildcardMode,
  wildcardsWritten: z.array(z.string()),
  catalogName: z.string().nullable(),
  externalId: z.string(),
  previousExternalId: z.string().nullable(),
  trust: connectionTrust,
  externalIdTrust,
  sessionTagging: z.boolean(),
  sessionsRevokedBefore: z.string().nullable(),
  status,
  statusReason: z.string(),
  requiredActions: z.array(integrationActions),
  pendingChanges: policyDiffView.nullable(),
  roles: z.array(
    z.object({
      accountId: z.string(),
      roleArn: z.string(),
      status: z.string(),
      statusReason: z.string(),
      verifiedAt: z.string().nullable(),
      missing: z.array(integrationActions),
      missingManagedPolicies: z.array(z.string()),
      fixHint: z.string().optional(),
    }),
  ),
  accessLevel: z.enum(ACCESS_LEVELS as [string, ...string[]]).optional(),
  lastVerifiedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const policyDocument = z.record(z.string(), z.unknown());
/** Response: deliverables. */
export const deliverablesView = z.object({
  trustPolicy: policyDocument,
  permissionPolicies: z.array(z.object({ name: z.string(), document: policyDocument })),
  managedPolicyArns: z.array(z.string()),
  formats: z.partialRecord(z.enum(DELIVERABLE_FORMATS), z.string()),
  updateStackLinks: z.array(z.object({ accountId: z.string(), stackId: z.string(), link: z.string() })),
  warnings: z.array(z.object({ code: z.string(), severity: z.string(), message: z.string(), path: z.string() })),
});
/** Response: created connection. */
export const createdConnectionView = z.object({ connection: connectionView, deliverables: deliverablesView });
/** Response: updated connection. */
export const updatedConnectionView = z.object({ connection: connectionView, diff: policyDiffView });

/** Response: access grant. */
export const accessGrantView = z.object({ userId: z.string(), level: z.enum(ACCESS_LEVELS as [string, ...string[]]) });
/** Request body: put access. */
export const putAccessBody = z.object({ level: z.enum(ACCESS_LEVELS as [string, ...string[]]) }).strict();
/** Response: callback accepted. */
export const callbackAcceptedView = z.object({ accepted: z.boolean() });

/** Field schemas the broker's schemas (broker-schemas.ts) share with these. */
export { id as idField, name as nameField, labels as labelsField };
