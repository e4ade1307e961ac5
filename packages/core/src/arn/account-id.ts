import type { Finding } from '../errors/index.ts';

/**
 * An AWS account ID: exactly 12 decimal digits (AWS Account Management Reference Guide, "Viewing AWS account
 * identifiers"). No `g` or `y` flag, so `test` keeps no state between calls.
 */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/** True for a 12-digit AWS account ID given as a string (leading zeros are significant, so never a number). */
export function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && ACCOUNT_ID_PATTERN.test(value);
}

/**
 * Check an AWS account ID: exactly 12 decimal digits (AWS Account Management Reference Guide, "Viewing AWS
 * account identifiers"). Leading zeros are significant, so it must be a string. Returns findings; empty when fine.
 */
export function validateAccountId(value: unknown, path = 'accountId'): Finding[] {
  if (isAccountId(value)) return [];
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : String(value);
  return [
    {
      code: 'INVALID_ACCOUNT_ID',
      severity: 'error',
      message: `${path}: ${shown} is not an AWS account ID (exactly 12 digits, as a string)`,
      path,
    },
  ];
}
