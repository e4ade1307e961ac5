import { sharedClientOptions, type AwsCredentials } from './aws-clients.ts';
import { loadIam, loadS3 } from './sdk.ts';

/**
 * Creates the platform's private template bucket (with the account's admin credentials) and lets the platform's
 * IAM user publish to it: `s3:PutObject` and `s3:GetObject` on its objects (the presigned GET URLs are signed
 * as that user, so it must be allowed to read them) and `s3:ListBucket` on the bucket (so a missing key is a
 * 404 the publisher can tell from a refusal). Nothing grants anyone else access: customers fetch templates only
 * through presigned URLs. Used to bootstrap the demo against the sandbox or a test account.
 */
export async function createTemplateBucket(options: {
  endpoint?: string;
  region: string;
  adminCredentials: AwsCredentials;
  bucket: string;
  platformUserName?: string;
  partition?: string;
}): Promise<{ bucket: string }> {
  const settings = {
    region: options.region,
    credentials: options.adminCredentials,
    ...sharedClientOptions(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  };
  const [{ PutUserPolicyCommand, IAMClient }, { CreateBucketCommand, S3Client }] = await Promise.all([
    loadIam(),
    loadS3(),
  ]);
  const s3 = new S3Client({ ...settings, ...(options.endpoint === undefined ? {} : { forcePathStyle: true }) });
  await s3.send(
    new CreateBucketCommand({
      Bucket: options.bucket,
      ...(options.region === 'us-east-1'
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: options.region as never } }),
    }),
  );
  await new IAMClient(settings).send(
    new PutUserPolicyCommand({
      UserName: options.platformUserName ?? 'trustgate-platform',
      PolicyName: 'trustgate-publish-templates',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:PutObject', 's3:GetObject'],
            Resource: `arn:${options.partition ?? 'aws'}:s3:::${options.bucket}/*`,
          },
          {
            Effect: 'Allow',
            Action: 's3:ListBucket',
            Resource: `arn:${options.partition ?? 'aws'}:s3:::${options.bucket}`,
          },
        ],
      }),
    }),
  );
  return { bucket: options.bucket };
}
