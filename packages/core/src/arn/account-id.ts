import type { Finding } from '../errors/index.ts';

/**
 * Check an AWS account ID: exactly 12 decimal digits (AWS Account Management Reference Guide, "Viewing AWS
 * account identifiers"). Leading zeros are significant, so it must be a string. Returns findings; empty when fine.
 */
export function validateAccountId(value: unknown, path = 'accountId'): Finding[] {
  if (typeof value === 'string' && /^\d{12}$/.test(value)) return [];
  const shown = typeof value === 'string' ? `"${value.slice(0, 40)}"` : String(value);
  return [{
    code: 'INVALID_ACCOUNT_ID',
    severity: 'error',
    message: `${path}: ${shown} is not an AWS account ID (exactly 12 digits, as a string)`,
    path,
  }];
}
