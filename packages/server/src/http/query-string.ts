/**
 * The service's query-string parser (Fastify's `querystringParser`). It reads a query as find-my-way's default
 * (fast-querystring) does — `&`-separated `key=value` pairs, `+` as a space, a key given twice an array, an object
 * without a prototype — with one difference: a percent-escape that does not decode (`%zz`, a cut `%E0%A4%A`, the
 * bytes of a lone surrogate `%ED%A0%80`) is remembered instead of being kept as literal text, so the request is
 * refused naming the parameter (see {@link malformedQueryParameter}), as the router refuses such a path. The default
 * passed `?action=a%ED%A0%80b` to the route as the text `a%ED%A0%80b`: a filter that silently matched nothing.
 */

/** Where a parsed query keeps the parameters whose percent-escapes did not decode (not an own enumerable key). */
const MALFORMED = Symbol('malformed percent-escapes');

type ParsedQuery = Record<string, string | string[]> & { [MALFORMED]?: string[] };

function decode(text: string): string | undefined {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return undefined;
  }
}

/** Parses a query string (without its `?`); see the module's comment. */
export function parseQueryString(query: string): ParsedQuery {
  const result = Object.create(null) as ParsedQuery;
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const rawKey = equals < 0 ? pair : pair.slice(0, equals);
    const rawValue = equals < 0 ? '' : pair.slice(equals + 1);
    const decodedKey = decode(rawKey);
    const key = decodedKey ?? rawKey;
    const value = decode(rawValue);
    if (decodedKey === undefined || value === undefined) (result[MALFORMED] ??= []).push(key);
    const text = value ?? rawValue;
    const existing = result[key];
    if (existing === undefined) result[key] = text;
    else if (Array.isArray(existing)) existing.push(text);
    else result[key] = [existing, text];
  }
  return result;
}

/** The first parameter of a {@link parseQueryString} result whose percent-escapes did not decode, if any. */
export function malformedQueryParameter(query: unknown): string | undefined {
  if (typeof query !== 'object' || query === null) return undefined;
  return (query as ParsedQuery)[MALFORMED]?.[0];
}
