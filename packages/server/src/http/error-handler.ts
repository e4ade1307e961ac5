import type { FastifyError, FastifyInstance } from 'fastify';
import { isTrustgateError, type ErrorCode, type Finding } from '@trustgate/core';

/** The body of every error response: `{ "error": { "code", "message", "field"?, "findings"? } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; field?: string; findings?: Finding[] };
}

/** Builds an error body. */
export function errorBody(code: ErrorCode, message: string, field?: string, findings?: Finding[]): ErrorBody {
  return { error: { code, message, ...(field === undefined ? {} : { field }), ...(findings === undefined || findings.length === 0 ? {} : { findings }) } };
}

/**
 * Maps every failure to an error body through core's error catalog (the one plugin that does, as Fastify's
 * `lib/errors.js` keeps one table): a TrustgateError gets its catalog status; Fastify's own client errors
 * (malformed JSON, body too large, unsupported media type) stay 4xx; anything else is a 500 with a generic
 * message — the cause goes to the log, never a stack trace to the client. Unknown routes are NOT_FOUND.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (isTrustgateError(error)) {
      if (error.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
      return reply.status(error.httpStatus).send(errorBody(error.code, error.message, error.field, error.findings));
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send(errorBody('PAYLOAD_TOO_LARGE', 'The request body is larger than allowed.'));
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      const message = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'Send JSON (Content-Type: application/json).' : error.code?.startsWith('FST_ERR_CTP') || error instanceof SyntaxError ? 'The request body is not valid JSON.' : 'The request is malformed.';
      return reply.status(status).send(errorBody(status === 401 ? 'UNAUTHENTICATED' : status === 404 ? 'NOT_FOUND' : 'INVALID_INPUT', message));
    }
    request.log.error({ err: error }, 'unexpected failure');
    return reply.status(500).send(errorBody('INTERNAL', 'An unexpected error occurred inside trustgate.'));
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send(errorBody('NOT_FOUND', 'No such route.')));
}
