import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new nonce for a connection's one-time callback token. */
export function newCallbackNonce(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * The callback token for a connection: HMAC-SHA256(secret, connectionId + nonce). Only the nonce is stored,
 * so the token can be rendered into templates again, and changing the nonce (after each use) kills it.
 */
export function callbackToken(secret: string, connectionId: string, nonce: string): string {
  return createHmac('sha256', secret).update(`${connectionId}.${nonce}`).digest('base64url');
}

/** Constant-time check of a presented callback token. */
export function callbackTokenMatches(
  secret: string,
  connectionId: string,
  nonce: string | null,
  presented: string,
): boolean {
  if (nonce === null) return false;
  const expected = Buffer.from(callbackToken(secret, connectionId, nonce));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
