import type { Finding } from '../errors/index.ts';

/** Default role MaxSessionDuration (IAM API Reference, CreateRole: 3,600 seconds). */
export const DEFAULT_MAX_SESSION_DURATION = 3600;

/**
 * Check a role's MaxSessionDuration: an integer from 3,600 (1 hour) to 43,200 (12 hours) seconds (IAM API
 * Reference, CreateRole `MaxSessionDuration`). Role chaining stays capped at 1 hour whatever this says.
 */
export function validateMaxSessionDuration(value: unknown, path = 'maxSessionDuration'): Finding[] {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 3600 && value <= 43200) return [];
  return [
    {
      code: 'INVALID_INPUT',
      severity: 'error',
      message: `${path}: ${String(value)} is not a whole number of seconds from 3,600 to 43,200`,
      path,
    },
  ];
}
