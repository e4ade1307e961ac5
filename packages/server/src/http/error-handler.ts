import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type {
  ConnectionError,
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import { ERROR_CATALOG, isTrustgateError, TrustgateError, type ErrorCode, type Finding } from '@trustgate/core';
import { isStoreUnreachable } from '../store/store-unreachable.ts';
import { parseQueryString } from './query-string.ts';

/** The body of every error response: `{ "error": { "code", "message", "field"?, "findings"?, "details"? } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; findings?: Finding[]; details?: Record<string, unknown> };
}

/**
 * Codes whose {@link TrustgateError} details are part of the answer: VERIFICATION_FAILED carries the checks of an
 * attachment's verification (`details.checks`, each with its fix hint); UNKNOWN_ACTION the entry and the nearest real
 * actions (`details.action`, `details.suggestions`) for a did-you-mean. Other codes' details stay inside the service.
 */
const ANSWERED_DETAILS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['VERIFICATION_FAILED', 'UNKNOWN_ACTION']);

/** Builds an error body. */
export function errorBody(
  code: ErrorCode,
  message: string,
  field?: string,
  findings?: Finding[],
  details?: Record<string, unknown>,
): ErrorBody {
  return {
    error: {
      code,
      message,
      ...(field === undefined ? {} : { field }),
      ...(findings === undefined || findings.length === 0 ? {} : { findings }),
      ...(details === undefined || Object.keys(details).length === 0 ? {} : { details }),
    },
  };
}

/**
 * The longest path parameter the router matches (Fastify's `maxParamLength`, its default). Longer than any ID or
 * name (at most 64), so the routes' schemas name the field up to here; beyond it the router refuses the URL.
 */
export const MAX_PATH_PARAMETER_LENGTH = 100;

/** What trustgate answers to one kind of failure: a code of core's error catalog (which gives the status) and a message. */
interface Answer {
  code: ErrorCode;
  message: string;
}

const NOT_JSON = 'The request body is not valid JSON.';

/**
 * Fastify's own errors for requests it cannot use (its `lib/errors.js`), by code. A message says what to fix and
 * never repeats the request: Fastify's own messages quote the URL.
 */
const FASTIFY_ERRORS: Readonly<Record<string, Answer | ((request: FastifyRequest) => Answer)>> = {
  FST_ERR_BAD_URL: {
    code: 'INVALID_INPUT',
    message:
      'The URL has a malformed percent-escape (% must begin two hexadecimal digits of UTF-8); percent-encode the path.',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'INVALID_INPUT',
    message: `A path parameter is longer than ${MAX_PATH_PARAMETER_LENGTH} characters; IDs and names are at most 64.`,
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Send the body as JSON (Content-Type: application/json).',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'INVALID_INPUT', message: NOT_JSON },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'INVALID_INPUT', message: NOT_JSON },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'INVALID_INPUT',
    message: 'The request body is not as long as its Content-Length header says.',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: (request) => ({
    code: 'PAYLOAD_TOO_LARGE',
    message: `The request body is larger than this route accepts (${formatBytes(request.routeOptions.bodyLimit)}); send less.`,
  }),
};

const HEADER_CHARACTER: Answer = {
  code: 'INVALID_INPUT',
  message:
    'A request header has a character HTTP does not allow (a control character or a line break, as in a badly pasted token); remove it.',
};
const CONTENT_LENGTH: Answer = {
  code: 'INVALID_INPUT',
  message: 'The Content-Length header is invalid: send one, a decimal number, and not with Transfer-Encoding.',
};
const CHUNKED_BODY: Answer = {
  code: 'INVALID_INPUT',
  message: 'The chunked request body is malformed; send the body with a Content-Length instead.',
};

/**
 * Errors of Node's HTTP parser (llhttp's `HPE_*`) and server, by code: requests refused before Fastify sees them,
 * answered through the server's `clientError` event. Node's own default answers 431/413/408/400 the same way.
 */
const PARSER_ERRORS: Readonly<Record<string, Answer>> = {
  HPE_HEADER_OVERFLOW: {
    code: 'HEADERS_TOO_LARGE',
    message: `The request line and headers are over ${maxHeaderSize / 1024} KB together; shorten the URL (its query) or the headers.`,
  },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: {
    code: 'PAYLOAD_TOO_LARGE',
    message: 'The chunked request body has chunk extensions over 16 KB; send the body without them.',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    code: 'REQUEST_TIMEOUT',
    message: "The request's headers did not arrive in time; send the request again.",
  },
  HPE_INVALID_HEADER_TOKEN: HEADER_CHARACTER,
  HPE_LF_EXPECTED: HEADER_CHARACTER,
  HPE_CR_EXPECTED: HEADER_CHARACTER,
  HPE_UNEXPECTED_SPACE: HEADER_CHARACTER,
  HPE_INVALID_METHOD: {
    code: 'INVALID_INPUT',
    message: 'The request method is not valid HTTP; the API takes GET, POST, PUT, PATCH and DELETE.',
  },
  HPE_INVALID_URL: {
    code: 'INVALID_INPUT',
    message: 'The URL has a character a URL may not contain (a space or a control character); percent-encode it.',
  },
  HPE_INVALID_VERSION: { code: 'INVALID_INPUT', message: 'The request is not HTTP/1.1 (or HTTP/1.0).' },
  HPE_INVALID_CONTENT_LENGTH: CONTENT_LENGTH,
  HPE_UNEXPECTED_CONTENT_LENGTH: CONTENT_LENGTH,
  HPE_INVALID_TRANSFER_ENCODING: CHUNKED_BODY,
  HPE_INVALID_CHUNK_SIZE: CHUNKED_BODY,
};

const NOT_HTTP: Answer = {
  code: 'INVALID_INPUT',
  message: 'The request is not valid HTTP/1.1; check its request line and headers.',
};

/** `1048576` -> `1 MiB`, `65536` -> `64 KiB`, else bytes. */
function formatBytes(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

/** The answer to an error thrown while handling a request, or undefined when it is trustgate's own failure (500). */
function answerFor(error: FastifyError, request: FastifyRequest): Answer | undefined {
  const known = error.code === undefined ? undefined : FASTIFY_ERRORS[error.code];
  if (known !== undefined) return typeof known === 'function' ? known(request) : known;
  if (error instanceof SyntaxError) return { code: 'INVALID_INPUT', message: NOT_JSON };
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status >= 500 || status < 400) return undefined;
  // Another client error of Fastify's: its code by status, the status then the catalog's.
  const code: ErrorCode =
    status === 401
      ? 'UNAUTHENTICATED'
      : status === 403
        ? 'FORBIDDEN'
        : status === 404
          ? 'NOT_FOUND'
          : status === 413
            ? 'PAYLOAD_TOO_LARGE'
            : status === 415
              ? 'UNSUPPORTED_MEDIA_TYPE'
              : 'INVALID_INPUT';
  return { code, message: code === 'INVALID_INPUT' ? 'The request is malformed.' : ERROR_CATALOG[code].description };
}

/** Sends `error` as an error body with its catalog status; anything not a known client error is logged and answered 500. */
function sendError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isTrustgateError(error)) {
    if (error.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
    return reply
      .status(error.httpStatus)
      .type('application/json; charset=utf-8')
      .send(
        JSON.stringify(
          errorBody(
            error.code,
            error.message,
            error.field,
            error.findings,
            ANSWERED_DETAILS.has(error.code) ? error.details : undefined,
          ),
        ),
      );
  }
  if (isStoreUnreachable(error)) {
    request.log.error({ err: error }, 'the database could not be reached');
    return sendError(
      new TrustgateError(
        'STORE_UNAVAILABLE',
        "trustgate's database could not be reached; try again shortly (a write refused so may or may not have been saved: read it back before repeating it).",
        { cause: error },
      ) as unknown as FastifyError,
      request,
      reply,
    );
  }
  const answer = answerFor(error, request);
  if (answer === undefined) {
    request.log.error({ err: error }, 'unexpected failure');
    return reply
      .status(500)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(errorBody('INTERNAL', 'An unexpected error occurred inside trustgate.')));
  }
  return reply
    .status(ERROR_CATALOG[answer.code].http)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(errorBody(answer.code, answer.message)));
}

/**
 * Answers a request Node's HTTP parser refused (a control character in a header, headers over 16 KB, a malformed
 * request line, headers that did not arrive in time) — Fastify's `clientErrorHandler`, the server's `clientError`
 * event. There is no request or reply: a whole HTTP response is written to the socket, which is then closed
 * (https://nodejs.org/api/http.html#event-clienterror). A reset connection gets nothing. Only the error's code is
 * logged: its `rawPacket` is the request as received, Authorization header included.
 */
export function answerClientError(error: ConnectionError, socket: Socket, log: FastifyBaseLogger): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  log.debug({ code: error.code }, 'refused a request the HTTP parser could not read');
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const answer = PARSER_ERRORS[error.code] ?? NOT_HTTP;
  const status = ERROR_CATALOG[answer.code].http;
  const body = JSON.stringify(errorBody(answer.code, answer.message));
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

/**
 * The Fastify server options that route every refusal before a route runs through the same answers: `frameworkErrors`
 * (a malformed percent-escape, a path parameter over {@link MAX_PATH_PARAMETER_LENGTH}, an async constraint's
 * failure — Fastify would answer in its own shape, quoting the URL), `clientErrorHandler` (Node's parser, see
 * {@link answerClientError}), the router's `maxParamLength` and query-string parser ({@link parseQueryString}), and Node's `requireHostHeader` off so that a request
 * without a Host header reaches {@link installErrorHandler}'s check (Node would answer an empty 400).
 */
export function errorAnswerOptions(log: () => FastifyBaseLogger) {
  return {
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      sendError(error, request, reply);
    },
    clientErrorHandler: (error: ConnectionError, socket: Socket) => answerClientError(error, socket, log()),
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH, querystringParser: parseQueryString },
    http: { requireHostHeader: false },
  };
}

/**
 * Maps every failure to an error body through core's error catalog (the one plugin that does, as Fastify's
 * `lib/errors.js` keeps one table), the status always the catalog's for the code: a TrustgateError as it is;
 * Fastify's own client errors (malformed JSON, body too large, unsupported media type) by their code; anything
 * else is a 500 with a generic message — the cause goes to the log, never a stack trace to the client. Unknown
 * routes and methods a route does not take are NOT_FOUND pointing at the list of routes. An HTTP/1.1 request
 * without a Host header is refused before authentication, as Node would (RFC 9112 section 3.2).
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((_request, reply) =>
    reply
      .status(404)
      .type('application/json; charset=utf-8')
      .send(
        JSON.stringify(
          errorBody(
            'NOT_FOUND',
            "No route matches this method and path; the API's routes are listed at /openapi.json (browsable at /docs).",
          ),
        ),
      ),
  );
  app.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && !request.headers.host)
      throw new TrustgateError('INVALID_INPUT', 'An HTTP/1.1 request must carry a Host header.');
  });
}
