import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { AwsError } from '../protocol/aws-error.ts';
import type { SandboxState } from '../state/model.ts';
import { resolveAccessKey, type Caller } from './caller.ts';
import { NodeSha256 } from './node-sha256.ts';

/** A received HTTP request, as the verifier needs it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Header names lower-cased, as node:http gives them. */
  headers: Record<string, string>;
  /** The body as UTF-8 text (Query, JSON and XML protocols). */
  body: string;
  /** The body's bytes, when a protocol carries binary data (S3 objects); `body` is their UTF-8 reading. */
  rawBody?: Buffer;
}

/** The parsed `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` header. */
export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** The outcome of a verified request: who signed it, for which service and region. */
export interface VerifiedRequest {
  caller: Caller;
  service: string;
  region: string;
  accessKeyId: string;
}

/** How far a request's signing time may be from the clock: 15 minutes, either way (AWS General Reference). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

/** Parses a SigV4 Authorization header; a malformed one is AWS's `IncompleteSignature` (400). */
export function parseAuthorization(header: string): ParsedAuthorization {
  const match = /^AWS4-HMAC-SHA256\s+(.*)$/.exec(header.trim());
  if (!match)
    throw new AwsError(
      'IncompleteSignature',
      `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header.split(' ')[0] ?? ''}`,
      400,
    );
  const parts: Record<string, string> = {};
  for (const piece of match[1]!.split(',')) {
    const eq = piece.indexOf('=');
    if (eq > 0) parts[piece.slice(0, eq).trim()] = piece.slice(eq + 1).trim();
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !parts[k]);
  if (missing.length > 0) {
    throw new AwsError(
      'IncompleteSignature',
      `Authorization header requires '${missing[0]}' parameter. Authorization=${header}`,
      400,
    );
  }
  const scope = parts.Credential!.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') {
    throw new AwsError(
      'IncompleteSignature',
      `Credential should be scoped to a valid region. Credential=${parts.Credential}`,
      400,
    );
  }
  return {
    accessKeyId: scope[0]!,
    date: scope[1]!,
    region: scope[2]!,
    service: scope[3]!,
    signedHeaders: parts.SignedHeaders!.split(';'),
    signature: parts.Signature!,
  };
}

/** Parses an ISO 8601 basic timestamp (`20240101T000000Z`, SigV4's `X-Amz-Date`); undefined when malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

/**
 * When a header-signed request says it was signed: its `X-Amz-Date`, else its `Date` header; undefined when
 * it has neither or the one it has does not read as a time.
 */
export function signingDateOf(headers: Record<string, string>): Date | undefined {
  const amzDate = headers['x-amz-date'];
  const date = amzDate ? parseAmzDate(amzDate) : headers.date ? new Date(headers.date) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** Whether a request signed at `signingDate` is more than {@link MAX_SKEW_MS} away from the wall clock. */
export function tooSkewed(signingDate: Date, wallClock: Date): boolean {
  return Math.abs(wallClock.getTime() - signingDate.getTime()) > MAX_SKEW_MS;
}

/**
 * Verifies a SigV4-signed request the way AWS does, in AWS's order: the key must exist
 * (`InvalidClientTokenId` 403), a temporary key must come with its session token (`InvalidClientTokenId`)
 * and be unexpired (`ExpiredToken` 403), the request time must be within 15 minutes
 * (`SignatureDoesNotMatch` "Signature expired"), and the signature recomputed with the SDK's own signer
 * (`@smithy/signature-v4`) over the headers the client signed must equal the one sent
 * (`SignatureDoesNotMatch` 403). AWS General Reference, "Signature Version 4 signing process".
 */
export async function verifySigV4(
  state: SandboxState,
  request: ReceivedRequest,
  now = new Date(),
  wallClock = new Date(),
): Promise<VerifiedRequest> {
  const header = request.headers.authorization;
  if (!header) throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', 403);
  const auth = parseAuthorization(header);
  const resolved = resolveAccessKey(state, auth.accessKeyId);
  const invalid = new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
  if (!resolved || !resolved.active) throw invalid;
  const sentToken = request.headers['x-amz-security-token'];
  if (resolved.sessionToken !== undefined && sentToken !== resolved.sessionToken) throw invalid;
  if (resolved.sessionToken === undefined && sentToken !== undefined) throw invalid;
  if (resolved.expiration !== undefined && Date.parse(resolved.expiration) <= now.getTime()) {
    throw new AwsError('ExpiredToken', 'The security token included in the request is expired', 403);
  }
  const amzDate = request.headers['x-amz-date'];
  const signingDate = signingDateOf(request.headers);
  if (!signingDate) {
    throw new AwsError(
      'IncompleteSignature',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
      400,
    );
  }
  // The request time is checked against the wall clock; credential expiry against the sandbox clock (`now`).
  if (tooSkewed(signingDate, wallClock)) {
    const fmt = (d: Date): string =>
      d
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
    throw new AwsError(
      'SignatureDoesNotMatch',
      `Signature expired: ${amzDate ?? ''} is now earlier than ${fmt(new Date(wallClock.getTime() - MAX_SKEW_MS))} (${fmt(wallClock)} - 15 min.)`,
      403,
    );
  }
  const recomputed = await headerSignature({
    request,
    auth,
    secretAccessKey: resolved.secretAccessKey,
    signingDate,
  });
  if (recomputed !== auth.signature) {
    throw new AwsError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      403,
    );
  }
  return { caller: resolved.caller, service: auth.service, region: auth.region, accessKeyId: auth.accessKeyId };
}

/** Options of {@link signerFor}: the key the client signed with, and for what. */
interface SignerOptions {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
  service: string;
  /** False for S3's canonical path (the path as sent); true by default. */
  uriEscapePath?: boolean;
}

/** The SDK's own signer (`@smithy/signature-v4`) set up as the client's was. */
function signerFor(options: SignerOptions): SignatureV4 {
  return new SignatureV4({
    credentials: {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      ...(options.sessionToken ? { sessionToken: options.sessionToken } : {}),
    },
    region: options.region,
    service: options.service,
    sha256: NodeSha256,
    applyChecksum: false,
    uriEscapePath: options.uriEscapePath ?? true,
  });
}

/** A received request as the signer takes it, with the host and port of its `Host` header. */
function signableRequest(request: ReceivedRequest, query: Record<string, string>, headers: Record<string, string>) {
  const [hostname, port] = (request.headers.host ?? 'localhost').split(':');
  return {
    method: request.method,
    protocol: 'http:',
    hostname: hostname!,
    ...(port ? { port: Number(port) } : {}),
    path: request.path,
    query,
    headers,
  };
}

/**
 * The signature the SDK's own signer (`@smithy/signature-v4`) computes for a received request signed in its
 * `Authorization` header, over the headers the client signed. By default the payload hash is recomputed from
 * the body received (a body changed after signing cannot ride on the original hash); `payloadHash` overrides
 * it (S3's `UNSIGNED-PAYLOAD`). The session token signed with is the request's own `X-Amz-Security-Token`.
 * `uriEscapePath: false` is S3's canonical path: the path as sent, not
 * normalized or encoded again (AWS General Reference, "Create a canonical request": "Amazon S3 ... do not
 * normalize URI paths").
 */
export async function headerSignature(options: {
  request: ReceivedRequest;
  auth: ParsedAuthorization;
  secretAccessKey: string;
  signingDate: Date;
  payloadHash?: string;
  uriEscapePath?: boolean;
}): Promise<string> {
  const { request, auth } = options;
  const sessionToken = request.headers['x-amz-security-token'];
  const signedHeaders: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = request.headers[name];
    if (value !== undefined) signedHeaders[name] = value;
  }
  if ('x-amz-content-sha256' in signedHeaders)
    signedHeaders['x-amz-content-sha256'] =
      options.payloadHash ?? createHash('sha256').update(request.body).digest('hex');
  const signer = signerFor({
    accessKeyId: auth.accessKeyId,
    secretAccessKey: options.secretAccessKey,
    ...(sessionToken ? { sessionToken } : {}),
    region: auth.region,
    service: auth.service,
    ...(options.uriEscapePath !== undefined ? { uriEscapePath: options.uriEscapePath } : {}),
  });
  const signed = await signer.sign(
    { ...signableRequest(request, request.query, signedHeaders), body: request.body },
    {
      signingDate: options.signingDate,
      signingRegion: auth.region,
      signingService: auth.service,
      signableHeaders: new Set(auth.signedHeaders),
    },
  );
  return parseAuthorization(signed.headers.authorization ?? signed.headers.Authorization ?? '').signature;
}

/** The SigV4 query parameters of a presigned URL (AWS General Reference, "Authentication with query parameters"). */
export const PRESIGN_QUERY_PARAMETERS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
];

/**
 * The `X-Amz-Signature` the SDK's own signer computes for a presigned request (query-string auth): the
 * request's other query parameters and the headers named in `X-Amz-SignedHeaders`, with the payload hash
 * `UNSIGNED-PAYLOAD` as S3 uses for presigned URLs. `expiresIn` is the URL's `X-Amz-Expires` (seconds).
 */
export async function presignedSignature(options: {
  request: ReceivedRequest;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  region: string;
  service: string;
  signingDate: Date;
  expiresIn: number;
  signedHeaders: string[];
  uriEscapePath?: boolean;
}): Promise<string> {
  const { request } = options;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.query)) if (!PRESIGN_QUERY_PARAMETERS.includes(k)) query[k] = v;
  const headers: Record<string, string> = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
  for (const name of options.signedHeaders) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const signer = signerFor(options);
  const signed = await signer.presign(signableRequest(request, query, headers), {
    signingDate: options.signingDate,
    signingRegion: options.region,
    signingService: options.service,
    expiresIn: options.expiresIn,
    // The signed headers stay headers (not hoisted into the query); the payload-hash marker is not a header.
    unhoistableHeaders: new Set([...options.signedHeaders, 'x-amz-content-sha256']),
    unsignableHeaders: new Set(['x-amz-content-sha256']),
    signableHeaders: new Set(options.signedHeaders),
  });
  return String(signed.query?.['X-Amz-Signature'] ?? '');
}
