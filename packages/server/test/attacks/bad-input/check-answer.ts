import { ERROR_CATALOG, type ErrorCode } from '@trustgate/core';
import type { AttackCase } from './cases.ts';
import type { RawAnswer } from './raw-http.ts';

const ERROR_KEYS = new Set(['code', 'message', 'field', 'findings', 'details']);

/** What leaks the service's insides: a stack frame, a source path, a module, Fastify's or Node's parser's codes. */
const INTERNALS = /\n\s+at |\bat [\w.<>]+ \(|node_modules|file:\/\/|\/src\/|\.ts:\d+|\bFST_ERR|\bHPE_/;

/**
 * What is wrong with the answer to a bad request, or undefined when it is a correct refusal: a 4xx (never a 2xx, 3xx
 * or 5xx) as JSON `{ "error": { "code", "message", "field"? ... } }` with the status core's error catalog gives the
 * code, naming the case's field (or a field inside it) when it has one, with nothing of the service's insides and no
 * echo of a large value. For a value the schema takes ({@link AttackCase.taken}): any answer but a 500, an error one
 * in that shape.
 */
export function answerProblem(c: AttackCase, answer: RawAnswer): string | undefined {
  if (answer.status === 0) return 'no answer (the connection was closed without a response)';
  if (c.taken === true) {
    // A value the schema takes: any answer but trustgate's own failure (a 502 when AWS, which the suite's service
    // has none of, was to be called); a refusal still in the error shape.
    if (answer.status === 500) return `status 500: ${answer.text.slice(0, 300)}`;
    if (answer.status < 400) return undefined;
  } else if (answer.status < 400 || answer.status >= 500)
    return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (!/^application\/json\b/.test(answer.headers.get('content-type') ?? ''))
    return `content type ${answer.headers.get('content-type')}: ${answer.text.slice(0, 200)}`;
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `not JSON: ${answer.text.slice(0, 200)}`;
  }
  const error = (body as { error?: Record<string, unknown> } | null)?.error;
  if (error === undefined || Object.keys(body as object).length !== 1)
    return `not the error shape: ${answer.text.slice(0, 300)}`;
  const extra = Object.keys(error).filter((k) => !ERROR_KEYS.has(k));
  if (extra.length > 0) return `unknown error keys ${extra.join(', ')}`;
  const code = error.code as ErrorCode;
  if (typeof code !== 'string' || ERROR_CATALOG[code] === undefined) return `unknown code ${String(code)}`;
  if (ERROR_CATALOG[code].http !== answer.status)
    return `status ${answer.status} but ${code} is ${ERROR_CATALOG[code].http}`;
  if (typeof error.message !== 'string' || error.message.length === 0) return 'no message';
  // The field, or one inside it (`scope.kind` for a bad `scope`, `scopes.0` for a bad item of `scopes`).
  const field = typeof error.field === 'string' ? error.field : undefined;
  if (c.field !== undefined && field !== c.field && !(field ?? '').startsWith(`${c.field}.`))
    return `names field ${JSON.stringify(error.field)}, not ${JSON.stringify(c.field)} (${code}: ${error.message.slice(0, 200)})`;
  if (INTERNALS.test(answer.text)) return `leaks internals: ${answer.text.slice(0, 300)}`;
  if (answer.text.length > 16_384) return `an answer of ${answer.text.length} characters (echoes the input?)`;
  return undefined;
}
