import type { IAMClient } from '@aws-sdk/client-iam';
import type { STSClient, STSClientConfig } from '@aws-sdk/client-sts';
import { partitionInfo, TrustgateError, type Partition } from '@trustgate/core';
import { s3TemplatePublisher, type TemplatePublisher } from './publish-template.ts';
import { organizationsRegion, type OrganizationsPort } from './read-organization.ts';
import { loadIam, loadOrganizations, loadS3, loadSts } from './sdk.ts';

/** AWS credentials (a platform identity's keys or an assumed session). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** The narrow STS port verification uses: only `send` of an SDK v3 STS client. */
export type StsPort = Pick<STSClient, 'send'>;

/** The narrow IAM port verification uses: only `send` of an SDK v3 IAM client. */
export type IamPort = Pick<IAMClient, 'send'>;

/** Makes the clients verification needs — SDK clients against AWS or an override endpoint (sandbox, moto). */
export interface AwsClientFactory {
  /**
   * An STS client as the platform (no `credentials`), as a session, or with `anonymous` one that never asks for
   * credentials (AssumeRoleWithWebIdentity is unsigned: the web identity token is the proof), for a regional endpoint.
   */
  sts(options: { partition: Partition; region?: string; credentials?: AwsCredentials; anonymous?: boolean }): StsPort;
  /** An IAM client with a session's credentials (IAM is global per partition). */
  iam(options: { partition: Partition; credentials: AwsCredentials }): IamPort;
  /** An Organizations client with a session's credentials (global per partition: us-east-1 in `aws`). */
  organizations(options: { partition: Partition; credentials: AwsCredentials }): OrganizationsPort;
  /** The partition's template publisher (its `templateBucket`, as the platform), or undefined when none is configured. */
  templatePublisher?(options: { partition: Partition }): TemplatePublisher | undefined;
}

/** How to reach AWS in one partition as the platform. */
export interface PartitionAwsConfig {
  /** Endpoint override for every service (the sandbox or moto); default AWS's regional endpoints. */
  endpoint?: string;
  /** Region for STS calls when a connection names none; default the partition's default region. */
  region?: string;
  /** The platform's credentials in this partition (or a provider the SDK refreshes them with); default the SDK's default chain. */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Extra client settings (e.g. maxAttempts) passed to every SDK client. */
  maxAttempts?: number;
  /**
   * How long one HTTP attempt to AWS may take before the SDK gives it up (and retries up to `maxAttempts`);
   * default 10,000 ms, connecting at most 3,000 ms. The SDK sets no limit of its own, so without one an endpoint
   * that never answers would hold a verification (and the API call waiting for it) forever.
   */
  requestTimeoutMs?: number;
  /**
   * A private S3 bucket of the platform (in `region`) where connection templates are published, so that
   * quick-create and update-stack links carry a presigned S3 URL CloudFormation can fetch.
   */
  templateBucket?: string;
  /** The account that must own `templateBucket` (S3's bucket owner condition); the service sets the platform's account by default. */
  templateBucketOwner?: string;
  /** Lifetime of the presigned template URLs in seconds; default (and AWS's maximum) 604,800 (7 days). */
  templateUrlExpiresInSeconds?: number;
}

/** An SDK client made when first sent a command (its package is loaded then): its `send`, and the client itself. */
export interface LazyClient<C extends { send: unknown }> {
  send: C['send'];
  client(): Promise<C>;
}

/** A {@link LazyClient} of the client `make` builds (once, on the first `send` or `client()`). */
export function lazyClient<C extends { send: unknown }>(make: () => Promise<C>): LazyClient<C> {
  let made: Promise<C> | undefined;
  const client = () => (made ??= make());
  const send = async (command: unknown, options?: unknown): Promise<unknown> => {
    const c = await client();
    return (c.send as (command: unknown, options?: unknown) => Promise<unknown>).call(c, command, options);
  };
  return { client, send: send as C['send'] };
}

/** A credential provider for clients that must sign nothing: asked anyway, it fails (no platform key is used). */
async function refuseCredentials(): Promise<never> {
  throw new TrustgateError('INTERNAL', 'This STS client holds no AWS credentials (web identity calls only).');
}

/** Settings every SDK client of a partition shares: the endpoint override, retries and HTTP timeouts. */
export function sharedClientOptions(c: PartitionAwsConfig): {
  endpoint?: string;
  maxAttempts?: number;
  requestHandler: { requestTimeout: number; connectionTimeout: number; throwOnRequestTimeout: boolean };
} {
  const requestTimeout = c.requestTimeoutMs ?? 10_000;
  return {
    ...(c.endpoint === undefined ? {} : { endpoint: c.endpoint }),
    ...(c.maxAttempts === undefined ? {} : { maxAttempts: c.maxAttempts }),
    // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes and keeps waiting.
    requestHandler: { requestTimeout, connectionTimeout: Math.min(3_000, requestTimeout), throwOnRequestTimeout: true },
  };
}

/**
 * SDK v3 clients per partition. STS clients are regional (SDK v3 uses the regional endpoint of the client's
 * region — credentials from the global endpoint are not valid in opt-in regions, IAM User Guide
 * "Managing AWS STS in an AWS Region"); IAM is called in the partition's default region.
 */
export function sdkClientFactory(config: Partial<Record<Partition, PartitionAwsConfig>>): AwsClientFactory {
  const cache = new Map<string, StsPort>();
  const publishers = new Map<Partition, TemplatePublisher>();
  const settingsFor = (partition: Partition) => {
    const c = config[partition];
    if (c === undefined)
      throw new TrustgateError(
        'INVALID_PARTITION',
        `This service has no AWS configuration for partition ${partition}.`,
        { field: 'partition' },
      );
    return c;
  };
  return {
    sts({ partition, region, credentials, anonymous }) {
      const c = settingsFor(partition);
      const r = region ?? c.region ?? partitionInfo(partition).defaultRegion;
      const options = { region: r, ...sharedClientOptions(c) };
      const sts = (settings: STSClientConfig) => lazyClient(async () => new (await loadSts()).STSClient(settings));
      if (credentials !== undefined) return sts({ ...options, credentials });
      if (anonymous === true) {
        const key = `anonymous:${partition}:${r}`;
        let client = cache.get(key);
        if (client === undefined) {
          client = sts({ ...options, credentials: refuseCredentials });
          cache.set(key, client);
        }
        return client;
      }
      const key = `${partition}:${r}`;
      let client = cache.get(key);
      if (client === undefined) {
        client = sts({ ...options, ...(c.credentials === undefined ? {} : { credentials: c.credentials }) });
        cache.set(key, client);
      }
      return client;
    },
    iam({ partition, credentials }) {
      const c = settingsFor(partition);
      const settings = { region: partitionInfo(partition).defaultRegion, credentials, ...sharedClientOptions(c) };
      return lazyClient(async () => new (await loadIam()).IAMClient(settings));
    },
    organizations({ partition, credentials }) {
      const c = settingsFor(partition);
      const settings = { region: organizationsRegion(partition), credentials, ...sharedClientOptions(c) };
      return lazyClient(async () => new (await loadOrganizations()).OrganizationsClient(settings));
    },
    templatePublisher({ partition }) {
      const c = config[partition];
      if (c?.templateBucket === undefined) return undefined;
      let publisher = publishers.get(partition);
      if (publisher === undefined) {
        const bucket = c.templateBucket;
        // Made on the first publish (S3's package loaded then). With an endpoint override (the sandbox, moto) S3 is
        // addressed path-style; on AWS virtual-hosted style.
        const make = async (): Promise<TemplatePublisher> =>
          s3TemplatePublisher({
            client: new (await loadS3()).S3Client({
              region: c.region ?? partitionInfo(partition).defaultRegion,
              ...sharedClientOptions(c),
              ...(c.endpoint === undefined ? {} : { forcePathStyle: true }),
              ...(c.credentials === undefined ? {} : { credentials: c.credentials }),
            }),
            bucket,
            ...(c.templateBucketOwner === undefined ? {} : { expectedBucketOwner: c.templateBucketOwner }),
            ...(c.templateUrlExpiresInSeconds === undefined ? {} : { expiresInSeconds: c.templateUrlExpiresInSeconds }),
          });
        let made: Promise<TemplatePublisher> | undefined;
        publisher = { publish: async (input) => (await (made ??= make())).publish(input) };
        publishers.set(partition, publisher);
      }
      return publisher;
    },
  };
}
