import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { S3Error } from './s3-error.ts';

/** A trailing checksum S3 can check, by header name: the digest of the decoded body, base64. */
const CHECKSUMS: Record<string, { name: string; digest: (body: Buffer) => string }> = {
  'x-amz-checksum-crc32': {
    name: 'CRC32',
    digest: (b) => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(crc32(b) >>> 0);
      return out.toString('base64');
    },
  },
  'x-amz-checksum-sha1': { name: 'SHA1', digest: (b) => createHash('sha1').update(b).digest('base64') },
  'x-amz-checksum-sha256': { name: 'SHA256', digest: (b) => createHash('sha256').update(b).digest('base64') },
};

function incomplete(): S3Error {
  return new S3Error('IncompleteBody', 'The request body terminated unexpectedly', 400);
}

/**
 * Decodes an `aws-chunked` body sent with `x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER` (what
 * SDK v3 sends for a streamed PutObject body): `<hex size>\r\n<bytes>\r\n` chunks, a `0\r\n` chunk, then the
 * trailer headers (`x-amz-checksum-crc32:<base64>`) and `\r\n`. The decoded length must equal
 * `x-amz-decoded-content-length`, and a CRC32/SHA-1/SHA-256 trailer must match (`BadDigest` otherwise).
 * Amazon S3 API Reference, "Signature Calculations for the Authorization Header: Transferring Payload in
 * Multiple Chunks (Chunked Upload)" — the unsigned-chunks variant with trailing checksums.
 */
export function decodeAwsChunked(body: Buffer, headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) throw incomplete();
    const size = Number.parseInt(body.subarray(at, eol).toString('latin1').split(';')[0]!, 16);
    if (!Number.isInteger(size) || size < 0) throw incomplete();
    at = eol + 2;
    if (size === 0) break;
    if (at + size + 2 > body.length) throw incomplete();
    parts.push(body.subarray(at, at + size));
    at += size + 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of body.subarray(at).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const decoded = Buffer.concat(parts);
  const declared = headers['x-amz-decoded-content-length'];
  if (declared !== undefined && Number(declared) !== decoded.length) throw incomplete();
  for (const [header, value] of Object.entries(trailers)) {
    const checksum = CHECKSUMS[header];
    if (checksum && checksum.digest(decoded) !== value) {
      throw new S3Error('BadDigest', `The ${checksum.name} you specified did not match the calculated checksum.`, 400);
    }
  }
  return decoded;
}

/**
 * Checks the integrity headers of an upload as S3 does: `Content-MD5` ("The Content-MD5 you specified did not
 * match what we received.") and `x-amz-checksum-crc32` / `-sha1` / `-sha256` — `BadDigest` (400) on a mismatch.
 */
export function checkIntegrityHeaders(body: Buffer, headers: Record<string, string>): void {
  const md5 = headers['content-md5'];
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5) {
    throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
  }
  for (const [header, checksum] of Object.entries(CHECKSUMS)) {
    const value = headers[header];
    if (value !== undefined && checksum.digest(body) !== value) {
      throw new S3Error('BadDigest', `The ${checksum.name} you specified did not match the calculated checksum.`, 400);
    }
  }
}
