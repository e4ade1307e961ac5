import { describe, expect, it } from 'vitest';
import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { sdkClientFactory } from './aws-clients.ts';

describe('organizations clients', () => {
  it('call each partition\'s global Organizations endpoint, signed for its Region', async () => {
    const factory = sdkClientFactory({ aws: {}, 'aws-us-gov': {}, 'aws-cn': {} });
    const credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' };
    const cases = [
      ['aws', 'us-east-1', 'https://organizations.us-east-1.amazonaws.com/'],
      ['aws-us-gov', 'us-gov-west-1', 'https://organizations.us-gov-west-1.amazonaws.com/'],
      ['aws-cn', 'cn-northwest-1', 'https://organizations.cn-northwest-1.amazonaws.com.cn/'],
    ] as const;
    for (const [partition, region, url] of cases) {
      const client = factory.organizations({ partition, credentials }) as OrganizationsClient;
      expect(await client.config.region()).toBe(region);
      const provider = client.config.endpointProvider as (params: Record<string, unknown>) => { url: URL };
      expect(provider({ Region: region, UseFIPS: false, UseDualStack: false }).url.href).toBe(url);
    }
  });
});
