import type { z } from 'zod';
import type { JsonSchema } from './operations.ts';

/**
 * A valid request part (a body, a query, path parameters) built from its JSON Schema and checked with the route's
 * own validator, so that a bad value put into one field is the only thing wrong with the request (and the answer
 * must name that field). Built from the schema's required fields only; values the schema alone does not pin down
 * (an account ID is a string with a refinement) are repaired from a list of realistic AWS values until the
 * validator accepts the whole part. Never sent as is: every request the suite sends carries a bad value.
 */

/** Realistic values tried for a field the validator refused in a built part. */
const REPAIRS: readonly unknown[] = [
  '111111111111',
  'ok-name',
  'us-east-1',
  'admin@example.test',
  'https://example.test/x',
  'arn:aws:iam::111111111111:role/TrustgateRole',
  'arn:aws:cloudformation:us-east-1:111111111111:stack/example/0a1b2c3d-0000-4000-8000-000000000000',
  'o-abcdefghij',
  'ou-abcd-abcdefgh',
  'read',
  'admin',
  'example',
  '2026-01-01T00:00:00Z',
  ['111111111111'],
  1,
  900,
  3600,
  true,
];

/** The value the schema's shape suggests (required fields only). */
export function exampleOf(schema: JsonSchema): unknown {
  if (schema.const !== undefined) return schema.const;
  if (schema.enum !== undefined) return schema.enum[0];
  const branch = schema.oneOf?.[0] ?? schema.anyOf?.[0];
  if (branch !== undefined) return exampleOf(branch);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const key of schema.required ?? []) out[key] = exampleOf(schema.properties?.[key] ?? {});
      return out;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => exampleOf(schema.items ?? {}));
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum === undefined ? 1 : schema.exclusiveMinimum + 1);
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'email') return 'admin@example.test';
      if (schema.format === 'date-time') return '2026-01-01T00:00:00Z';
      if (schema.format === 'uri') return 'https://example.test/x';
      if (schema.pattern === '^\\d{12}$') return '111111111111';
      return 'a'.repeat(Math.max(1, schema.minLength ?? 1)).replace(/^a/, 'x');
    default:
      return 'x';
  }
}

function setAt(target: unknown, path: readonly PropertyKey[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const copy = (
    Array.isArray(target) ? [...(target as unknown[])] : { ...(target as Record<PropertyKey, unknown>) }
  ) as Record<PropertyKey, unknown>;
  copy[head as PropertyKey] = setAt(copy[head as PropertyKey] ?? {}, rest, value);
  return copy;
}

/** A part the validator accepts, or undefined when neither the schema's example nor the repairs make one. */
export function validBase(schema: JsonSchema, validator: z.ZodType | undefined): unknown {
  let value = exampleOf(schema);
  if (validator === undefined) return value;
  for (let attempt = 0; attempt < 12; attempt++) {
    const result = validator.safeParse(value);
    if (result.success) return value;
    const issue = result.error.issues[0];
    if (issue === undefined) return undefined;
    const repaired = REPAIRS.map((r) => setAt(value, issue.path, r)).find((candidate) => {
      const again = validator.safeParse(candidate);
      return (
        again.success || JSON.stringify(again.error.issues[0]?.path) !== JSON.stringify(issue.path) // that field is fine now
      );
    });
    if (repaired === undefined) return undefined;
    value = repaired;
  }
  return validator.safeParse(value).success ? value : undefined;
}

/** One field of a part: its path (`scope.accountId`), schema, and whether the part must hold it. */
export interface Field {
  path: string[];
  schema: JsonSchema;
  required: boolean;
}

/**
 * Every field of `schema` down to `depth` levels (object properties; for a union, the properties of the branch
 * `value` is of, found by its const/enum discriminator or the first branch).
 */
export function fieldsOf(schema: JsonSchema, value: unknown, path: string[] = [], depth = 4): Field[] {
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches !== undefined) {
    const record = (value ?? {}) as Record<string, unknown>;
    const branch =
      branches.find((b) =>
        Object.entries(b.properties ?? {}).some(
          ([k, p]) => p.enum !== undefined && p.enum.length === 1 && p.enum[0] === record[k],
        ),
      ) ?? branches[0];
    return branch === undefined ? [] : fieldsOf(branch, value, path, depth);
  }
  if (schema.properties === undefined || depth === 0) return [];
  const fields: Field[] = [];
  const record = (value ?? {}) as Record<string, unknown>;
  for (const [key, child] of Object.entries(schema.properties)) {
    const childPath = [...path, key];
    fields.push({ path: childPath, schema: child, required: (schema.required ?? []).includes(key) });
    if (record[key] !== undefined) fields.push(...fieldsOf(child, record[key], childPath, depth - 1));
  }
  return fields;
}

export { setAt };
