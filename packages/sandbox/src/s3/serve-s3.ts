import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { ReceivedRequest } from '../auth/verify-sigv4.ts';
import { AwsError } from '../protocol/aws-error.ts';
import type { SandboxRuntime } from '../runtime.ts';
import { SNS_CERTIFICATE_PATH_PREFIX } from '../sns/sns-signing.ts';
import { requestId as newRequestId } from '../state/ids.ts';
import { authenticateS3 } from './authenticate-s3.ts';
import { decodeAwsChunked } from './aws-chunked.ts';
import { s3AccessDenied, s3ErrorXml, S3Error } from './s3-error.ts';
import { runS3Operation, type S3Response } from './s3-operations.ts';

/** The SigV4 service of a request's credential scope, from its Authorization header or `X-Amz-Credential`. */
function scopeService(headers: Record<string, string>, query: Record<string, string>): string | undefined {
  const fromHeader = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/,\s]+)\//.exec(headers.authorization ?? '')?.[1];
  return fromHeader ?? (query['X-Amz-Credential'] ?? '').split('/')[3];
}

/** True for a request signed for service `s3` (Authorization header or presigned URL). */
export function isSignedForS3(headers: Record<string, string>, query: Record<string, string>): boolean {
  return scopeService(headers, query) === 's3';
}

/**
 * The answer to an S3 request (signed for `s3`) on the sandbox's SNS paths `/sns/…`, which S3 never serves in the
 * sandbox (a bucket named `sns` is not reachable path-style there): S3's `AccessDenied` document saying so, so an
 * SDK caller sees why instead of a body it cannot parse.
 */
export function s3RefusalOnSnsPath(method: string): { status: number; headers: Record<string, string>; body: string } {
  const requestId = newRequestId().replace(/-/g, '').slice(0, 16).toUpperCase();
  const hostId = randomBytes(48).toString('base64');
  const error = s3AccessDenied(
    `The sandbox serves its SNS signing certificate and SubscribeURL under ${SNS_CERTIFICATE_PATH_PREFIX}; S3 requests there (a bucket named sns, path-style) are not served.`,
  );
  const body = method === 'HEAD' ? '' : s3ErrorXml(error, requestId, hostId);
  return {
    status: error.status,
    headers: {
      'content-type': 'application/xml',
      'content-length': String(Buffer.byteLength(body)),
      'x-amz-request-id': requestId,
      'x-amz-id-2': hostId,
    },
    body,
  };
}

/** Splits a path-style S3 path (`/bucket/key`, still percent-encoded) into bucket and decoded key. */
export function splitS3Path(rawPath: string): { bucket: string; key?: string } {
  const path = rawPath.replace(/^\/+/, '');
  const slash = path.indexOf('/');
  if (slash < 0) return { bucket: decodeURIComponent(path) };
  const key = decodeURIComponent(path.slice(slash + 1));
  return { bucket: decodeURIComponent(path.slice(0, slash)), ...(key === '' ? {} : { key }) };
}

/**
 * True for a request of the S3 REST protocol: signed for service `s3` (header or presigned URL), or an
 * unsigned request (not `POST /`) whose first path segment names one of the sandbox's buckets. Never for the
 * sandbox's SNS paths (`/sns/…`, signed or not): a bucket named `sns` (a valid name) cannot shadow the SNS
 * signing certificate or SubscribeURL; its objects are not reachable path-style.
 */
export function isS3Request(
  runtime: SandboxRuntime,
  request: { method: string; path: string; headers: Record<string, string>; query: Record<string, string> },
): boolean {
  if (request.path.startsWith(SNS_CERTIFICATE_PATH_PREFIX)) return false;
  const service = scopeService(request.headers, request.query);
  if (service !== undefined) return service === 's3';
  if (request.method === 'POST' && request.path === '/') return false;
  const { bucket } = splitS3Path(request.path);
  return bucket !== '' && runtime.store.state.s3Buckets?.[bucket] !== undefined;
}

/**
 * Serves one S3 REST request, path-style (`forcePathStyle: true` with an endpoint override): authenticates
 * it with SigV4 as S3 does, authorizes it with core's policy engine and runs the operation; errors are S3's XML
 * error documents (no body for HEAD, as S3 answers).
 */
export async function serveS3(options: {
  runtime: SandboxRuntime;
  request: ReceivedRequest;
  sourceIp: string;
}): Promise<S3Response> {
  const { runtime, request } = options;
  const requestId = newRequestId().replace(/-/g, '').slice(0, 16).toUpperCase();
  const hostId = randomBytes(48).toString('base64');
  const ids = { 'x-amz-request-id': requestId, 'x-amz-id-2': hostId };
  try {
    const now = runtime.clock();
    const auth = await authenticateS3(runtime.store.state, request, now);
    const { bucket, key } = splitS3Path(request.path);
    const bytes = request.rawBody ?? Buffer.from(request.body, 'utf8');
    const body =
      request.headers['x-amz-content-sha256'] === 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'
        ? decodeAwsChunked(bytes, request.headers)
        : bytes;
    const response = runS3Operation({
      runtime,
      ...(auth.caller ? { caller: auth.caller } : {}),
      method: request.method,
      bucket,
      ...(key === undefined ? {} : { key }),
      query: request.query,
      headers: request.headers,
      body,
      region: auth.region ?? runtime.store.state.region,
      now,
      sourceIp: options.sourceIp,
    });
    return { ...response, headers: { ...response.headers, ...ids } };
  } catch (error) {
    const e =
      error instanceof AwsError
        ? error
        : new S3Error('InternalError', 'We encountered an internal error. Please try again.', 500);
    const body = request.method === 'HEAD' ? '' : s3ErrorXml(e, requestId, hostId);
    return { status: e.status, headers: { 'content-type': 'application/xml', ...ids }, body };
  }
}

/**
 * The sandbox's S3 route: when the request is S3's, serves it and writes the response; returns false otherwise.
 * `body` is the request body already read; the path is taken raw from `req.url` (S3 signs the path as sent).
 */
export async function routeS3(
  runtime: SandboxRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  received: { headers: Record<string, string>; query: Record<string, string>; body: string; rawBody?: Buffer },
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const path = (req.url ?? '/').split('?')[0] || '/';
  if (!isS3Request(runtime, { method, path, headers: received.headers, query: received.query })) return false;
  const response = await serveS3({
    runtime,
    request: {
      method,
      path,
      query: received.query,
      headers: received.headers,
      body: received.body,
      ...(received.rawBody === undefined ? {} : { rawBody: received.rawBody }),
    },
    sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
  });
  const length = typeof response.body === 'string' ? Buffer.byteLength(response.body) : response.body.length;
  res.writeHead(response.status, { 'content-length': String(length), ...response.headers });
  res.end(method === 'HEAD' ? undefined : response.body);
  return true;
}
