import { ERROR_CATALOG, TrustgateError, type ErrorCode, type Finding } from '../errors/index.ts';

/**
 * Throw a {@link TrustgateError} when `findings` hold an error: its code is the first error finding's code
 * (when it is a catalog code, else `fallback`), its message that finding's message, its `field` that finding's
 * path, and all findings ride along. Builders use this where they cannot produce an artifact from bad input.
 */
export function assertNoErrors(findings: Finding[], fallback: ErrorCode = 'INVALID_INPUT'): void {
  const first = findings.find((f) => f.severity === 'error');
  if (!first) return;
  const code = isErrorCode(first.code) ? first.code : fallback;
  throw new TrustgateError(code, first.message, { field: first.path, findings });
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CATALOG, code);
}
