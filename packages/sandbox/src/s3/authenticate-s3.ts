import { createHash } from 'node:crypto';
import { resolveAccessKey, type Caller, type ResolvedKey } from '../auth/caller.ts';
import {
  headerSignature,
  MAX_SKEW_MS,
  parseAmzDate,
  parseAuthorization,
  presignedSignature,
  signingDateOf,
  tooSkewed,
  type ParsedAuthorization,
  type ReceivedRequest,
} from '../auth/verify-sigv4.ts';
import { AwsError } from '../protocol/aws-error.ts';
import type { SandboxState } from '../state/model.ts';
import { s3AccessDenied, S3Error } from './s3-error.ts';

/** Who sent an S3 request: a verified caller, or nobody (an anonymous request). */
export interface S3Authentication {
  caller?: Caller;
  /** The region of the credential scope (the signing region). */
  region?: string;
  /** True when the request was authenticated by a presigned URL's query parameters. */
  presigned: boolean;
}

/** SigV4 presigned URLs are valid for at most seven days (Amazon S3 User Guide, "Sharing objects with presigned URLs"). */
export const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

function fmtIso(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The key behind an access key ID, with S3's codes: `InvalidAccessKeyId` (403), `InvalidToken` / `ExpiredToken` (400). */
function resolveS3Key(state: SandboxState, accessKeyId: string, sentToken: string | undefined, now: Date): ResolvedKey {
  const resolved = resolveAccessKey(state, accessKeyId);
  if (!resolved || !resolved.active) {
    throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, {
      AWSAccessKeyId: accessKeyId,
    });
  }
  if (resolved.sessionToken !== sentToken)
    throw new S3Error(
      'InvalidToken',
      'The provided token is malformed or otherwise invalid.',
      400,
      sentToken ? { Token: sentToken } : {},
    );
  if (resolved.expiration !== undefined && Date.parse(resolved.expiration) <= now.getTime()) {
    throw new S3Error('ExpiredToken', 'The provided token has expired.', 400, sentToken ? { Token: sentToken } : {});
  }
  return resolved;
}

async function headerAuth(
  state: SandboxState,
  request: ReceivedRequest,
  now: Date,
  wallClock: Date,
): Promise<S3Authentication> {
  let auth: ParsedAuthorization;
  try {
    auth = parseAuthorization(request.headers.authorization!);
  } catch (error) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; ${error instanceof Error ? error.message : String(error)}`,
      400,
    );
  }
  const sentToken = request.headers['x-amz-security-token'];
  const resolved = resolveS3Key(state, auth.accessKeyId, sentToken, now);
  const amzDate = request.headers['x-amz-date'];
  const signingDate = signingDateOf(request.headers);
  if (!signingDate) {
    throw s3AccessDenied('AWS authentication requires a valid Date or x-amz-date header');
  }
  // Request time against the wall clock, credential expiry against the sandbox clock (as verifySigV4 does).
  if (tooSkewed(signingDate, wallClock)) {
    throw new S3Error(
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      403,
      {
        RequestTime: amzDate ?? '',
        ServerTime: fmtIso(wallClock),
        MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
      },
    );
  }
  // S3 requires x-amz-content-sha256 with SigV4 header auth: the body's hash, or UNSIGNED-PAYLOAD.
  const contentSha = request.headers['x-amz-content-sha256'];
  if (contentSha === undefined)
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', 400);
  if (contentSha.startsWith('STREAMING-') && contentSha !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') {
    throw new S3Error(
      'NotImplemented',
      'A header you provided implies functionality that is not implemented (aws-chunked uploads with signed chunks are not modelled by the sandbox).',
      501,
      { Header: 'x-amz-content-sha256' },
    );
  }
  if (contentSha !== 'UNSIGNED-PAYLOAD' && contentSha !== 'STREAMING-UNSIGNED-PAYLOAD-TRAILER') {
    const bytes = request.rawBody ?? Buffer.from(request.body, 'utf8');
    const actual = bytes.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(bytes).digest('hex');
    if (!/^[0-9a-f]{64}$/.test(contentSha))
      throw new S3Error(
        'InvalidArgument',
        'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.',
        400,
        { ArgumentName: 'x-amz-content-sha256', ArgumentValue: contentSha },
      );
    if (contentSha !== actual) {
      throw new S3Error(
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        400,
        { ClientComputedContentSHA256: contentSha, S3ComputedContentSHA256: actual },
      );
    }
  }
  const recomputed = await headerSignature({
    request,
    auth,
    secretAccessKey: resolved.secretAccessKey,
    signingDate,
    payloadHash: contentSha,
    uriEscapePath: false,
  });
  if (recomputed !== auth.signature)
    throw new S3Error('SignatureDoesNotMatch', SIGNATURE_MISMATCH, 403, { AWSAccessKeyId: auth.accessKeyId });
  return { caller: resolved.caller, region: auth.region, presigned: false };
}

function queryAuthError(message: string): S3Error {
  return new S3Error('AuthorizationQueryParametersError', message, 400);
}

async function presignedAuth(state: SandboxState, request: ReceivedRequest, now: Date): Promise<S3Authentication> {
  const q = request.query;
  if (q['X-Amz-Algorithm'] !== 'AWS4-HMAC-SHA256')
    throw queryAuthError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const credential = q['X-Amz-Credential'] ?? '';
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    throw queryAuthError(
      `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  }
  const signingDate = parseAmzDate(q['X-Amz-Date'] ?? '');
  if (!signingDate) throw queryAuthError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  const expiresText = q['X-Amz-Expires'] ?? '';
  if (!/^\d+$/.test(expiresText)) throw queryAuthError('X-Amz-Expires should be a number');
  const expires = Number(expiresText);
  if (expires > MAX_PRESIGNED_EXPIRES_SECONDS) {
    throw queryAuthError(
      'X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  if (!q['X-Amz-SignedHeaders'] || !q['X-Amz-Signature'])
    throw queryAuthError(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  const sentToken = q['X-Amz-Security-Token'];
  const resolved = resolveS3Key(state, scope[0]!, sentToken, now);
  // Expiry is checked against the sandbox clock, so tests can move time forward.
  const expiresAt = new Date(signingDate.getTime() + expires * 1000);
  if (now.getTime() > expiresAt.getTime()) {
    throw s3AccessDenied('Request has expired', {
      'X-Amz-Expires': expiresText,
      Expires: fmtIso(expiresAt),
      ServerTime: fmtIso(now),
    });
  }
  const signature = await presignedSignature({
    request,
    accessKeyId: scope[0]!,
    secretAccessKey: resolved.secretAccessKey,
    ...(sentToken ? { sessionToken: sentToken } : {}),
    region: scope[2]!,
    service: scope[3]!,
    signingDate,
    expiresIn: expires,
    signedHeaders: q['X-Amz-SignedHeaders'].split(';'),
    uriEscapePath: false,
  });
  if (signature !== q['X-Amz-Signature'])
    throw new S3Error('SignatureDoesNotMatch', SIGNATURE_MISMATCH, 403, { AWSAccessKeyId: scope[0]! });
  return { caller: resolved.caller, region: scope[2]!, presigned: true };
}

/**
 * Authenticates an S3 REST request as S3 does with Signature Version 4: the `Authorization` header (with the
 * required `x-amz-content-sha256`: the body's SHA-256, checked against the body, `UNSIGNED-PAYLOAD`, or
 * `STREAMING-UNSIGNED-PAYLOAD-TRAILER` for an aws-chunked body), or a
 * presigned URL's query parameters (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires` at
 * most 604,800 s, `X-Amz-SignedHeaders`, `X-Amz-Signature`; past its expiry `AccessDenied` "Request has
 * expired"). A request with neither is anonymous. Temporary credentials stop working when they expire,
 * presigned or not (`ExpiredToken`). Amazon S3 API Reference, "Authenticating Requests (AWS Signature Version 4)".
 */
export async function authenticateS3(
  state: SandboxState,
  request: ReceivedRequest,
  now: Date,
  wallClock = new Date(),
): Promise<S3Authentication> {
  try {
    if (request.headers.authorization !== undefined) return await headerAuth(state, request, now, wallClock);
    if (request.query['X-Amz-Algorithm'] !== undefined || request.query['X-Amz-Credential'] !== undefined)
      return await presignedAuth(state, request, now);
    return { presigned: false };
  } catch (error) {
    if (error instanceof S3Error || !(error instanceof AwsError)) throw error;
    throw new S3Error(error.code, error.message, error.status);
  }
}
