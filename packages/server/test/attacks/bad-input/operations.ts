/**
 * The operations the service serves, read from two places so that neither can fall behind the other: its OpenAPI
 * document (what each operation takes: path parameters, query, JSON body) and Fastify's route table (what the
 * router actually answers). A route missing from the document is still found in the table.
 */

/** A JSON Schema (draft-7) as the OpenAPI document carries it. */
export type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  additionalProperties?: boolean | JsonSchema;
};

/** One parameter of an operation (a path parameter or a query parameter). */
export interface Parameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

/** One operation of the API: a method on a path, with what it takes. */
export interface Operation {
  method: string;
  /** The OpenAPI path, `/v1/connections/{id}`. */
  path: string;
  /** The same path as Fastify registered it, `/v1/connections/:id`. */
  route: string;
  /** `bearer` when the document says the operation needs an API token. */
  security: 'bearer' | 'none';
  pathParams: Parameter[];
  query: Parameter[];
  /** The JSON body's schema, when the operation takes one. */
  body?: JsonSchema;
}

const METHODS = new Set(['get', 'put', 'post', 'patch', 'delete']);

/** `/v1/connections/{id}` -> `/v1/connections/:id`. */
export function fastifyRoute(openApiPath: string): string {
  return openApiPath.replace(/\{([^}]+)\}/g, ':$1');
}

/** Every operation of an OpenAPI 3 document, in the document's order. */
export function operationsOf(doc: Record<string, unknown>): Operation[] {
  const paths = doc.paths as Record<string, Record<string, Record<string, unknown>>>;
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const parameters = (op.parameters ?? []) as {
        name: string;
        in: string;
        required?: boolean;
        schema: JsonSchema;
      }[];
      const of = (where: string): Parameter[] =>
        parameters
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required === true, schema: p.schema }));
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content;
      const body = content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        path,
        route: fastifyRoute(path),
        security: Array.isArray(op.security) && op.security.length > 0 ? 'bearer' : 'none',
        pathParams: of('path'),
        query: of('query'),
        ...(body === undefined ? {} : { body }),
      });
    }
  }
  return operations;
}

/** `GET /v1/connections/:id`: how operations and served routes are compared. */
export function routeKey(method: string, route: string): string {
  return `${method.toUpperCase()} ${route}`;
}

/**
 * Every method and path Fastify's router serves, from `app.printRoutes({ commonPrefix: false })`: a tree whose lines
 * are `<indent><segment> (<METHODS>)`, each segment appended to its parent's path, four characters of indent per
 * level. HEAD routes Fastify adds for each GET are left out (they answer as the GET does, without a body).
 */
export function servedRoutes(printed: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of printed.split('\n')) {
    const match = /^((?:[│ ] {3})*)(?:[├└]── )(.*?)(?: \(([A-Z, ]+)\))?$/u.exec(line);
    if (match === null) continue;
    const depth = [...(match[1] ?? '')].length / 4;
    stack.length = depth;
    const path = `${stack[depth - 1] ?? ''}${match[2] ?? ''}`;
    stack[depth] = path;
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim())) {
      if (method !== '' && method !== 'HEAD') routes.push(routeKey(method, path));
    }
  }
  return routes;
}

/**
 * Served routes the suite does not send JSON input to, each with why. Everything else the router serves must be an
 * operation of the OpenAPI document, and every operation is attacked.
 */
export const NOT_JSON_ROUTES: Readonly<Record<string, string>> = {
  'GET /metrics': 'Prometheus text for scrapers; takes no input (no parameters, no body)',
  'GET /healthz': 'liveness probe; takes no input',
  'GET /readyz': 'readiness probe; takes no input',
  'GET /openapi.json': 'the OpenAPI document itself; takes no input',
  'GET /docs': 'Swagger UI (HTML and static files of @fastify/swagger-ui)',
  'GET /docs/': 'Swagger UI (HTML and static files of @fastify/swagger-ui)',
  'GET /docs/static/index.html': 'Swagger UI static file',
  'GET /docs/static/swagger-initializer.js': 'Swagger UI static file',
  'GET /docs/*': 'Swagger UI static files',
  'GET /docs/json': 'the OpenAPI document as Swagger UI serves it; takes no input',
  'GET /docs/yaml': 'the OpenAPI document as YAML; takes no input',
};
