import { describe, expect, it } from 'vitest';
import { credentialCacheKey } from '@trustgate/core';
import type { Connection } from '../../model/records.ts';
import type { AssumptionRequest } from './assumption-request.ts';
import { cacheKeyOf } from './session-cache-key.ts';

const connection = { organizationId: 'org_a', id: 'con_a', partition: 'aws' } as Connection;
const request: AssumptionRequest = {
  roleArn: 'arn:aws:iam::111122223333:role/R',
  externalId: 'x@web@read',
  roleSessionName: 'tg-web-read',
  durationSeconds: 3600,
};

describe('cacheKeyOf', () => {
  it('is the hash of every parameter, remembered per built request only while connection, duration and region match', () => {
    const key = cacheKeyOf(connection, request, 3600, 'us-east-1');
    expect(key).toBe(
      credentialCacheKey({
        organizationId: 'org_a',
        connectionId: 'con_a',
        partition: 'aws',
        roleArn: request.roleArn,
        externalId: request.externalId,
        sessionName: request.roleSessionName,
        durationSeconds: 3600,
        region: 'us-east-1',
      }),
    );
    expect(cacheKeyOf(connection, request, 3600, 'us-east-1')).toBe(key);
    expect(cacheKeyOf(connection, request, 3600, 'eu-west-1')).not.toBe(key);
    expect(cacheKeyOf(connection, request, 900, 'us-east-1')).not.toBe(key);
    // Another tenant's connection with the very same request object never shares the key.
    expect(cacheKeyOf({ ...connection, organizationId: 'org_b' }, request, 3600, 'us-east-1')).not.toBe(key);
    expect(cacheKeyOf(connection, { ...request, externalId: 'x@api@read' }, 3600, 'us-east-1')).not.toBe(key);
  });
});
