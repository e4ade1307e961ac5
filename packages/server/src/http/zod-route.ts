import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { z } from 'zod';
import { TrustgateError } from '@trustgate/core';
import type { Principal } from '../auth/principal.ts';
import { malformedQueryParameter } from './query-string.ts';
import { findMalformedText } from './text-rules.ts';

/** What a route handler receives: the validated parts and, for authenticated routes, the principal. */
export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  principal: Principal;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** A route declared with zod schemas for its body, query, path parameters and response. */
export interface RouteSpec<B, Q, P, R> {
  method: HTTPMethods;
  url: string;
  summary: string;
  tags: string[];
  /** Default true: a bearer token is required. */
  auth?: boolean;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  /** The success response; the handler's result is parsed with it, so fields not declared never leave. */
  response: z.ZodType<R>;
  /** Success status, default 200. */
  status?: number;
  bodyLimit?: number;
  /** Returns the response; checked (and stripped of undeclared fields) by `response` at run time. */
  handler(ctx: RouteContext<B, Q, P>): Promise<unknown>;
}

/** A JSON Schema (draft-7) for Fastify and OpenAPI from a zod schema. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

/** Turns zod issues into INVALID_INPUT naming the first offending field (`scope.accountId`, `labels.env`). */
export function invalidInput(error: z.ZodError, part: string): TrustgateError {
  const issue = error.issues[0];
  const field =
    issue === undefined || issue.path.length === 0
      ? issue?.code === 'unrecognized_keys'
        ? issue.keys.join(',')
        : part
      : issue.path.map(String).join('.');
  return new TrustgateError('INVALID_INPUT', `${field}: ${issue?.message ?? 'invalid'}`, { field });
}

/** The query schema of a route that declares none: no parameter at all. */
const NO_QUERY = z.object({}).strict();

/** Zod schemas per `<METHOD> <url> <part>`, consulted by the validator compiler. */
const validators = new Map<string, z.ZodType>();

/**
 * The zod schema a route validates one part of the request with (`part`: `body`, `querystring` or `params`; `url` as
 * the route was registered, `/v1/connections/:id`), or undefined when it declares none. For the generated bad-input
 * suite, which must know whether a value it sends is invalid for sure.
 */
export function routeValidator(method: string, url: string, part: string): z.ZodType | undefined {
  return validators.get(`${method.toUpperCase()} ${url} ${part}`);
}

/**
 * Makes Fastify validate with the zod schemas the routes declared (JSON Schema stays for the OpenAPI document)
 * and serialize with JSON.stringify (responses are already parsed by their zod schema).
 */
export function installZodCompilers(app: FastifyInstance): void {
  app.setValidatorCompiler(({ method, url, httpPart }) => {
    const schema = validators.get(`${method} ${url} ${httpPart}`);
    return (data: unknown) => {
      const undecodable = httpPart === 'querystring' ? malformedQueryParameter(data) : undefined;
      if (undecodable !== undefined)
        return {
          error: new TrustgateError(
            'INVALID_INPUT',
            `${undecodable}: the query has a malformed percent-escape (% must begin two hexadecimal digits of UTF-8); percent-encode the value.`,
            { field: undecodable },
          ),
        };
      // One text rule for every route and store: well-formed Unicode, no NUL (see text-rules.ts).
      const malformed = findMalformedText(data);
      if (malformed !== undefined) {
        const field = malformed === '' ? (httpPart ?? 'body') : malformed;
        return {
          error: new TrustgateError(
            'INVALID_INPUT',
            `${field}: text must be valid Unicode (no lone surrogates) without NUL characters.`,
            { field },
          ),
        };
      }
      if (schema === undefined) return { value: data };
      const result = schema.safeParse(data);
      return result.success ? { value: result.data } : { error: invalidInput(result.error, httpPart ?? 'body') };
    };
  });
  app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));
}

/**
 * Registers a route: JSON Schemas (for OpenAPI) and zod validation for body/query/params, bearer-token
 * authentication unless `auth: false`, and the response parsed by its zod schema.
 */
export function addRoute<B, Q, P, R>(
  app: FastifyInstance,
  authenticate: (request: FastifyRequest) => Promise<Principal>,
  spec: RouteSpec<B, Q, P, R>,
): void {
  const fullUrl = spec.url;
  const method = spec.method.toString().toUpperCase();
  const query = spec.query ?? NO_QUERY; // one rule for query strings: a parameter not declared is refused (400 naming it)
  const parts = { body: spec.body, querystring: query, params: spec.params };
  // Fastify gets an empty schema per part (so it asks the zod validator for it); the JSON Schemas are for the OpenAPI
  // document only and are made when it is first built (swaggerTransform), not while the service starts.
  const schema: Record<string, unknown> = {
    summary: spec.summary,
    tags: spec.tags,
    response: { [spec.status ?? 200]: {} },
  };
  if (spec.auth !== false) schema.security = [{ bearer: [] }];
  for (const [part, zod] of Object.entries(parts)) {
    if (zod === undefined) continue;
    schema[part] = {};
    validators.set(`${method} ${fullUrl} ${part}`, zod);
  }
  const openApiSchema = (): Record<string, unknown> => {
    const json: Record<string, unknown> = {
      ...schema,
      response: { [spec.status ?? 200]: jsonSchemaOf(spec.response, 'output') },
    };
    for (const [part, zod] of Object.entries(parts)) if (zod !== undefined) json[part] = jsonSchemaOf(zod, 'input');
    return json;
  };
  const principals = new WeakMap<FastifyRequest, Principal>();
  app.route({
    method: spec.method,
    url: fullUrl,
    schema,
    config: { swaggerTransform: ({ url }) => ({ schema: openApiSchema(), url }) },
    ...(spec.bodyLimit === undefined ? {} : { bodyLimit: spec.bodyLimit }),
    // Authenticate before the body is parsed or validated: an unauthenticated caller learns nothing.
    onRequest: async (request) => {
      if (spec.auth !== false) principals.set(request, await authenticate(request));
    },
    handler: async (request, reply) => {
      const principal = principals.get(request) as Principal;
      const result = await spec.handler({
        body: request.body as B,
        query: request.query as Q,
        params: request.params as P,
        principal,
        request,
        reply,
      });
      reply.status(spec.status ?? 200);
      return spec.response.parse(result);
    },
  });
}

/** A route adder bound to one app and its authentication: what each `routes/<resource>-routes.ts` registers with. */
export type AddRoute = <B, Q, P, R>(spec: RouteSpec<B, Q, P, R>) => void;

/** Binds {@link addRoute} to `app` and `authenticate`. */
export function routeAdder(
  app: FastifyInstance,
  authenticate: (request: FastifyRequest) => Promise<Principal>,
): AddRoute {
  return (spec) => addRoute(app, authenticate, spec);
}
