import { ERROR_CATALOG, type ErrorCode } from './error-catalog.ts';

/**
 * A problem found in some input, pointing at the place: `path` is a JSONPath-like pointer into the input
 * (`products[2].integrations[0].statements[1].actions[3]`, `Statement[0].Resource`), so a console can
 * highlight the field. Core functions return these as values; they never throw for a user's mistake.
 */
export interface Finding {
  /** Stable machine-readable code (see {@link ERROR_CATALOG} for the error codes). */
  code: string;
  /** `error` makes the input unusable; `warning` and `info` are advice. */
  severity: 'error' | 'warning' | 'info';
  /** One sentence a person can act on: what is wrong and how to fix it. */
  message: string;
  /** Where in the input, or '' for the input as a whole. */
  path: string;
}

/**
 * The one error type adapters throw. `code` maps, through {@link ERROR_CATALOG}, to an HTTP status and a CLI
 * exit code; `details` carries safe, structured context (never a secret); `cause` keeps the original error.
 */
export class TrustgateError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;
  readonly findings: Finding[];
  /** The input field the error is about, when there is one (`roleName`, `externalId`, ...). */
  readonly field: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { details?: Record<string, unknown>; findings?: Finding[]; field?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrustgateError';
    this.code = code;
    this.details = options.details ?? {};
    this.findings = options.findings ?? [];
    this.field = options.field;
  }

  /** HTTP status for this error's code. */
  get httpStatus(): number {
    return ERROR_CATALOG[this.code].http;
  }

  /** Process exit code for the CLI. */
  get exitCode(): number {
    return ERROR_CATALOG[this.code].exit;
  }
}

/** True when `value` is a {@link TrustgateError}. */
export function isTrustgateError(value: unknown): value is TrustgateError {
  return value instanceof TrustgateError;
}
