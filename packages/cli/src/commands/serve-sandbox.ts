import { TrustgateError } from '@trustgate/core';
import type { Sandbox } from '@trustgate/sandbox';
import type { PartitionServiceConfig } from '@trustgate/server';

/**
 * The in-process sandbox of `serve --aws sandbox`, started before the service's modules load: its SNS signing key
 * (RSA) is made on libuv's thread pool while the main thread loads and builds the service. `started` is awaited by
 * the caller (a failure meanwhile is not reported twice).
 */
export async function beginSandbox(): Promise<{ started: Promise<Sandbox> }> {
  const { startSandbox } = await import('@trustgate/sandbox');
  const started = startSandbox({ accounts: 3 });
  started.catch(() => undefined);
  return { started };
}

/** The service's settings for a started sandbox, and the bucket templates are published to. */
export interface SandboxWiring {
  partitions: { aws: PartitionServiceConfig };
  isAllowedResponseUrl: (url: URL) => boolean;
  isTrustedCertificateUrl: (url: URL) => boolean;
}

/**
 * Wires the service to the sandbox as production is wired to AWS: creates the platform's IAM user in the sandbox's
 * first account, a private template bucket there (CloudFormation opens templates only from S3), the callback topic
 * of that account; ResponseURLs allowed on the sandbox's origin only, SNS deliveries trusted only when signed with
 * the sandbox's certificate.
 */
export async function wireSandbox(sandbox: Sandbox): Promise<SandboxWiring> {
  const { createPlatformUser, createTemplateBucket, isCertificateUrl } = await import('@trustgate/server');
  const platformAccount = sandbox.accounts[0];
  if (platformAccount === undefined) throw new TrustgateError('INTERNAL', 'The sandbox started without accounts.');
  const adminCredentials = {
    accessKeyId: platformAccount.accessKeyId,
    secretAccessKey: platformAccount.secretAccessKey,
  };
  const user = await createPlatformUser({ endpoint: sandbox.endpoint, region: sandbox.region, adminCredentials });
  // CloudFormation opens templates only from S3: a private bucket in the platform account, published to as the platform user.
  const { bucket: templateBucket } = await createTemplateBucket({
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    adminCredentials,
    bucket: `trustgate-templates-${user.accountId}`,
  });
  const origin = new URL(sandbox.endpoint).origin;
  return {
    partitions: {
      aws: {
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: user.credentials,
        accountId: user.accountId,
        callbackTopicArn: `arn:aws:sns:${sandbox.region}:${user.accountId}:trustgate-connect`,
        templateBucket,
      },
    },
    isAllowedResponseUrl: (url) => url.origin === origin,
    // The sandbox's SNS signs deliveries with a certificate it serves over plain HTTP: trust exactly that URL.
    isTrustedCertificateUrl: isCertificateUrl(sandbox.snsSigningCertificateUrl),
  };
}
