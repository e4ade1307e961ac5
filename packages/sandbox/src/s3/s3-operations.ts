import type { ContextValue } from '@trustgate/core';
import { authorizeCaller } from '../auth/authorize.ts';
import type { Caller } from '../auth/caller.ts';
import { AwsError } from '../protocol/aws-error.ts';
import { escapeXml, isoSeconds } from '../protocol/xml.ts';
import type { SandboxRuntime } from '../runtime.ts';
import { checkIntegrityHeaders } from './aws-chunked.ts';
import { s3AccessDenied, S3Error } from './s3-error.ts';
import type { S3BucketRecord } from './s3-model.ts';
import { bucketsOf, getBucket, getObject, newObject, validateBucketName } from './s3-store.ts';

/** A response of the S3 REST protocol. */
export interface S3Response {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** One S3 request being served, authenticated. */
export interface S3Call {
  runtime: SandboxRuntime;
  caller?: Caller;
  method: string;
  bucket: string;
  /** The object key (decoded); undefined for bucket-level requests. */
  key?: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The request body (aws-chunked bodies already decoded). */
  body: Buffer;
  /** Region of the request (signing region, else the sandbox's). */
  region: string;
  now: Date;
  sourceIp: string;
}

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** `arn:<partition>:s3:::bucket` or `arn:<partition>:s3:::bucket/key` (Service Authorization Reference, Amazon S3). */
export function s3Arn(partition: string, bucket: string, key?: string): string {
  return key === undefined ? `arn:${partition}:s3:::${bucket}` : `arn:${partition}:s3:::${bucket}/${key}`;
}

/**
 * Authorizes an S3 call with core's policy engine: anonymous callers are refused (the sandbox models no public
 * access), callers of another account are refused (no bucket policies or ACLs are modelled), the owner's root
 * is allowed, other principals of the owner need an identity policy allowing `action` on `resource`.
 */
export function authorizeS3(
  call: Pick<S3Call, 'runtime' | 'caller' | 'now' | 'region' | 'sourceIp'>,
  bucket: Pick<S3BucketRecord, 'ownerAccountId'>,
  action: string,
  resource: string,
  context: Record<string, ContextValue> = {},
): void {
  const { caller } = call;
  if (!caller) throw s3AccessDenied();
  if (caller.accountId !== bucket.ownerAccountId) {
    throw s3AccessDenied(
      `User: ${caller.arn} is not authorized to perform: ${action} on resource: "${resource}" because no resource-based policy allows the ${action} action`,
    );
  }
  try {
    authorizeCaller(
      {
        state: call.runtime.store.state,
        caller,
        accountId: bucket.ownerAccountId,
        resourceAccountId: bucket.ownerAccountId,
        now: call.now,
        region: call.region,
        sourceIp: call.sourceIp,
      },
      action,
      resource,
      context,
    );
  } catch (error) {
    if (error instanceof AwsError && error.code === 'AccessDenied') throw s3AccessDenied(error.message);
    throw error;
  }
}

function xml(status: number, body: string): S3Response {
  return {
    status,
    headers: { 'content-type': 'application/xml' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`,
  };
}

/**
 * S3's bucket owner condition: with `x-amz-expected-bucket-owner` (a header, or the lower-case query parameter
 * of a presigned URL) naming another account than the bucket's owner, the request is `AccessDenied` (Amazon S3
 * User Guide, "Verifying bucket ownership with bucket owner condition").
 */
export function checkExpectedOwner(
  bucket: Pick<S3BucketRecord, 'ownerAccountId'>,
  headers: Record<string, string>,
  query: Record<string, string>,
): void {
  const expected = headers['x-amz-expected-bucket-owner'] ?? query['x-amz-expected-bucket-owner'];
  if (expected !== undefined && expected !== bucket.ownerAccountId) throw s3AccessDenied();
}

function bucketFor(
  call: S3Call,
  action: string,
  resource: string,
  context: Record<string, ContextValue> = {},
): S3BucketRecord {
  const bucket = getBucket(call.runtime.store.state, call.bucket);
  checkExpectedOwner(bucket, call.headers, call.query);
  authorizeS3(call, bucket, action, resource, context);
  return bucket;
}

function createBucket(call: S3Call): S3Response {
  const state = call.runtime.store.state;
  validateBucketName(call.bucket);
  if (!call.caller) throw s3AccessDenied();
  const constraint = /<LocationConstraint>([^<]*)<\/LocationConstraint>/.exec(call.body.toString('utf8'))?.[1];
  if (constraint === 'us-east-1')
    throw new S3Error('InvalidLocationConstraint', 'The specified location-constraint is not valid', 400, {
      LocationConstraint: constraint,
    });
  const region = constraint || 'us-east-1';
  if (constraint && constraint !== call.region) {
    throw new S3Error(
      'IllegalLocationConstraintException',
      `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      400,
    );
  }
  const existing = state.s3Buckets?.[call.bucket];
  if (existing) {
    if (existing.ownerAccountId !== call.caller.accountId) {
      throw new S3Error(
        'BucketAlreadyExists',
        'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
        409,
        { BucketName: call.bucket },
      );
    }
    // Legacy behaviour of us-east-1: re-creating a bucket you own there succeeds (Amazon S3 API Reference, CreateBucket).
    if (existing.region !== 'us-east-1')
      throw new S3Error(
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        409,
        { BucketName: call.bucket },
      );
    authorizeS3(call, existing, 's3:CreateBucket', s3Arn(state.partition, call.bucket));
    return { status: 200, headers: { location: `/${call.bucket}` }, body: '' };
  }
  authorizeS3(call, { ownerAccountId: call.caller.accountId }, 's3:CreateBucket', s3Arn(state.partition, call.bucket));
  bucketsOf(state)[call.bucket] = {
    name: call.bucket,
    ownerAccountId: call.caller.accountId,
    region,
    creationDate: call.now.toISOString(),
    objects: {},
  };
  call.runtime.store.save();
  return { status: 200, headers: { location: `/${call.bucket}` }, body: '' };
}

function listObjectsV2(call: S3Call, bucket: S3BucketRecord): S3Response {
  const q = call.query;
  const prefix = q.prefix ?? '';
  const delimiter = q.delimiter ?? '';
  const maxKeys = Math.min(1000, Math.max(0, Number(q['max-keys'] ?? '1000') || 0));
  const after =
    q['continuation-token'] !== undefined
      ? Buffer.from(q['continuation-token'], 'base64url').toString('utf8')
      : (q['start-after'] ?? '');
  const keys = Object.keys(bucket.objects)
    .filter((k) => k.startsWith(prefix) && k > after)
    .sort();
  const contents: string[] = [];
  const prefixes = new Set<string>();
  let last = '';
  let truncated = false;
  for (const key of keys) {
    if (contents.length + prefixes.size >= maxKeys) {
      truncated = true;
      break;
    }
    const rest = key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    if (cut >= 0) {
      const common = prefix + rest.slice(0, cut + delimiter.length);
      if (prefixes.has(common)) continue;
      prefixes.add(common);
    } else {
      const o = bucket.objects[key]!;
      contents.push(
        `<Contents><Key>${escapeXml(key)}</Key><LastModified>${new Date(o.lastModified).toISOString()}</LastModified><ETag>${escapeXml(o.etag)}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
    }
    last = key;
  }
  const common = [...prefixes].map((p) => `<CommonPrefixes><Prefix>${escapeXml(p)}</Prefix></CommonPrefixes>`).join('');
  return xml(
    200,
    `<ListBucketResult xmlns="${S3_NS}"><Name>${escapeXml(bucket.name)}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
      `<KeyCount>${contents.length + prefixes.size}</KeyCount><MaxKeys>${maxKeys}</MaxKeys>${delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : ''}<IsTruncated>${truncated}</IsTruncated>` +
      `${truncated ? `<NextContinuationToken>${Buffer.from(last, 'utf8').toString('base64url')}</NextContinuationToken>` : ''}${contents.join('')}${common}</ListBucketResult>`,
  );
}

function objectHeaders(o: ReturnType<typeof getObject>): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': o.contentType,
    etag: o.etag,
    'last-modified': new Date(o.lastModified).toUTCString(),
    'accept-ranges': 'bytes',
    'content-length': String(o.size),
  };
  for (const [k, v] of Object.entries(o.metadata)) headers[`x-amz-meta-${k}`] = v;
  return headers;
}

const SUBRESOURCES = [
  'acl',
  'policy',
  'tagging',
  'versioning',
  'cors',
  'lifecycle',
  'website',
  'uploads',
  'uploadId',
  'encryption',
  'replication',
  'logging',
  'notification',
  'object-lock',
  'retention',
  'legal-hold',
  'attributes',
  'ownershipControls',
  'publicAccessBlock',
  'location',
  'versions',
  'accelerate',
  'requestPayment',
  'analytics',
  'inventory',
  'metrics',
  'intelligent-tiering',
];

/**
 * Runs one S3 operation (path-style): ListBuckets, CreateBucket, HeadBucket, ListObjectsV2, DeleteBucket,
 * PutObject, GetObject, HeadObject, DeleteObject. IAM actions per the Service Authorization Reference
 * (`s3:ListAllMyBuckets`, `s3:CreateBucket`, `s3:ListBucket` for HeadBucket and listing, `s3:DeleteBucket`,
 * `s3:PutObject`, `s3:GetObject` for GetObject and HeadObject, `s3:DeleteObject`).
 */
export function runS3Operation(call: S3Call): S3Response {
  const state = call.runtime.store.state;
  const p = state.partition;
  const sub = SUBRESOURCES.find((s) => s in call.query);
  if (sub !== undefined)
    throw new S3Error(
      'NotImplemented',
      `A header or query you provided implies functionality that is not implemented (?${sub} is not modelled by the sandbox).`,
      501,
    );
  if (call.bucket === '') {
    if (call.method !== 'GET')
      throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
        Method: call.method,
        ResourceType: 'SERVICE',
      });
    if (!call.caller) throw s3AccessDenied();
    const account = call.caller.accountId;
    authorizeS3(call, { ownerAccountId: account }, 's3:ListAllMyBuckets', '*');
    const owned = Object.values(state.s3Buckets ?? {})
      .filter((b) => b.ownerAccountId === account)
      .sort((a, b) => a.name.localeCompare(b.name));
    return xml(
      200,
      `<ListAllMyBucketsResult xmlns="${S3_NS}"><Owner><ID>${account}</ID></Owner><Buckets>` +
        owned
          .map(
            (b) =>
              `<Bucket><Name>${escapeXml(b.name)}</Name><CreationDate>${isoSeconds(new Date(b.creationDate))}</CreationDate><BucketRegion>${b.region}</BucketRegion></Bucket>`,
          )
          .join('') +
        '</Buckets></ListAllMyBucketsResult>',
    );
  }
  if (call.key === undefined) {
    switch (call.method) {
      case 'PUT':
        return createBucket(call);
      case 'HEAD': {
        const bucket = bucketFor(call, 's3:ListBucket', s3Arn(p, call.bucket));
        return { status: 200, headers: { 'x-amz-bucket-region': bucket.region }, body: '' };
      }
      case 'GET': {
        const bucket = bucketFor(call, 's3:ListBucket', s3Arn(p, call.bucket), {
          's3:prefix': call.query.prefix ?? '',
          's3:max-keys': call.query['max-keys'] ?? '1000',
        });
        return listObjectsV2(call, bucket);
      }
      case 'DELETE': {
        const bucket = bucketFor(call, 's3:DeleteBucket', s3Arn(p, call.bucket));
        if (Object.keys(bucket.objects).length > 0)
          throw new S3Error('BucketNotEmpty', 'The bucket you tried to delete is not empty', 409, {
            BucketName: bucket.name,
          });
        delete bucketsOf(state)[bucket.name];
        call.runtime.store.save();
        return { status: 204, headers: {}, body: '' };
      }
      default:
        throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
          Method: call.method,
          ResourceType: 'BUCKET',
        });
    }
  }
  const key = call.key;
  const arn = s3Arn(p, call.bucket, key);
  switch (call.method) {
    case 'PUT': {
      if (call.headers['x-amz-copy-source'] !== undefined)
        throw new S3Error('NotImplemented', 'CopyObject is not modelled by the sandbox.', 501);
      if (key.length > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', 400);
      const bucket = bucketFor(call, 's3:PutObject', arn);
      checkIntegrityHeaders(call.body, call.headers);
      const metadata: Record<string, string> = {};
      for (const [h, v] of Object.entries(call.headers))
        if (h.startsWith('x-amz-meta-')) metadata[h.slice('x-amz-meta-'.length)] = v;
      const object = newObject({
        key,
        body: call.body,
        ...(call.headers['content-type'] ? { contentType: call.headers['content-type'] } : {}),
        metadata,
        now: call.now,
      });
      bucket.objects[key] = object;
      call.runtime.store.save();
      return { status: 200, headers: { etag: object.etag }, body: '' };
    }
    case 'GET':
    case 'HEAD': {
      const bucket = bucketFor(call, 's3:GetObject', arn);
      // A missing key is NoSuchKey only for callers allowed s3:ListBucket; others get AccessDenied, so that
      // keys cannot be probed (Amazon S3 API Reference, GetObject, "Permissions").
      if (!bucket.objects[key]) authorizeS3(call, bucket, 's3:ListBucket', s3Arn(p, call.bucket));
      const object = getObject(bucket, key);
      return {
        status: 200,
        headers: objectHeaders(object),
        body: call.method === 'HEAD' ? '' : Buffer.from(object.bodyBase64, 'base64'),
      };
    }
    case 'DELETE': {
      const bucket = bucketFor(call, 's3:DeleteObject', arn);
      if (bucket.objects[key]) {
        delete bucket.objects[key];
        call.runtime.store.save();
      }
      return { status: 204, headers: {}, body: '' };
    }
    default:
      throw new S3Error('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405, {
        Method: call.method,
        ResourceType: 'OBJECT',
      });
  }
}
