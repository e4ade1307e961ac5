/**
 * What the service's logs never show: credentials, tokens and signatures, by path (pino's `redact`), and the values
 * of signed query parameters in a logged URL (a path cannot reach inside a string). Every logger the service builds
 * uses both, whatever settings it is given.
 */

/** The censor written in place of a redacted value. */
export const REDACTED = '[Redacted]';

/** Request and response headers that carry credentials. */
const SECRET_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'x-amz-security-token', 'x-api-key'];

/**
 * Body and object fields that carry secrets: AWS keys and session tokens, API and callback tokens, external IDs
 * (a confused-deputy guard, kept out of logs as the API keeps it out of lists), and signatures.
 */
const SECRET_FIELDS = [
  'secretAccessKey',
  'SecretAccessKey',
  'sessionToken',
  'SessionToken',
  'token',
  'Token',
  'secret',
  'callbackToken',
  'CallbackToken',
  'externalId',
  'ExternalId',
  'password',
  'signature',
  'Signature',
];

/** Query parameters of SigV4 and SigV2 presigned URLs and SNS messages whose values are credentials or signatures. */
export const SECRET_QUERY_PARAMETERS = [
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'Signature',
  'AWSAccessKeyId',
  'Token',
];

/** A pino redact path for a key: dotted when it is an identifier, bracketed otherwise. */
function step(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `["${key}"]`;
}

/**
 * pino `redact` paths: the secret headers of logged requests and responses (`req.headers`, `res.headers`, and a
 * bare `headers` object), the secret fields at the top of a log line and up to two levels down (`body.token`,
 * `req.body.credentials.sessionToken`), and signed query parameters of a logged `query` object.
 */
export const REDACT_PATHS: readonly string[] = [
  ...['req.headers', 'res.headers', 'headers'].flatMap((at) => SECRET_HEADERS.map((h) => `${at}${step(h)}`)),
  'res.headers["set-cookie"]',
  ...SECRET_FIELDS.flatMap((f) => [f, `*${step(f)}`, `*.*${step(f)}`, `req.body.*${step(f)}`]),
  ...['query', 'req.query'].flatMap((at) => SECRET_QUERY_PARAMETERS.map((p) => `${at}${step(p)}`)),
];

const SECRET_QUERY = new Set(SECRET_QUERY_PARAMETERS.map((p) => p.toLowerCase()));

/**
 * A URL (absolute or a request's path and query) with the value of every signed query parameter replaced by
 * {@link REDACTED}; the rest, and the parameter names, as given. A URL without a query is returned as is.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // a malformed escape: the name as sent
      }
      return SECRET_QUERY.has(name.toLowerCase()) ? `${rawName}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, q)}?${query}`;
}

/** A serializer wrapped so the object it returns has its `url` (if a string) passed through {@link redactUrl}. */
export function withRedactedUrl<T>(serialize: (value: T) => unknown): (value: T) => unknown {
  return (value) => {
    const out = serialize(value);
    if (typeof out !== 'object' || out === null || typeof (out as { url?: unknown }).url !== 'string') return out;
    return { ...out, url: redactUrl((out as { url: string }).url) };
  };
}
