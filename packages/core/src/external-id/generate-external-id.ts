import { TrustgateError } from '../errors/index.ts';
import { validateExternalId } from './validate-external-id.ts';

/** Options for {@link generateExternalId}. */
export interface GenerateExternalIdOptions {
  /** Random bytes; at least 16 (128 bits). Default 24 (192 bits, 32 characters of base64url). */
  bytes?: number;
  /** Text put in front, e.g. `tg-` (must itself use external-ID characters). Default none. */
  prefix?: string;
  /** Source of randomness; defaults to Web Crypto's `crypto.getRandomValues` (CSPRNG). Tests may inject. */
  random?: (buffer: Uint8Array) => Uint8Array;
}

/**
 * A new external ID for one customer connection: unguessable (>= 128 bits from a CSPRNG), encoded as
 * base64url (`A-Z a-z 0-9 - _`, all allowed by AWS), within AWS's 2-1,224 characters. The platform, not the
 * customer, generates it and keeps one per connection (IAM User Guide, "Access to AWS accounts owned by third
 * parties": "the external ID ... should be unique for each customer").
 */
export function generateExternalId(options: GenerateExternalIdOptions = {}): string {
  const bytes = options.bytes ?? 24;
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 900) {
    throw new TrustgateError(
      'INVALID_INPUT',
      'bytes: an external ID needs 16 to 900 random bytes (at least 128 bits)',
      { field: 'bytes' },
    );
  }
  const random = options.random ?? ((b: Uint8Array) => globalThis.crypto.getRandomValues(b));
  const buffer = random(new Uint8Array(bytes));
  const id = `${options.prefix ?? ''}${base64url(buffer)}`;
  const findings = validateExternalId(id, options.prefix ? 'prefix' : 'externalId');
  if (findings.length > 0)
    throw new TrustgateError('INVALID_EXTERNAL_ID', findings[0]?.message ?? 'invalid external ID', {
      field: 'prefix',
      findings,
    });
  return id;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63];
    out += ALPHABET[(n >> 12) & 63];
    if (b !== undefined) out += ALPHABET[(n >> 6) & 63];
    if (c !== undefined) out += ALPHABET[n & 63];
  }
  return out;
}
