import { randomBytes, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Random characters from `A-Z2-7`, the alphabet of IAM unique IDs and access key IDs. */
export function randomUpper(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += UPPER_ALNUM[b % 32];
  return out;
}

/**
 * An IAM unique ID with its documented prefix (IAM User Guide, "Unique identifiers"): `AROA` role,
 * `AIDA` user, `ANPA` managed policy, `AIPA` instance profile, `AKIA` access key, `ASIA` temporary key.
 */
export function uniqueId(prefix: 'AROA' | 'AIDA' | 'ANPA' | 'AIPA', length = 21): string {
  return prefix + randomUpper(length - prefix.length);
}

/** A 20-character access key ID: `AKIA` for long-term keys, `ASIA` for STS temporary keys. */
export function accessKeyId(prefix: 'AKIA' | 'ASIA'): string {
  return prefix + randomUpper(16);
}

/** A 40-character secret access key. */
export function secretAccessKey(): string {
  return randomBytes(30).toString('base64').replace(/\+/g, 'A').replace(/\//g, 'B').slice(0, 40);
}

/** An opaque session token, long like AWS's. */
export function sessionToken(): string {
  return 'IQoJb3JpZ2luX2Vj' + randomBytes(300).toString('base64');
}

/** A 12-digit account ID that does not start with 0. */
export function accountIdNumber(): string {
  const digits = randomBytes(12);
  let out = String(1 + (digits[0]! % 9));
  for (let i = 1; i < 12; i++) out += String(digits[i]! % 10);
  return out;
}

/** A request ID (UUID v4), as AWS returns in `ResponseMetadata`. */
export function requestId(): string {
  return randomUUID();
}
