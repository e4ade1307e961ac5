import { randomBytes } from 'node:crypto';

/** A new random identifier with a readable prefix (`org_`, `usr_`, `con_`...): 96 bits, base64url. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('base64url')}`;
}

/** The current time as an ISO 8601 string (the store's timestamp format). */
export function nowIso(): string {
  return new Date().toISOString();
}
