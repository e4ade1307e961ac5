import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadPresigner, loadS3 } from './sdk.ts';

/**
 * AWS's maximum lifetime of a SigV4 presigned URL: seven days (Amazon S3 User Guide, "Sharing objects with
 * presigned URLs"). A URL presigned with temporary credentials (an assumed role, an instance profile) stops
 * working when those credentials expire, whichever comes first.
 */
export const MAX_PRESIGNED_URL_SECONDS = 604_800;

/** A published template: where CloudFormation can fetch it, and until when. */
export interface PublishedTemplate {
  /** A presigned S3 GET URL (what quick-create and update-stack links carry as `templateURL`). */
  url: string;
  bucket: string;
  key: string;
  /** When the URL stops working: its expiry, or the signing credentials' expiry if that comes first. */
  expiresAt: Date;
  /** True when the signing credentials are temporary and expire before the URL's own expiry. */
  limitedByCredentials: boolean;
}

/** The port connection use cases publish CloudFormation templates through. */
export interface TemplatePublisher {
  /** Uploads a connection's rendered template (unless that exact template is already there) and presigns a GET URL. */
  publish(input: { connectionId: string; template: string }): Promise<PublishedTemplate>;
}

/** Options of {@link s3TemplatePublisher}. */
export interface S3TemplatePublisherOptions {
  client: S3Client;
  bucket: string;
  /** Lifetime of the presigned URLs in seconds; default and maximum {@link MAX_PRESIGNED_URL_SECONDS} (7 days). */
  expiresInSeconds?: number;
  /** Key prefix; default `templates/`. */
  prefix?: string;
  /**
   * The account that must own the bucket (S3's bucket owner condition, `ExpectedBucketOwner`): uploads and the
   * presigned URLs fail with AccessDenied if the bucket name now belongs to someone else, so a deleted and
   * re-registered bucket name can never serve customers a stranger's template.
   */
  expectedBucketOwner?: string;
  /** The clock; default the system clock. */
  now?: () => Date;
}

/** `templates/<connectionId>/<sha256 of the template>.yaml`: content-addressed, so a changed template gets a new key. */
export function templateKey(prefix: string, connectionId: string, template: string): string {
  return `${prefix}${connectionId}/${createHash('sha256').update(template).digest('hex')}.yaml`;
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

/**
 * Publishes templates to a private S3 bucket of the platform — CloudFormation's console and CreateStack's
 * `TemplateURL` only fetch templates from Amazon S3 (CloudFormation API Reference, CreateStack: "The URL must
 * point to a template ... located in an Amazon S3 bucket"), and could never send the service's bearer token.
 * The key is content-addressed under the connection (`templates/<connectionId>/<sha256>.yaml`); an object
 * already uploaded (HeadObject finds it, or this process uploaded it) is not uploaded again. The bucket stays
 * private: the returned URL is a presigned GET (`@aws-sdk/s3-request-presigner`) valid for `expiresInSeconds`
 * — capped by the signing credentials' own expiry when they are temporary (role credentials: at most the
 * session's duration, e.g. 1 hour by default), which `limitedByCredentials` reports.
 */
export function s3TemplatePublisher(options: S3TemplatePublisherOptions): TemplatePublisher {
  const expiresIn = Math.min(
    MAX_PRESIGNED_URL_SECONDS,
    Math.max(1, Math.floor(options.expiresInSeconds ?? MAX_PRESIGNED_URL_SECONDS)),
  );
  const prefix = options.prefix ?? 'templates/';
  const now = options.now ?? (() => new Date());
  const uploaded = new Set<string>();
  const { client, bucket } = options;
  const owner = options.expectedBucketOwner === undefined ? {} : { ExpectedBucketOwner: options.expectedBucketOwner };
  return {
    async publish({ connectionId, template }) {
      const [{ GetObjectCommand, HeadObjectCommand, PutObjectCommand }, { getSignedUrl }] = await Promise.all([
        loadS3(),
        loadPresigner(),
      ]);
      const key = templateKey(prefix, connectionId, template);
      if (!uploaded.has(key)) {
        let present = false;
        try {
          await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ...owner }));
          present = true;
        } catch (error) {
          // 404: not there yet; 403: a missing key without s3:ListBucket. Anything else is a real failure.
          const status = statusOf(error);
          if (status !== 404 && status !== 403) throw error;
        }
        if (!present)
          await client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: template,
              ContentType: 'application/x-yaml',
              ...owner,
            }),
          );
        uploaded.add(key);
      }
      const signedAt = now();
      const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key, ...owner }), {
        expiresIn,
        signingDate: signedAt,
      });
      const urlExpiry = new Date(signedAt.getTime() + expiresIn * 1000);
      const credentials = await client.config.credentials();
      const credentialExpiry = credentials.expiration;
      const limitedByCredentials = credentialExpiry !== undefined && credentialExpiry.getTime() < urlExpiry.getTime();
      return { url, bucket, key, expiresAt: limitedByCredentials ? credentialExpiry : urlExpiry, limitedByCredentials };
    },
  };
}
