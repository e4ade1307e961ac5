import { createHash } from 'node:crypto';
import type { SandboxState } from '../state/model.ts';
import { noSuchBucket, noSuchKey, S3Error } from './s3-error.ts';
import type { S3BucketRecord, S3ObjectRecord } from './s3-model.ts';

/** The sandbox's buckets by name (created on first use in a state persisted before S3 was modelled). */
export function bucketsOf(state: SandboxState): Record<string, S3BucketRecord> {
  state.s3Buckets ??= {};
  return state.s3Buckets;
}

/** The bucket, or `NoSuchBucket`. */
export function getBucket(state: SandboxState, name: string): S3BucketRecord {
  const bucket = state.s3Buckets?.[name];
  if (!bucket) throw noSuchBucket(name);
  return bucket;
}

/** The object, or `NoSuchKey`. */
export function getObject(bucket: S3BucketRecord, key: string): S3ObjectRecord {
  const object = bucket.objects[key];
  if (!object) throw noSuchKey(key);
  return object;
}

/**
 * Checks a bucket name against S3's general purpose bucket naming rules: 3-63 characters of lower-case
 * letters, digits, dots and hyphens, starting and ending with a letter or digit, no `..`, not an IP address,
 * not `xn--`/`sthree-` prefixed nor `-s3alias`/`--ol-s3` suffixed (Amazon S3 User Guide, "Bucket naming rules").
 * `InvalidBucketName` (400) otherwise.
 */
export function validateBucketName(name: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !/^(xn--|sthree-)/.test(name) &&
    !/(-s3alias|--ol-s3)$/.test(name);
  if (!ok) throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
}

/** A new object record: ETag is the MD5 of the body, as S3 computes it for a single-part upload. */
export function newObject(options: {
  key: string;
  body: Buffer;
  contentType?: string;
  metadata: Record<string, string>;
  now: Date;
}): S3ObjectRecord {
  return {
    key: options.key,
    bodyBase64: options.body.toString('base64'),
    size: options.body.length,
    etag: `"${createHash('md5').update(options.body).digest('hex')}"`,
    contentType: options.contentType ?? 'binary/octet-stream',
    lastModified: options.now.toISOString(),
    metadata: options.metadata,
  };
}
