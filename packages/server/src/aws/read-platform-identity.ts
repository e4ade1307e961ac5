import { TrustgateError, partitionInfo, type Partition } from '@trustgate/core';
import { sharedClientOptions } from './aws-clients.ts';
import { loadSts } from './sdk.ts';

/**
 * The platform's own account in a partition, read with GetCallerIdentity through the SDK's default credential
 * chain (environment, shared config, SSO, container or instance role) at the partition's regional STS endpoint.
 */
export async function readPlatformAccount(options: {
  partition: Partition;
  region?: string;
  endpoint?: string;
}): Promise<{ accountId: string; arn: string; region: string }> {
  const region = options.region ?? partitionInfo(options.partition).defaultRegion;
  try {
    const { GetCallerIdentityCommand, STSClient } = await loadSts();
    const out = await new STSClient({
      region,
      ...sharedClientOptions(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    }).send(new GetCallerIdentityCommand({}));
    if (out.Account === undefined) throw new TrustgateError('AWS_ERROR', 'GetCallerIdentity returned no account.');
    return { accountId: out.Account, arn: out.Arn ?? '', region };
  } catch (error) {
    throw new TrustgateError(
      'AWS_ERROR',
      `Could not read the platform's AWS identity with the default credential chain: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
