import { createHash } from 'node:crypto';

/** Characters AWS accepts in a role session name (STS AssumeRole `RoleSessionName`, pattern `[\w+=,.@-]*`). */
const SESSION_NAME_CHAR = /[A-Za-z0-9_+=,.@-]/;
/**
 * Characters used for a source identity. STS's pattern is `[\w+=,.@-]*` too, but the API reference's words
 * list only "underscores or any of the following characters: =,.@-", so `+` is replaced here to stay inside
 * both readings.
 */
const SOURCE_IDENTITY_CHAR = /[A-Za-z0-9_=,.@-]/;

const MIN = 2;
const MAX = 64;
const HASH_LENGTH = 10;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** The tail a hashed name ends with; a name that already ends like this is hashed too (see {@link boundedName}). */
const HASHED_TAIL = new RegExp(`-[0-9A-Za-z]{${HASH_LENGTH}}$`);

/** 10 base-62 characters (about 59 bits) of SHA-256 over the whole input, UTF-8. */
function hash10(text: string): string {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  let n = digest.readBigUInt64BE(0);
  let out = '';
  for (let i = 0; i < HASH_LENGTH; i++) {
    out += BASE62[Number(n % 62n)];
    n /= 62n;
  }
  return out;
}

/**
 * Any text -> 2 to 64 characters of `allowed`, deterministically, never throwing.
 *
 * - Text that is already 2-64 allowed characters is kept as it is (so CloudTrail shows exactly the run's label),
 *   unless it ends like a hashed name (`-` and 10 letters or digits).
 * - Otherwise each character outside the set (counted by code point) becomes `_`, the result is cut to 53
 *   characters, and `-` plus a 10-character hash of the whole original text is appended; that also pads text
 *   shorter than 2.
 *
 * So two different inputs give the same name only if their hashes collide (about 2^-59 per pair): a kept name
 * never has the hashed shape, and a hashed name is determined by its input's hash.
 */
function boundedName(text: unknown, allowed: RegExp): string {
  const input = typeof text === 'string' ? text : String(text);
  const chars = [...input];
  const clean = chars.every((c) => allowed.test(c));
  if (clean && input.length >= MIN && input.length <= MAX && !HASHED_TAIL.test(input)) return input;
  const sanitized = chars.map((c) => (allowed.test(c) ? c : '_')).join('');
  return `${sanitized.slice(0, MAX - HASH_LENGTH - 1)}-${hash10(input)}`;
}

/**
 * A role session name for AssumeRole from any label (for example `tg-<stack>-<run id>`): 2-64 characters of
 * `[\w+=,.@-]` (STS API Reference, AssumeRole `RoleSessionName`; names over 64 characters fail with
 * ValidationError). Invalid characters are replaced, long labels shortened to a prefix plus `-` and a
 * 10-character hash of the whole label, short ones padded the same way. Deterministic; never throws.
 */
export function roleSessionName(text: string): string {
  return boundedName(text, SESSION_NAME_CHAR);
}

/**
 * A SourceIdentity for AssumeRole from any label, by the same rules as {@link roleSessionName}: 2-64 characters
 * (STS API Reference, AssumeRole `SourceIdentity`), `+` also replaced (see {@link SOURCE_IDENTITY_CHAR}).
 * The role's trust policy must allow `sts:SetSourceIdentity`. Deterministic; never throws.
 */
export function sourceIdentity(text: string): string {
  return boundedName(text, SOURCE_IDENTITY_CHAR);
}
