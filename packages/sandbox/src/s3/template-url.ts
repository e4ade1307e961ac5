import type { ContextValue } from '@trustgate/core';
import { validationError } from '../protocol/aws-error.ts';
import type { RequestContext } from '../runtime.ts';
import { authenticateS3 } from './authenticate-s3.ts';
import { authorizeS3, checkExpectedOwner, s3Arn } from './s3-operations.ts';
import { splitS3Path } from './serve-s3.ts';

/** CloudFormation's answer to a URL that is not an S3 object URL. */
const UNSUPPORTED = 'TemplateURL must be a supported URL.';
/** CloudFormation's answer when the S3 object cannot be read (missing, denied, expired presigned URL). */
const NO_ACCESS = 'TemplateURL must reference a valid S3 object to which you have access.';
/** A template given by URL may be up to 1 MB (CloudFormation User Guide, "CloudFormation quotas"). */
const MAX_TEMPLATE_URL_BYTES = 1_000_000;

/**
 * Where an S3 object URL points: path-style on the sandbox's own endpoint (http or https, as a console link
 * rewrites it), or AWS's forms — `https://s3.amazonaws.com/bucket/key`, `https://s3.<region>.amazonaws.com/bucket/key`,
 * `https://bucket.s3.amazonaws.com/key`, `https://bucket.s3.<region>.amazonaws.com/key` (and `s3-<region>`,
 * `.amazonaws.com.cn`) — which the sandbox maps to its own store. The raw path is what a presigned URL signed.
 */
export function parseS3ObjectUrl(
  templateUrl: string,
  sandboxEndpoint: string,
): { bucket: string; key: string; rawPath: string } | undefined {
  let url: URL;
  try {
    url = new URL(templateUrl);
  } catch {
    return undefined;
  }
  const ownHost = new URL(sandboxEndpoint).host;
  const hosts = [ownHost, ownHost.replace(/^127\.0\.0\.1/, 'localhost')];
  const rawPath = url.pathname;
  let pathStyle: string | undefined;
  if ((url.protocol === 'http:' || url.protocol === 'https:') && hosts.includes(url.host)) pathStyle = rawPath;
  else if (url.protocol === 'https:') {
    const host = url.hostname.toLowerCase();
    const suffix = /\.amazonaws\.com(\.cn)?$/.exec(host)?.[0];
    if (!suffix) return undefined;
    const name = host.slice(0, -suffix.length);
    // s3, s3.<region>, s3-<region>, s3.dualstack.<region>; never S3 website endpoints (CloudFormation refuses them).
    const service = /^(?:(.+)\.)?s3(?:\.dualstack)?(?:[.-](?!website)[a-z0-9-]+)?$/.exec(name);
    if (!service) return undefined;
    if (service[1] === undefined) pathStyle = rawPath;
    else {
      const key = decodeURIComponent(rawPath.replace(/^\/+/, ''));
      return key === '' ? undefined : { bucket: service[1], key, rawPath };
    }
  }
  if (pathStyle === undefined) return undefined;
  const { bucket, key } = splitS3Path(pathStyle);
  return bucket === '' || key === undefined ? undefined : { bucket, key, rawPath };
}

/**
 * Reads a CreateStack/UpdateStack/ValidateTemplate `TemplateURL` from the sandbox's S3, as CloudFormation
 * fetches it: a presigned URL is honoured with its own signature and expiry (its signer needs s3:GetObject);
 * a plain URL is read with the caller's own permission (s3:GetObject, via CloudFormation). Other URLs are
 * `ValidationError` "TemplateURL must be a supported URL."; an object that cannot be read is "TemplateURL must
 * reference a valid S3 object to which you have access." (CloudFormation API Reference, CreateStack `TemplateURL`).
 */
export async function readTemplateUrl(ctx: RequestContext, templateUrl: string): Promise<string> {
  const target = parseS3ObjectUrl(templateUrl, ctx.runtime.endpoint);
  if (!target) throw validationError(UNSUPPORTED);
  const url = new URL(templateUrl);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  const state = ctx.runtime.store.state;
  try {
    const presigned = query['X-Amz-Signature'] !== undefined || query['X-Amz-Credential'] !== undefined;
    const caller = presigned
      ? (
          await authenticateS3(
            state,
            { method: 'GET', path: target.rawPath, query, headers: { host: url.host }, body: '' },
            ctx.now,
          )
        ).caller
      : ctx.caller;
    const bucket = state.s3Buckets?.[target.bucket];
    if (!bucket) throw validationError(NO_ACCESS);
    checkExpectedOwner(bucket, {}, query);
    const via: Record<string, ContextValue> = presigned
      ? {}
      : {
          'aws:CalledVia': ['cloudformation.amazonaws.com'],
          'aws:CalledViaFirst': 'cloudformation.amazonaws.com',
          'aws:ViaAWSService': true,
        };
    authorizeS3(
      { runtime: ctx.runtime, ...(caller ? { caller } : {}), now: ctx.now, region: ctx.region, sourceIp: ctx.sourceIp },
      bucket,
      's3:GetObject',
      s3Arn(state.partition, target.bucket, target.key),
      via,
    );
    const object = bucket.objects[target.key];
    if (!object) throw validationError(NO_ACCESS);
    if (object.size > MAX_TEMPLATE_URL_BYTES)
      throw validationError(`Template may not exceed ${MAX_TEMPLATE_URL_BYTES} bytes in size.`);
    return Buffer.from(object.bodyBase64, 'base64').toString('utf8');
  } catch (error) {
    if (error instanceof Error && error.message.startsWith('Template may not exceed')) throw error;
    throw validationError(NO_ACCESS);
  }
}
