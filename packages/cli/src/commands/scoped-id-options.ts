import { TrustgateError } from '@trustgate/core/errors';
import type { RunPhase, ScopedExternalIdScope } from '@trustgate/core/external-id';

/** The scoped-external-ID options shared by `trust-policy`, `external-id` and `template`. */
export interface ScopedIdOptions {
  accountName?: string;
  integration?: string;
  stack?: string;
  phase?: string;
}

/** `--phase`: `read` (plan) or `write` (apply); anything else is refused naming the field. */
export function phaseOf(value: string | undefined): RunPhase | undefined {
  if (value === undefined) return undefined;
  if (value !== 'read' && value !== 'write')
    throw new TrustgateError('INVALID_EXTERNAL_ID', `--phase: must be read or write, not "${value}"`, {
      field: 'phase',
    });
  return value;
}

/** True when any scoped-ID option is given (a stack or phase lock must never be dropped silently). */
export function wantsScope(opts: ScopedIdOptions): boolean {
  return (
    opts.accountName !== undefined ||
    opts.integration !== undefined ||
    opts.stack !== undefined ||
    opts.phase !== undefined
  );
}

/**
 * The scope of scoped external IDs from `--account-name`, `--integration`, `--stack` and `--phase`. A given
 * `--stack` is passed on even when empty, so core refuses it instead of it silently meaning "any stack".
 */
export function scopeOf(opts: ScopedIdOptions): ScopedExternalIdScope {
  const phase = phaseOf(opts.phase);
  return {
    accountName: opts.accountName ?? '',
    integrationId: opts.integration ?? '',
    ...(opts.stack !== undefined ? { stackSlug: opts.stack } : {}),
    ...(phase ? { phase } : {}),
  };
}
