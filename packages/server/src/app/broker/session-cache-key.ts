import { credentialCacheKey } from '@trustgate/core';
import type { Connection } from '../../model/records.ts';
import type { AssumptionRequest } from './assumption-request.ts';

/** Cache keys by built request (the assumption memo hands out the same object while its inputs are unchanged). */
const cacheKeys = new WeakMap<AssumptionRequest, { of: string; key: string }>();

/**
 * The credential cache key of a request: every AssumeRole parameter, and the organization and connection too, so no
 * two tenants' requests can share an entry whatever their parameters. Hashing it cost 4% of a cached issuance, so a
 * built request remembers its key (for the same connection, duration and region).
 */
export function cacheKeyOf(
  connection: Connection,
  request: AssumptionRequest,
  durationSeconds: number,
  region: string,
): string {
  const of = JSON.stringify([connection.organizationId, connection.id, connection.partition, durationSeconds, region]);
  const known = cacheKeys.get(request);
  if (known !== undefined && known.of === of) return known.key;
  const key = credentialCacheKey({
    organizationId: connection.organizationId,
    connectionId: connection.id,
    partition: connection.partition,
    roleArn: request.roleArn,
    externalId: request.externalId,
    sessionName: request.roleSessionName,
    policy: request.policy,
    durationSeconds,
    region,
    tags: request.tags,
    sourceIdentity: request.sourceIdentity,
  });
  cacheKeys.set(request, { of, key });
  return key;
}
