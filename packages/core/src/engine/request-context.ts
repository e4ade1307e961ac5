import { splitArn } from '../arn/index.ts';
import { parseIdentityArn } from './identity-arn.ts';
import type { ContextValue, EvaluationRequest, PrincipalType } from './types.ts';

/** One context key's values as text; `multi` marks a multivalued key (given as an array, or a global key AWS documents as multivalued). */
export interface ContextEntry {
  values: string[];
  multi: boolean;
}

/**
 * A request normalized once for evaluation: lower-cased context keys, values as text, the principal
 * classified and the accounts resolved.
 */
export interface PreparedRequest {
  /** Lower-cased action (`sts:assumerole`). */
  action: string;
  /** The action as the request spelled it. */
  actionText: string;
  /** Lower-cased service prefix of the action. */
  service: string;
  resource: string;
  principalArn: string;
  principalType: PrincipalType;
  principalKind: 'root' | 'user' | 'role' | 'assumed-role' | 'federated-user' | 'other' | 'service' | 'federated';
  /** Partition of the principal ARN (`aws` when it has none). */
  principalPartition: string;
  /** For a session: the role name; for a federated user: the user name. */
  principalName: string | undefined;
  principalAccountId: string | undefined;
  resourceAccountId: string | undefined;
  /** Context keys, lower-cased. */
  context: Map<string, ContextEntry>;
}

/** Render a context value as AWS compares it: dates as ISO 8601, booleans as `true`/`false`. */
export function contextValueText(value: string | number | boolean | Date): string {
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/**
 * Global keys AWS documents as multivalued (type ArrayOfString in "AWS global condition context keys"): a
 * single value given for one of them is still one value of a multivalued key.
 */
const MULTIVALUED_GLOBAL_KEYS = new Set(
  [
    'aws:TagKeys',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalServiceNamesList',
    'aws:CalledVia',
    'aws:ResourceOrgPaths',
    'aws:SourceOrgPaths',
    'aws:VpceOrgPaths',
  ].map((k) => k.toLowerCase()),
);

function entryOf(lowerKey: string, value: ContextValue): ContextEntry {
  if (Array.isArray(value)) return { values: value.map(contextValueText), multi: true };
  return { values: [contextValueText(value)], multi: MULTIVALUED_GLOBAL_KEYS.has(lowerKey) };
}

const PRINCIPAL_TYPES: Record<string, string | undefined> = {
  root: 'Account',
  user: 'User',
  role: 'AssumedRole',
  'assumed-role': 'AssumedRole',
  'federated-user': 'FederatedUser',
};

function setDefault(context: Map<string, ContextEntry>, key: string, value: string): void {
  const lower = key.toLowerCase();
  if (!context.has(lower)) context.set(lower, { values: [value], multi: false });
}

/**
 * Normalize a request. Context keys AWS always sets from the principal are added when the caller did not set
 * them (IAM User Guide, "AWS global condition context keys"): `aws:PrincipalArn` (for a session: its role's ARN,
 * without the role's path unless the caller supplies `aws:PrincipalArn`), `aws:PrincipalAccount`,
 * `aws:PrincipalType`, `aws:username` (IAM users), `aws:PrincipalTag/<key>` (from `principal.tags`),
 * `aws:PrincipalServiceName` (service principals) and `aws:ResourceAccount`.
 */
export function prepareRequest(request: EvaluationRequest): PreparedRequest {
  const principalType = request.principal.type ?? 'AWS';
  const arn = request.principal.arn;
  const action = request.action.toLowerCase();
  const colon = action.indexOf(':');
  const context = new Map<string, ContextEntry>();
  for (const [key, value] of Object.entries(request.context ?? {})) {
    if (value === undefined || value === null) continue;
    const lower = key.toLowerCase();
    context.set(lower, entryOf(lower, value));
  }

  let principalKind: PreparedRequest['principalKind'];
  let principalAccountId = request.principal.accountId;
  let principalPartition = 'aws';
  let principalName: string | undefined;
  if (principalType === 'Service') {
    principalKind = 'service';
    setDefault(context, 'aws:PrincipalServiceName', arn);
  } else if (principalType === 'Federated') {
    principalKind = 'federated';
    const parts = splitArn(arn);
    if (parts) principalPartition = parts.partition;
  } else {
    const id = parseIdentityArn(arn);
    principalKind = id?.kind ?? 'other';
    if (id) {
      principalAccountId ??= id.account || undefined;
      principalPartition = id.partition;
      principalName = id.name;
      let principalArn = arn;
      if (id.kind === 'assumed-role') principalArn = `arn:${id.partition}:iam::${id.account}:role/${id.name}`;
      if (id.kind === 'federated-user') principalArn = `arn:${id.partition}:iam::${id.account}:user/${id.name}`;
      setDefault(context, 'aws:PrincipalArn', principalArn);
      const type = PRINCIPAL_TYPES[id.kind];
      if (type) setDefault(context, 'aws:PrincipalType', type);
      if (id.kind === 'user' && id.name) setDefault(context, 'aws:username', id.name);
    }
    if (principalAccountId) setDefault(context, 'aws:PrincipalAccount', principalAccountId);
    for (const [key, value] of Object.entries(request.principal.tags ?? {}))
      setDefault(context, `aws:PrincipalTag/${key}`, value);
  }

  let resourceAccountId = request.resourceAccountId;
  if (resourceAccountId === undefined) {
    const parts = splitArn(request.resource);
    resourceAccountId = parts && parts.account !== '' ? parts.account : principalAccountId;
  }
  if (resourceAccountId) setDefault(context, 'aws:ResourceAccount', resourceAccountId);

  return {
    action,
    actionText: request.action,
    service: colon < 0 ? action : action.slice(0, colon),
    resource: request.resource,
    principalArn: arn,
    principalType,
    principalKind,
    principalPartition,
    principalName,
    principalAccountId,
    resourceAccountId,
    context,
  };
}
