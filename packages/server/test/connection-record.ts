import type { Connection } from '../src/model/records.ts';

/**
 * A connection record as the store keeps it, for store-level tests: `con_<name>` in `organizationId`, manual,
 * pending, one account, a unique external ID; `extra` overrides any field.
 */
export function connectionRecord(organizationId: string, name: string, extra: Partial<Connection> = {}): Connection {
  const now = new Date().toISOString();
  return {
    id: `con_${name}`,
    organizationId,
    spaceId: null,
    name,
    partition: 'aws',
    mode: 'manual',
    scope: { kind: 'account', accountId: '123456789012' },
    roleName: 'TrustgateRole',
    region: null,
    labels: {},
    selection: { mode: 'default' },
    managedPolicies: [],
    extraActions: [],
    wildcards: 'expand',
    catalogName: null,
    externalId: `ext-${name}-${Math.random()}`,
    previousExternalId: null,
    status: 'pending',
    statusReason: 'waiting',
    issuedPolicy: { documents: [], managedPolicyArns: [], requiredActions: [] },
    appliedPolicy: null,
    callbackNonce: null,
    lastVerifiedAt: null,
    trust: { kind: 'external-id' },
    externalIdTrust: { kind: 'exact' },
    sessionTagging: false,
    sessionsRevokedBefore: null,
    createdAt: now,
    updatedAt: now,
    recordVersion: 1,
    ...extra,
  };
}
