import { TrustgateError } from '../errors/index.ts';

/** AssumeRole's smallest DurationSeconds (STS API Reference, AssumeRole: 900 seconds). */
export const MIN_SESSION_SECONDS = 900;
/** The largest MaxSessionDuration a role can have, so the largest DurationSeconds (12 hours). */
export const MAX_SESSION_SECONDS = 43200;
/** AWS caps a session assumed with role-session credentials (role chaining) at one hour. */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

/** Input of {@link sessionDuration}. */
export interface SessionDurationInput {
  /** What the attachment (or the caller) asks for, in seconds. */
  requestedSeconds: number;
  /** The role's MaxSessionDuration (3,600-43,200) when trustgate knows it. */
  roleMaxSessionDuration?: number;
  /** True when the platform's own identity is a role session, so AWS treats the assumption as role chaining. */
  chained: boolean;
}

/** The duration to ask STS for, and, when it differs from the request, what changed it and why. */
export interface SessionDurationResult {
  seconds: number;
  clamped?: { from: number; to: number; reason: string };
}

function positiveSeconds(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw new TrustgateError('INVALID_INPUT', `${field}: a whole, positive number of seconds is required`, { field });
  return value;
}

/**
 * The DurationSeconds to pass to AssumeRole for a request (IAM User Guide, "Use IAM roles": "The maximum session
 * duration ... Role chaining limits your AWS CLI or AWS API role session to a maximum of one hour"; STS API
 * Reference, AssumeRole `DurationSeconds`: 900 seconds up to the role's MaxSessionDuration).
 *
 * Raised to 900 when below; lowered to the role's MaxSessionDuration when known, else to 43,200 (STS refuses a
 * duration above the role's maximum, so callers that do not know it should pass it); lowered to 3,600 when
 * `chained` (a duration above that fails for a chained session). The answer says so in `clamped` with the reason
 * in words, for the API answer and the CLI. Throws INVALID_INPUT for a non-integer or non-positive request or
 * role maximum.
 */
export function sessionDuration(input: SessionDurationInput): SessionDurationResult {
  const from = positiveSeconds(input.requestedSeconds, 'requestedSeconds');
  let roleMax: number | undefined;
  if (input.roleMaxSessionDuration !== undefined) {
    roleMax = positiveSeconds(input.roleMaxSessionDuration, 'roleMaxSessionDuration');
    if (roleMax < 3600 || roleMax > MAX_SESSION_SECONDS)
      throw new TrustgateError(
        'INVALID_INPUT',
        `roleMaxSessionDuration: ${roleMax} is outside a role's MaxSessionDuration range (3,600-43,200 seconds)`,
        { field: 'roleMaxSessionDuration' },
      );
  }
  if (from < MIN_SESSION_SECONDS)
    return {
      seconds: MIN_SESSION_SECONDS,
      clamped: {
        from,
        to: MIN_SESSION_SECONDS,
        reason: `raised to ${MIN_SESSION_SECONDS} seconds, the shortest session AWS STS issues`,
      },
    };
  const limits: Array<{ to: number; reason: string }> = [];
  if (roleMax !== undefined)
    limits.push({ to: roleMax, reason: `lowered to the role's maximum session duration (${roleMax} seconds)` });
  else
    limits.push({
      to: MAX_SESSION_SECONDS,
      reason: `lowered to ${MAX_SESSION_SECONDS} seconds, the longest session AWS STS issues for any role`,
    });
  if (input.chained)
    limits.push({
      to: ROLE_CHAINING_MAX_SECONDS,
      reason: `lowered to ${ROLE_CHAINING_MAX_SECONDS} seconds: trustgate's own identity is a role session, and AWS caps sessions assumed from a role session (role chaining) at one hour`,
    });
  // The tightest limit decides; on a tie the first (the role's own maximum) is named.
  const tightest = limits.reduce((a, b) => (b.to < a.to ? b : a));
  if (from <= tightest.to) return { seconds: from };
  return { seconds: tightest.to, clamped: { from, to: tightest.to, reason: tightest.reason } };
}
