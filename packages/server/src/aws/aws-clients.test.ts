import { describe, expect, it } from 'vitest';
import type { STSClient } from '@aws-sdk/client-sts';
import type { IAMClient } from '@aws-sdk/client-iam';
import { sdkClientFactory, type LazyClient } from './aws-clients.ts';

/** Resolves the endpoint an SDK client would call, without calling it. */
async function endpointOf(client: STSClient | IAMClient, region: string): Promise<string> {
  const provider = client.config.endpointProvider as (params: Record<string, unknown>) => { url: URL };
  const raw = (client.config as { useGlobalEndpoint?: boolean | (() => Promise<boolean>) }).useGlobalEndpoint;
  const useGlobalEndpoint = typeof raw === 'function' ? await raw() : raw;
  return provider({
    Region: region,
    UseFIPS: false,
    UseDualStack: false,
    ...(useGlobalEndpoint === undefined ? {} : { UseGlobalEndpoint: useGlobalEndpoint }),
  }).url.href;
}

describe('sdkClientFactory', () => {
  const factory = sdkClientFactory({ aws: {}, 'aws-us-gov': {}, 'aws-cn': {} });

  it('uses regional STS endpoints in every partition (global-endpoint credentials fail in opt-in regions)', async () => {
    const cases: [Parameters<typeof factory.sts>[0]['partition'], string, string][] = [
      ['aws', 'eu-central-1', 'https://sts.eu-central-1.amazonaws.com/'],
      ['aws', 'ap-east-1', 'https://sts.ap-east-1.amazonaws.com/'],
      ['aws-us-gov', 'us-gov-west-1', 'https://sts.us-gov-west-1.amazonaws.com/'],
      ['aws-cn', 'cn-northwest-1', 'https://sts.cn-northwest-1.amazonaws.com.cn/'],
    ];
    for (const [partition, region, url] of cases) {
      const client = await (factory.sts({ partition, region }) as LazyClient<STSClient>).client();
      expect(await client.config.region()).toBe(region);
      expect(await endpointOf(client, region)).toBe(url);
    }
  });

  it("defaults to the partition's default region and reuses the platform client", async () => {
    const a = factory.sts({ partition: 'aws-us-gov' }) as LazyClient<STSClient>;
    expect(await (await a.client()).config.region()).toBe('us-gov-west-1');
    expect(factory.sts({ partition: 'aws-us-gov' })).toBe(a);
  });

  it('sends every call to an override endpoint when one is configured (sandbox, moto)', async () => {
    const local = sdkClientFactory({ aws: { endpoint: 'http://127.0.0.1:4566' } });
    const sts = await (local.sts({ partition: 'aws', region: 'eu-west-1' }) as LazyClient<STSClient>).client();
    const endpoint = await (sts.config.endpoint as () => Promise<{ hostname: string; port?: number }>)();
    expect(`${endpoint.hostname}:${endpoint.port}`).toBe('127.0.0.1:4566');
  });

  it('refuses a partition the service has no identity in', () => {
    expect(() => sdkClientFactory({ aws: {} }).sts({ partition: 'aws-cn' })).toThrow(/partition aws-cn/);
  });
});
