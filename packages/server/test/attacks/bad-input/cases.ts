import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { routeValidator } from '../../../src/http/zod-route.ts';
import { findMalformedText } from '../../../src/http/text-rules.ts';
import { OPERATOR_TOKEN } from '../../service-harness.ts';
import { badValues, deeplyNested, ONE_MB_STRING, serialize } from './bad-values.ts';
import type { Operation } from './operations.ts';
import type { RawRequest } from './raw-http.ts';
import { fieldsOf, setAt, validBase } from './valid-base.ts';

/**
 * The attack cases of one operation: a valid request (real IDs in the path, a body and query the route's validator
 * accepts) with exactly one thing wrong, so the answer must be a refusal, and when the wrong thing is a field the
 * refusal must name it. Field values come from fast-check (bad-values.ts) with the run's seed; a value the route's
 * validator (zod, then the service-wide text rule) would accept is not a bad value and is never sent as one.
 */
export interface AttackCase {
  operation: string;
  /** What is wrong, for the report: `body.scope.accountId: wrong value`, `invalid JSON`. */
  kind: string;
  request: RawRequest;
  /** The field the answer must name; undefined when the request is refused before fields are read. */
  field?: string;
  /**
   * A drawn value the route's schema takes (a name that may hold `' OR '1'='1' --`): sent anyway, since what the
   * handler does with it is where a 500 would hide. Its answer may be a success; it must never be a 500.
   */
  taken?: boolean;
  /** A short, printable form of the bad value. */
  value?: string;
}

/** What authenticates the suite's requests to `op`: the credential the route takes, so validation is what is tested. */
export function credentialsFor(op: Operation, adminToken: string): Record<string, string> {
  if (op.security === 'bearer') return { authorization: `Bearer ${adminToken}` };
  if (op.path === '/v1/organizations' || op.path.startsWith('/v1/issuer/'))
    return { authorization: `Bearer ${OPERATOR_TOKEN}` };
  // A run token's routes take no parameters, query or body: any bad input is refused before the token is read.
  if (op.path === '/v1/issuances/refresh') return { authorization: 'Bearer tgr_e30.c2ln' };
  if (op.path === '/v1/container-credentials') return { authorization: 'tgr_e30.c2ln' };
  if (op.path === '/v1/console/session') return { authorization: `Bearer ${adminToken}`, 'x-trustgate-console': '1' };
  return {};
}

function preview(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (serialize(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 60)}... (${text.length} characters)` : text;
}

/** The request target for `params` and a query string. */
function target(op: Operation, params: Record<string, string>, query: string): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => params[name] ?? '');
  return query === '' ? path : `${path}?${query}`;
}

/**
 * `encodeURIComponent`, except that a lone surrogate (which it refuses) is written as the three bytes WTF-8 gives it
 * (`%ED%A0%80`): what a client that does not check its text sends.
 */
export function percentEncode(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // A lone surrogate: encoded character by character below.
  }
  let out = '';
  for (const char of text) {
    const unit = char.charCodeAt(0);
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff)
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    else out += encodeURIComponent(char);
  }
  return out;
}

function queryString(query: Record<string, unknown>): string {
  return Object.entries(query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${percentEncode(k)}=${percentEncode(String(x))}`))
    .join('&');
}

/** The longest query a refusal must name the parameter of: beyond, the request line is near Node's 16 KB limit. */
const MAX_QUERY_NAMED = 15_000;

/** Whether `value` would be refused by the route's validator for `part` (or by the text rule every route applies). */
function refused(op: Operation, part: 'body' | 'querystring' | 'params', value: unknown): boolean {
  if (part === 'body') value = asSent(value);
  if (findMalformedText(value) !== undefined) return true;
  const validator = routeValidator(op.method, op.route, part);
  return validator !== undefined && !validator.safeParse(value).success;
}

/** A body as the service parses it from what the suite sends (`1e999` is Infinity, deep nesting is real). */
function asSent(value: unknown): unknown {
  return JSON.parse(serialize(value));
}

/** The field a refusal names for `value` at `path`: the text rule names a key it finds bad, else the path. */
function expectedField(value: unknown, path: string[]): string {
  return findMalformedText(value) ?? path.join('.');
}

/** Every attack case of `op` (numRuns bad values per field), reproducible from `seed`. */
export function casesFor(
  op: Operation,
  options: { seed: number; runsPerField: number; adminToken: string; realParam: (name: string) => string | undefined },
): AttackCase[] {
  const key = `${op.method} ${op.path}`;
  const auth = credentialsFor(op, options.adminToken);
  const params: Record<string, string> = {};
  for (const p of op.pathParams) {
    const real = options.realParam(p.name);
    const paramSchema = { type: 'object', properties: { [p.name]: p.schema }, required: [p.name] };
    params[p.name] =
      real ??
      String(
        ((validBase(paramSchema, routeValidator(op.method, op.route, 'params')) ?? {}) as Record<string, unknown>)[
          p.name
        ] ?? 'x',
      );
  }
  const encodedParams = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, percentEncode(v)]));
  const querySchema = {
    type: 'object',
    properties: Object.fromEntries(op.query.map((q) => [q.name, q.schema])),
    required: op.query.filter((q) => q.required).map((q) => q.name),
  };
  const baseQuery = (validBase(querySchema, routeValidator(op.method, op.route, 'querystring')) ?? {}) as Record<
    string,
    unknown
  >;
  const bodyValidator = op.body === undefined ? undefined : routeValidator(op.method, op.route, 'body');
  const baseBody = op.body === undefined ? undefined : validBase(op.body, bodyValidator);
  const json = { ...auth, 'content-type': 'application/json' };
  const bodyText = baseBody === undefined ? undefined : serialize(baseBody);
  const request = (o: { params?: Record<string, string>; query?: string; body?: string; headers?: object }) => ({
    method: op.method,
    target: target(op, o.params ?? encodedParams, o.query ?? queryString(baseQuery)),
    headers: { ...(o.body === undefined ? auth : json), ...(o.headers ?? {}) } as Record<string, string>,
    ...(o.body === undefined ? {} : { body: o.body }),
  });
  const withBody = (o: Parameters<typeof request>[0] = {}) =>
    request({ ...(bodyText === undefined ? {} : { body: bodyText }), ...o });
  const cases: AttackCase[] = [];
  const sample = <T>(arb: fc.Arbitrary<T>, salt: string) =>
    fc.sample(arb, { seed: options.seed ^ hash(`${key} ${salt}`), numRuns: options.runsPerField });

  // Path parameters: bad values (percent-encoded, so the route's validator sees them), and bad percent-escapes.
  for (const p of op.pathParams) {
    for (const value of sample(badValues(p.schema, { textOnly: true }), `path ${p.name}`)) {
      const text = String(value);
      const encoded = percentEncode(text);
      const invalid = refused(op, 'params', { ...params, [p.name]: text });
      cases.push({
        operation: key,
        kind: invalid ? `path ${p.name}: bad value` : `path ${p.name}: no such object`,
        request: withBody({ params: { ...encodedParams, [p.name]: encoded } }),
        // Over the router's 100 characters, or not UTF-8 (a lone surrogate), the URL is refused before parameters
        // are read: a refusal that names no field.
        ...(invalid && encoded.length <= 100 && findMalformedText(text) === undefined
          ? { field: expectedField({ [p.name]: text }, [p.name]) }
          : {}),
        value: preview(text),
      });
    }
    for (const escape of ['%zz', '%E0%A4%A', '%', 'a%2', '%ED%A0%80', '%C0%AF', '%FF', '..%2F..%2Fetc%2Fpasswd'])
      cases.push({
        operation: key,
        kind: `path ${p.name}: bad percent-escape`,
        request: withBody({ params: { ...encodedParams, [p.name]: escape } }),
        value: escape,
      });
  }

  // Query: bad values of each parameter, a parameter given twice, one the route does not take, an oversized query.
  for (const q of op.query) {
    for (const value of sample(badValues(q.schema, { textOnly: true }), `query ${q.name}`)) {
      const query = { ...baseQuery, [q.name]: String(value) };
      const sent = queryString(query);
      if (!refused(op, 'querystring', query)) {
        cases.push(takenCase(key, `query ${q.name}`, withBody({ query: sent }), preview(value)));
        continue;
      }
      cases.push({
        operation: key,
        kind: `query ${q.name}: bad value`,
        request: withBody({ query: sent }),
        // A URL over Node's 16 KB of request line and headers is refused (431) before the query is read.
        ...(sent.length < MAX_QUERY_NAMED ? { field: expectedField(query, [q.name]) } : {}),
        value: preview(value),
      });
    }
    const twice = { ...baseQuery, [q.name]: ['1', 'x'] };
    if (refused(op, 'querystring', twice))
      cases.push({
        operation: key,
        kind: `query ${q.name}: given twice`,
        request: withBody({ query: queryString(twice) }),
        field: q.name,
      });
  }
  const unknownQuery = { ...baseQuery, 'not-a-parameter': '1' };
  cases.push({
    operation: key,
    kind: 'query: unknown parameter',
    request: withBody({ query: queryString(unknownQuery) }),
    field: 'not-a-parameter',
  });
  for (const escape of ['%zz', '%E0%A4%A', 'a%ED%A0%80b', '%C0%AF', '%'])
    cases.push({
      operation: key,
      kind: 'query: bad percent-escape',
      request: withBody({ query: `${op.query[0]?.name ?? 'x'}=${escape}&%=%` }),
      field: op.query[0]?.name ?? 'x',
      value: escape,
    });
  cases.push({
    operation: key,
    kind: 'oversized URL (20 KB query)',
    request: withBody({ query: `x=${'a'.repeat(20_000)}` }),
  });
  cases.push({
    operation: key,
    kind: 'oversized header (20 KB)',
    request: withBody({ headers: { 'x-padding': 'a'.repeat(20_000) } }),
  });
  cases.push({
    operation: key,
    kind: 'control character in a header',
    request: withBody({ headers: { 'x-bad': 'a\u0001b' } }),
  });

  // Body: wrong content types, invalid JSON, wrong top-level types, a body over the limit, deep nesting.
  if (op.body !== undefined) {
    for (const contentType of [
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ])
      cases.push({
        operation: key,
        kind: `body as ${contentType}`,
        request: request({ body: '<x>1</x>', headers: { 'content-type': contentType } }),
      });
    for (const text of [
      '',
      '{',
      '{"a":}',
      "{'a':1}",
      '{"a":1}}',
      'NaN',
      '\u0000',
      '{"a":"\\uZZZZ"}',
      `${'['.repeat(200_000)}`,
    ])
      cases.push({ operation: key, kind: 'invalid JSON', request: request({ body: text }), value: preview(text) });
    cases.push({
      operation: key,
      kind: 'body over the limit',
      request: request({ body: serialize([ONE_MB_STRING, ONE_MB_STRING]) }),
    });
    const anything = bodyValidator === undefined || bodyValidator.safeParse(deeplyNested(3, 'object')).success;
    // 100,000 levels of nesting: valid JSON of 200 KB (as text: JSON.stringify itself would overflow its stack).
    const deep = { text: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, as: [] };
    for (const body of [null, [], 'text', 1, true, deep, { ['\u0000']: 1 }]) {
      const value = body === deep ? deep.as : body;
      if (!anything && !refused(op, 'body', value)) continue;
      cases.push({
        operation: key,
        kind: body === deep ? 'body: 100,000 levels deep' : 'body: wrong type',
        request: request({ body: body === deep ? deep.text : serialize(body) }),
        ...(anything ? {} : { field: findMalformedText(value) ?? 'body' }),
        ...(body === deep ? {} : { value: preview(body) }),
      });
    }
    if (baseBody !== undefined && typeof baseBody === 'object' && baseBody !== null) {
      // Fields: missing when required, unknown, bad values.
      const fields = fieldsOf(op.body, baseBody);
      for (const field of fields) {
        const at = `body.${field.path.join('.')}`;
        if (field.required) {
          const without = removeAt(baseBody, field.path);
          if (refused(op, 'body', without))
            cases.push({
              operation: key,
              kind: `${at}: missing`,
              request: request({ body: serialize(without) }),
              field: field.path.join('.'),
            });
        }
        for (const value of sample(badValues(field.schema), at)) {
          const bad = setAt(baseBody, field.path, value);
          if (!refused(op, 'body', bad)) {
            cases.push(takenCase(key, at, request({ body: serialize(bad) }), preview(value)));
            continue;
          }
          cases.push({
            operation: key,
            kind: `${at}: bad value`,
            request: request({ body: serialize(bad) }),
            field: expectedField(asSent(bad), field.path),
            value: preview(value),
          });
        }
      }
      const unknown = { ...(baseBody as Record<string, unknown>), notAField: 1 };
      if (refused(op, 'body', unknown))
        cases.push({
          operation: key,
          kind: 'body: unknown field',
          request: request({ body: serialize(unknown) }),
          field: 'notAField',
        });
    }
  }
  return distinct(cases);
}

function takenCase(operation: string, at: string, request: RawRequest, value: string): AttackCase {
  return { operation, kind: `${at}: taken by the schema`, request, value, taken: true };
}

/** The cases without repeats: fast-check draws some constants more than once for a field. */
function distinct(cases: AttackCase[]): AttackCase[] {
  const seen = new Set<string>();
  return cases.filter((c) => {
    const { method, target, headers, body } = c.request;
    const digest = createHash('sha256')
      .update(JSON.stringify([method, target, headers]))
      .update(body ?? '')
      .digest('hex');
    if (seen.has(digest)) return false;
    seen.add(digest);
    return true;
  });
}

function removeAt(value: unknown, path: string[]): unknown {
  const [head, ...rest] = path;
  if (head === undefined || typeof value !== 'object' || value === null) return value;
  const copy = { ...(value as Record<string, unknown>) };
  if (rest.length === 0) delete copy[head];
  else copy[head] = removeAt(copy[head], rest);
  return copy;
}

/** A 32-bit hash of `text` (FNV-1a), so each field's values come from a seed of their own. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h | 0;
}
