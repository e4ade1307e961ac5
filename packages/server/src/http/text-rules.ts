/**
 * What text the API accepts, one rule for every route and both stores (PostgreSQL refuses NUL in text and
 * SQLite stores a lone surrogate as broken UTF-8, so without this the same input got different answers):
 *
 * - Every string of a request — body, query string and path parameters, object keys included — must be
 *   well-formed Unicode (no lone surrogate) and hold no NUL character. Multi-line text such as a catalog's
 *   source may hold tabs and line breaks.
 * - Names (of organizations, users, tokens, spaces, connections) and label values are one line of visible
 *   text: no control characters (C0 and C1: NUL, CR, LF, tab, ESC and so ANSI escape sequences) and no
 *   bidirectional formatting characters (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), which can make
 *   a name read differently from what it is ("Trojan Source", CVE-2021-42574).
 */

/** Control characters (C0, DEL, C1) and bidirectional formatting characters: what a one-line name may not hold. */
export const NAME_FORBIDDEN = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** The message for a name that breaks {@link NAME_FORBIDDEN}. */
export const NAME_RULE =
  'must be one line of visible text: no control characters (such as line breaks, tabs or escape sequences) and no bidirectional formatting characters';

/** A lone surrogate: with the `u` flag a well-formed pair is one code point, so only a lone half matches `Cs`. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A string that is not well-formed Unicode or holds a NUL character. */
function isMalformed(text: string): boolean {
  return LONE_SURROGATE.test(text) || text.includes('\u0000');
}

/**
 * The path of the first string in `value` (a parsed request part) that is not well-formed Unicode or holds a
 * NUL — as `labels.env`, `scope.accountIds.0`, or the key itself for an object key — or undefined when all are
 * fine. Walks at most `depth` levels (JSON bodies are bounded by the body limit).
 */
export function findMalformedText(value: unknown, path: string[] = [], depth = 64): string | undefined {
  if (typeof value === 'string') return isMalformed(value) ? path.join('.') : undefined;
  if (depth === 0 || typeof value !== 'object' || value === null) return undefined;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  for (const [key, child] of entries) {
    if (isMalformed(key))
      return [
        ...path,
        LONE_SURROGATE.test(key) ? '(a key that is not valid Unicode)' : key.split('\u0000').join('\\0'),
      ].join('.');
    const found = findMalformedText(child, [...path, key], depth - 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
