import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromIni } from '@aws-sdk/credential-provider-ini';
import { fromTokenFile } from '@aws-sdk/credential-provider-web-identity';
import { TrustgateError, partitionInfo, type Partition } from '@trustgate/core';
import type { AwsCredentials } from '@trustgate/server';
import type { PartitionConfig } from './config-schema.ts';

/** A provider of the platform's credentials, refreshed by the SDK as they expire. */
export type CredentialsProvider = () => Promise<AwsCredentials>;

/** The region a partition's platform calls STS in when nothing names one. */
export function regionOf(partition: Partition, config: PartitionConfig): string {
  return config.region ?? config.stsRegions?.[0] ?? partitionInfo(partition).defaultRegion;
}

/**
 * The platform identity's credentials in a partition: a profile of the AWS config files (`fromIni`), a web identity
 * token file (`fromTokenFile`, AssumeRoleWithWebIdentity), or undefined for the SDK's default credential chain.
 */
export function credentialsOf(partition: Partition, config: PartitionConfig): CredentialsProvider | undefined {
  const clientConfig = {
    region: regionOf(partition, config),
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
  };
  if (config.profile !== undefined) return fromIni({ profile: config.profile, clientConfig });
  if (config.webIdentity !== undefined)
    return fromTokenFile({
      roleArn: config.webIdentity.roleArn,
      webIdentityTokenFile: config.webIdentity.tokenFile,
      roleSessionName: 'trustgate-platform',
      clientConfig,
    });
  return undefined;
}

/** How a partition's identity is configured, for people: `profile NAME`, `web identity ROLE`, the default chain. */
export function describeSource(config: PartitionConfig): string {
  if (config.profile !== undefined) return `profile ${config.profile}`;
  if (config.webIdentity !== undefined) return `web identity ${config.webIdentity.roleArn}`;
  return "the SDK's default credential chain";
}

/**
 * Who the platform is in a partition (STS GetCallerIdentity in `region`, default the partition's): its account and
 * ARN. AWS_ERROR naming `aws.partitions.<partition>` and the credential source when it cannot tell.
 */
export async function whoAmI(
  partition: Partition,
  config: PartitionConfig,
  region: string = regionOf(partition, config),
): Promise<{ accountId: string; arn: string }> {
  const credentials = credentialsOf(partition, config);
  const client = new STSClient({
    region,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 5_000, connectionTimeout: 3_000, throwOnRequestTimeout: true },
    ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
    ...(credentials === undefined ? {} : { credentials }),
  });
  try {
    const out = await client.send(new GetCallerIdentityCommand({}));
    if (out.Account === undefined) throw new Error('GetCallerIdentity returned no account');
    return { accountId: out.Account, arn: out.Arn ?? '' };
  } catch (error) {
    throw new TrustgateError(
      'AWS_ERROR',
      `aws.partitions.${partition}: GetCallerIdentity in ${region} with ${describeSource(config)} failed: ${error instanceof Error ? error.message : String(error)}`,
      { field: `aws.partitions.${partition}`, cause: error },
    );
  } finally {
    client.destroy();
  }
}
