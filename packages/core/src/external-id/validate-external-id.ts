import type { Finding } from '../errors/index.ts';

/** Characters AWS allows in an external ID: letters, digits, `_` and `+ = , . @ : / -` (no white space). */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

/**
 * Check an external ID against AWS's rules: 2 to 1,224 characters of `[\w+=,.@:/-]` (IAM User Guide,
 * "Access to AWS accounts owned by third parties", and STS AssumeRole `ExternalId`). Use it for
 * customer-supplied custom IDs; trustgate's own come from {@link generateExternalId}. Returns findings.
 */
export function validateExternalId(value: unknown, path = 'externalId'): Finding[] {
  const fail = (message: string): Finding[] => [
    { code: 'INVALID_EXTERNAL_ID', severity: 'error', message: `${path}: ${message}`, path },
  ];
  if (typeof value !== 'string') return fail('an external ID must be a string');
  if (value.length < 2) return fail('an external ID has at least 2 characters');
  if (value.length > 1224) return fail(`an external ID has at most 1,224 characters (this one has ${value.length})`);
  if (!EXTERNAL_ID_PATTERN.test(value)) {
    const bad = [...new Set([...value].filter((c) => !/[\w+=,.@:/-]/.test(c)))]
      .map((c) => JSON.stringify(c))
      .join(', ');
    return fail(`an external ID may contain only letters, digits and _+=,.@:/- ; found ${bad}`);
  }
  return [];
}
