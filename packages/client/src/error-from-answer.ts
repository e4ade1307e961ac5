import { ERROR_CATALOG, TrustgateError, type ErrorCode, type Finding } from '@trustgate/core/errors';

/** The exit-code family of an HTTP status, for an error answer that does not carry one of core's codes. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHENTICATED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 409) return 'CONFLICT';
  if (status === 502 || status === 503 || status === 504) return 'CREDENTIALS_UNAVAILABLE';
  if (status >= 400 && status < 500) return 'INVALID_INPUT';
  return 'INTERNAL';
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CATALOG, value);
}

/** Replaces every secret in `text` (the service would never echo one; this makes sure nothing does). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, s) => (s === '' ? t : t.split(s).join('[redacted]')), text);
}

/**
 * The error for a non-2xx answer: the API's `{ error: { code, message, field?, findings?, details? } }` as a
 * TrustgateError of that code (so the CLI exits with the catalog's code for it), else a code by status. `secrets`
 * are replaced in the message; `refused` is added to an UNAUTHENTICATED one.
 */
export function errorFromAnswer(
  status: number,
  body: unknown,
  secrets: readonly string[] = [],
  refused = '',
): TrustgateError {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  }
  const error = (
    parsed as {
      error?: { code?: unknown; message?: unknown; field?: unknown; findings?: unknown; details?: unknown };
    }
  )?.error;
  const code = isErrorCode(error?.code) ? error.code : codeForStatus(status);
  const message =
    typeof error?.message === 'string' && error.message !== ''
      ? redactSecrets(error.message, secrets)
      : `the service answered HTTP ${status}.`;
  const findings = Array.isArray(error?.findings) ? (error.findings as Finding[]) : undefined;
  const details =
    typeof error?.details === 'object' && error.details !== null ? (error.details as Record<string, unknown>) : {};
  return new TrustgateError(code, `${message}${code === 'UNAUTHENTICATED' ? refused : ''}`, {
    ...(typeof error?.field === 'string' ? { field: error.field } : {}),
    ...(findings === undefined ? {} : { findings }),
    details: { ...details, status },
  });
}
