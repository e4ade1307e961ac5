import { randomBytes } from 'node:crypto';
import type { JsonSchema, Operation } from './route-table.ts';
import type { ObjectKind, TenantWorld } from './tenant-world.ts';

/**
 * Requests for an operation built from its document entry: path parameters and organization-scoped body fields
 * filled with one organization's objects, every other required field with a valid value. A parameter or field the
 * rules below cannot fill makes the build throw, naming it, so a new route fails loudly instead of being skipped.
 */

/** The object a path parameter names, by the path segment before it (`/v1/stacks/:id` -> stack). */
const PATH_KINDS: Readonly<Record<string, ObjectKind>> = {
  connections: 'connection',
  stacks: 'stack',
  attachments: 'attachment',
  users: 'user',
  access: 'user',
  tokens: 'token',
  spaces: 'space',
};

/** Body fields that name an object of the caller's organization (by ID, or a stack by ID or slug, a catalog by name). */
const ORG_FIELDS: Readonly<Record<string, ObjectKind>> = {
  connectionId: 'connection',
  spaceId: 'space',
  spaceIds: 'space',
  stackId: 'stack',
  stackIds: 'stack',
  stack: 'stack',
  userId: 'user',
  catalogName: 'catalog',
};

/** Fields ending in `Id` that name no object of an organization: AWS's, or chosen by the caller. */
const NOT_ORG_FIELDS = new Set(['accountId', 'accountIds', 'runId', 'externalId', 'customExternalId']);

/** Fields of one route whose name says otherwise but which name no object of an organization, with why. */
const NOT_ORG_FIELDS_OF_ROUTE: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'POST /v1/connections/:id/verify': {
    stackId: "a CloudFormation stack's ARN (automatic mode), not a trustgate stack",
  },
};

/** Values of required fields that a schema alone cannot produce (patterns, unions), by field name. */
function fieldValue(name: string, world: TenantWorld, account: string): unknown {
  const tag = randomBytes(3).toString('hex');
  const values: Record<string, unknown> = {
    name: `iso-${tag}`,
    slug: `iso-${tag}`,
    email: `iso-${tag}@iso.test`,
    scope: { kind: 'account', accountId: account },
    roleArn: world.roleArn,
    phases: ['read'],
    phase: 'read',
    runId: 'run-1',
    level: 'viewer',
    scopes: ['credentials:issue'],
  };
  return values[name];
}

/** The kind of object a body field names, or undefined for a field that names none; throws for an unknown `...Id`. */
export function orgFieldKind(name: string, routeKey = ''): ObjectKind | undefined {
  if (NOT_ORG_FIELDS_OF_ROUTE[routeKey]?.[name] !== undefined) return undefined;
  const kind = ORG_FIELDS[name];
  if (kind !== undefined) return kind;
  if (/(Id|Ids)$/.test(name) && !NOT_ORG_FIELDS.has(name))
    throw new Error(`body field ${name} looks like an object ID: add it to ORG_FIELDS (or NOT_ORG_FIELDS)`);
  return undefined;
}

/** A random ID of the same form as `real` (its prefix kept), or a random name for a catalog. */
export function randomLike(real: string): string {
  const cut = real.indexOf('_');
  const prefix = cut < 0 ? 'iso-missing-' : real.slice(0, cut + 1);
  const length = Math.max(8, real.length - prefix.length);
  return `${prefix}${randomBytes(length).toString('base64url').slice(0, length)}`.replace(/[^\w-]/g, 'x');
}

/** Whether a schema is (or nests) an object holding an organization-scoped field. */
function holdsOrgField(schema: JsonSchema, route: string): boolean {
  const branch = pick(schema);
  if (branch.properties === undefined) return false;
  return Object.entries(branch.properties).some(
    ([name, s]) => orgFieldKind(name, route) !== undefined || holdsOrgField(s, route),
  );
}

/** The branch of a union to build: the first that is not `null`. */
function pick(schema: JsonSchema): JsonSchema {
  const union = schema.anyOf ?? schema.oneOf;
  if (union === undefined) return schema;
  return pick(union.find((s) => s.type !== 'null') ?? (union[0] as JsonSchema));
}

/** How a body is filled: whose objects, and one field (dotted path) given another value. */
export interface Filling {
  /** `POST /v1/connections/:id/verify`: the route the body is for (see NOT_ORG_FIELDS_OF_ROUTE). */
  route?: string;
  world: TenantWorld;
  /** The customer account of `world`'s connection. */
  account: string;
  vary?: { field: string; value: string };
}

/** A valid value for `schema` at `path`. */
function valueOf(schema: JsonSchema, path: string[], filling: Filling): unknown {
  const name = path[path.length - 1] ?? '';
  const dotted = path.join('.');
  const route = filling.route ?? '';
  const kind = name === '' ? undefined : orgFieldKind(name, route);
  const s = pick(schema);
  if (kind !== undefined) {
    const id = filling.vary?.field === dotted ? filling.vary.value : filling.world.ids[kind];
    return s.type === 'array' ? [id] : id;
  }
  const given = name === '' ? undefined : fieldValue(name, filling.world, filling.account);
  if (given !== undefined) return given;
  if (s.const !== undefined) return s.const;
  if (s.enum !== undefined) return s.enum[0];
  if (s.type === 'object' || s.properties !== undefined) {
    const out: Record<string, unknown> = {};
    for (const [prop, sub] of Object.entries(s.properties ?? {})) {
      const needed =
        (s.required ?? []).includes(prop) || orgFieldKind(prop, route) !== undefined || holdsOrgField(sub, route);
      if (needed) out[prop] = valueOf(sub, [...path, prop], filling);
    }
    return out;
  }
  if (s.type === 'array') return Array.from({ length: s.minItems ?? 0 }, () => valueOf(s.items ?? {}, path, filling));
  if (s.type === 'boolean') return false;
  if (s.type === 'integer' || s.type === 'number') return s.minimum ?? 1;
  if (s.type === 'string') return `iso-${randomBytes(3).toString('hex')}`;
  throw new Error(`cannot fill body field ${dotted || '(body)'}: add a value for it in fieldValue`);
}

/** The dotted paths of every organization-scoped field the filled body holds. */
export function orgFieldsOf(op: Operation): { field: string; kind: ObjectKind }[] {
  const route = `${op.method} ${op.route}`;
  const walk = (schema: JsonSchema | undefined, path: string[]): { field: string; kind: ObjectKind }[] =>
    Object.entries(schema === undefined ? {} : (pick(schema).properties ?? {})).flatMap(([prop, sub]) => {
      const kind = orgFieldKind(prop, route);
      return kind !== undefined ? [{ field: [...path, prop].join('.'), kind }] : walk(sub, [...path, prop]);
    });
  return walk(op.body, []);
}

/** The ID-like path parameters of an operation with the kind each names, and the fixed value of the others. */
export function pathParamsOf(op: Operation): { name: string; kind?: ObjectKind; fixed?: string }[] {
  const segments = op.route.split('/');
  return op.pathParams.map((p) => {
    const at = segments.indexOf(`:${p.name}`);
    const kind = PATH_KINDS[segments[at - 1] ?? ''];
    if (kind !== undefined) return { name: p.name, kind };
    const values = pick(p.schema).enum;
    if (values !== undefined) return { name: p.name, fixed: String(values[0]) };
    throw new Error(`${op.method} ${op.route}: no kind for path parameter ${p.name}: add its collection to PATH_KINDS`);
  });
}

/**
 * The kind a POST creates under an object it names (`POST /v1/stacks/:id/attachments` -> attachment): its last
 * segment is a collection of {@link PATH_KINDS} after a path parameter. Undefined for any other operation.
 */
export function createdChildKind(op: Operation): ObjectKind | undefined {
  const segments = op.route.split('/');
  const last = segments[segments.length - 1] ?? '';
  if (op.method !== 'POST' || !(segments[segments.length - 2] ?? '').startsWith(':')) return undefined;
  return PATH_KINDS[last];
}

/** One request: method, path (query-free) and JSON body. */
export interface BuiltRequest {
  method: string;
  path: string;
  body?: unknown;
}

/**
 * The request of `op` with its path parameters naming `pathWorld`'s objects (`randomPath`: random IDs of the same
 * form instead) and its body filled from `filling`.
 */
export function buildRequest(
  op: Operation,
  options: { pathWorld: TenantWorld; randomPath?: boolean; filling: Filling },
): BuiltRequest {
  let path = op.route;
  for (const p of pathParamsOf(op)) {
    const real = p.kind === undefined ? (p.fixed as string) : options.pathWorld.ids[p.kind];
    const value = p.kind !== undefined && options.randomPath === true ? randomLike(real) : real;
    path = path.replace(`:${p.name}`, encodeURIComponent(value));
  }
  return {
    method: op.method,
    path,
    ...(op.body === undefined
      ? {}
      : { body: valueOf(op.body, [], { ...options.filling, route: `${op.method} ${op.route}` }) }),
  };
}
