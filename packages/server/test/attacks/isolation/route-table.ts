/**
 * The routes the service serves, read from the running app (Fastify's route table and the OpenAPI document it
 * generates), never from a hand-written list, and sorted into what the isolation matrix attacks and what it leaves
 * out by a rule with its reason.
 */

/** A JSON Schema (draft-7) as the OpenAPI document carries it. */
export type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  minItems?: number;
};

/** One documented operation. */
export interface Operation {
  method: string;
  /** As Fastify registered it: `/v1/connections/:id`. */
  route: string;
  /** The document says it needs a bearer API token. */
  bearer: boolean;
  tags: string[];
  pathParams: { name: string; schema: JsonSchema }[];
  body?: JsonSchema;
}

/** `GET /v1/connections/:id`. */
export function routeKey(method: string, route: string): string {
  return `${method.toUpperCase()} ${route}`;
}

/** Every operation of the service's OpenAPI document. */
export function operationsOf(doc: { paths: Record<string, Record<string, Record<string, unknown>>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
      const parameters = (op.parameters ?? []) as { name: string; in: string; schema: JsonSchema }[];
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content;
      const body = content?.['application/json']?.schema;
      out.push({
        method: method.toUpperCase(),
        route: path.replace(/\{([^}]+)\}/g, ':$1'),
        bearer: Array.isArray(op.security) && op.security.length > 0,
        tags: (op.tags ?? []) as string[],
        pathParams: parameters.filter((p) => p.in === 'path').map((p) => ({ name: p.name, schema: p.schema })),
        ...(body === undefined ? {} : { body }),
      });
    }
  }
  return out;
}

/**
 * Every method and path the router serves, from `app.printRoutes({ commonPrefix: false })` (a tree of
 * `<indent><segment> (<METHODS>)` lines, four characters of indent per level); HEAD, which Fastify adds to each GET,
 * left out.
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
    for (const method of (match[3] ?? '').split(',').map((m) => m.trim()))
      if (method !== '' && method !== 'HEAD') routes.push(routeKey(method, path));
  }
  return routes;
}

/** Why a served route is not in the tenant matrix, by a rule over its path, method and document entry. */
export interface ExclusionRule {
  reason: string;
  applies(key: string, operation: Operation | undefined): boolean;
}

/**
 * The routes the matrix does not send tenant callers to, by rule. Every other served route must be a documented
 * operation that takes a bearer API token (attacked by every caller) or a run token (tag `issuances`, no bearer:
 * attacked with run tokens); a route matching no rule and neither form fails the coverage test.
 */
export const EXCLUSION_RULES: readonly ExclusionRule[] = [
  {
    reason: 'outside /v1 and /.well-known: probes, metrics and the API docs, with no tenant object behind them',
    applies: (key) => !/^[A-Z]+ \/(v1|\.well-known)\//.test(key),
  },
  {
    reason: "/.well-known: the OIDC issuer's public discovery document and JWKS, the same for everyone by design",
    applies: (key) => /^GET \/\.well-known\//.test(key),
  },
  {
    reason:
      "operator-only (no bearer in the document, the operator token): organizations and the issuer's keys; tenants' tokens are refused there (tested)",
    applies: (key, op) => op?.bearer === false && /^[A-Z]+ \/v1\/(organizations|issuer\/)/.test(key),
  },
  {
    reason:
      'SNS-signed CloudFormation callbacks: no bearer token, a one-time callback token (the confused-deputy suite)',
    applies: (key, op) => op?.bearer === false && key.startsWith('POST /v1/callbacks/'),
  },
  {
    reason: "the console's sign-in and sign-out: take a token or a cookie, name no object",
    applies: (key, op) => op?.bearer === false && key.includes(' /v1/console/session'),
  },
];

/** How the matrix reaches a route: with API tokens (bearer), with run tokens, or not (the rule's reason). */
export type Coverage = { by: 'bearer' | 'run-token'; operation: Operation } | { by: 'rule'; reason: string };

/** Each served route's coverage; a route of neither form and no rule is `undefined`. */
export function coverageOf(served: string[], operations: Operation[]): Map<string, Coverage | undefined> {
  const byKey = new Map(operations.map((op) => [routeKey(op.method, op.route), op]));
  const out = new Map<string, Coverage | undefined>();
  for (const key of served) {
    const op = byKey.get(key);
    const rule = EXCLUSION_RULES.find((r) => r.applies(key, op));
    if (rule !== undefined) out.set(key, { by: 'rule', reason: rule.reason });
    else if (op?.bearer === true) out.set(key, { by: 'bearer', operation: op });
    else if (op !== undefined && op.tags.includes('issuances')) out.set(key, { by: 'run-token', operation: op });
    else out.set(key, undefined);
  }
  return out;
}
