import fc from 'fast-check';
import type { JsonSchema } from './operations.ts';

/**
 * Bad values for one field, by what its JSON Schema says it is. Each arbitrary mixes the attacks the issue lists:
 * wrong types, 1 MB strings, deep nesting, NUL, lone surrogates, control and bidirectional characters, malformed and
 * wrong-partition ARNs, account IDs of the wrong length, huge, negative and non-finite numbers, injection strings.
 * Whether a value is in fact invalid for the route is decided by the route's own validator (see cases.ts): a value
 * the schema accepts is never sent as a "bad" one.
 */

/** A JSON text put as it is into a serialized body (numbers JSON.stringify cannot write: `1e999`, `-1e999`). */
export class RawJson {
  /** Every RawJson made, by number: what a placeholder in JSON.stringify's output stands for. */
  static readonly made: RawJson[] = [];
  readonly #number: number;
  constructor(readonly text: string) {
    this.#number = RawJson.made.push(this) - 1;
  }
  toJSON(): string {
    return `\u0000raw:${this.#number}\u0000`;
  }
}

/** JSON.stringify, with each {@link RawJson} written as its text. */
export function serialize(value: unknown): string {
  return JSON.stringify(value).replace(
    /"\\u0000raw:(\d+)\\u0000"/g,
    (_m, n: string) => RawJson.made[Number(n)]?.text ?? 'null',
  );
}

/** A value nested `depth` levels: `{"a":{"a":...}}` or `[[[...]]]`. */
export function deeplyNested(depth: number, kind: 'object' | 'array'): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = kind === 'object' ? { a: value } : [value];
  return value;
}

/**
 * The JSON text of a value nested `depth` levels, as a {@link RawJson}: JSON.stringify itself overflows its stack
 * on a few thousand levels, JSON.parse (the service's) does not.
 */
export function deeplyNestedJson(depth: number, kind: 'object' | 'array'): RawJson {
  return new RawJson(
    kind === 'object'
      ? `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`
      : `${'['.repeat(depth)}"x"${']'.repeat(depth)}`,
  );
}

export const ONE_MB_STRING = 'a'.repeat(1_000_000);

/** Injection strings: SQL, template engines, path traversal, shell, markup, JSON-in-string, prototype keys. */
export const INJECTIONS = [
  "' OR '1'='1' --",
  '1; DROP TABLE connections; --',
  "x'); DELETE FROM api_tokens; --",
  '${7*7}',
  '{{7*7}}',
  '<%= 7*7 %>',
  '#{7*7}',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/v1/organizations',
  '$(id)',
  '`id`',
  '<script>alert(1)</script>',
  '{"$ne":null}',
  '__proto__',
  'constructor',
  '%00',
  '%2e%2e%2f',
];

/** Text with characters a name or an ID may not hold. */
export const BAD_CHARACTERS = [
  'a\u0000b',
  '\u0000',
  'a\uD800b',
  '\uDFFF',
  'x\uDBFF',
  'a\u0007b',
  'line\nbreak',
  'cr\rlf\n',
  'tab\there',
  '\u001b[31mred\u001b[0m',
  '\u0085next-line',
  'abc\u202Edcba',
  '\u2066isolate\u2069',
  '\u200Fright-to-left-mark',
  '\u061Carabic-mark',
  '\uFEFFbom',
  ' ',
  '',
];

/** ARNs that are malformed or of the wrong partition or service, and account IDs of the wrong length. */
export const BAD_AWS_IDENTIFIERS = [
  'arn:aws:iam::12345678901:role/x',
  'arn:aws:iam::1234567890123:role/x',
  'arn:aws-cn:iam::123456789012:role/TrustgateRole',
  'arn:aws-us-gov:iam::123456789012:role/TrustgateRole',
  'arn:aws-moon:iam::123456789012:role/x',
  'arn:aws:s3:::my-bucket',
  'arn:aws:iam:us-east-1:123456789012:role/x',
  'arn:aws:iam::123456789012:user/not-a-role',
  'arn:aws:iam::123456789012:role/',
  'arn:aws:iam::123456789012',
  'arn::::',
  'arn:aws:iam::*:role/*',
  'arn:aws:cloudformation:us-east-1:123456789012:stack/x',
  '12345678901',
  '1234567890123',
  '12345678901a',
  '-12345678901',
  '000000000000 ',
  '１２３４５６７８９０１２',
  'us-east-1 ',
  'not-a-region-1',
  'o-',
  'ou-',
];

const numbers = fc.constantFrom<unknown>(
  -1,
  0,
  1.5,
  -1e308,
  1e308,
  2 ** 53 + 2,
  -(2 ** 63),
  1e-300,
  new RawJson('1e999'),
  new RawJson('-1e999'),
  new RawJson('123456789012345678901234567890'),
);
const wrongTypes = fc.constantFrom<unknown>(
  null,
  true,
  false,
  0,
  -1,
  1.5,
  'string',
  '1',
  'true',
  'null',
  'NaN',
  'Infinity',
  [],
  [null],
  ['a'],
  {},
  { a: 'b' },
);
const nested = fc.constantFrom<unknown>(
  deeplyNestedJson(2_000, 'object'),
  deeplyNestedJson(5_000, 'array'),
  deeplyNested(70, 'object'),
);

// Made once: building a string arbitrary maps every code point (a second each on a loaded machine).
/** Random text of every plane, lone surrogates included (fast-check's binary units). */
const randomText = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }) as fc.Arbitrary<unknown>;
/** Random graphemes ending in NUL. */
const randomTextWithNul = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 20 })
  .map((s) => `${s}\u0000`) as fc.Arbitrary<unknown>;

function types(schema: JsonSchema): Set<string> {
  const out = new Set<string>();
  const add = (s: JsonSchema) => {
    if (typeof s.type === 'string') out.add(s.type);
    if (Array.isArray(s.type)) for (const t of s.type) out.add(t);
    if (s.enum !== undefined) out.add('enum');
    for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) add(branch);
  };
  add(schema);
  return out;
}

/** A string longer than the schema's maxLength (or 1 MB when it has none or the limit is large). */
function tooLong(schema: JsonSchema): string {
  const max = schema.maxLength;
  return max !== undefined && max < 10_000 ? 'a'.repeat(max + 1) : ONE_MB_STRING;
}

/** Bad values for a field of `schema` (a JSON body field, or a query or path parameter when `textOnly`). */
export function badValues(schema: JsonSchema, options: { textOnly?: boolean } = {}): fc.Arbitrary<unknown> {
  const kinds = types(schema);
  const text: fc.Arbitrary<unknown>[] = [
    fc.constantFrom<unknown>(...BAD_CHARACTERS),
    fc.constantFrom<unknown>(...INJECTIONS),
    fc.constantFrom<unknown>(...BAD_AWS_IDENTIFIERS),
    fc.constant<unknown>(tooLong(schema)),
    fc.constant<unknown>(ONE_MB_STRING),
    randomText,
    randomTextWithNul,
  ];
  if (kinds.has('enum')) {
    const first = String(((schema.enum ?? schema.anyOf?.[0]?.enum ?? ['x']) as unknown[])[0]);
    text.push(fc.constantFrom<unknown>(first.toUpperCase(), ` ${first}`, `${first} `, `${first}x`, 'not-an-option'));
  }
  if (options.textOnly === true) {
    // Query and path values are strings on the wire; numbers and booleans go as their text.
    text.push(fc.constantFrom<unknown>('-1', '0', '1.5', '1e999', 'NaN', 'Infinity', '0x10', '99999999999999999999'));
    return fc.oneof(...text);
  }
  const arbitraries: fc.Arbitrary<unknown>[] = [wrongTypes, nested];
  if (kinds.has('string') || kinds.has('enum') || kinds.size === 0) arbitraries.push(...text);
  if (kinds.has('number') || kinds.has('integer')) arbitraries.push(numbers);
  if (kinds.has('array')) {
    const items = schema.items ?? {};
    arbitraries.push(
      fc.constantFrom<unknown>(new Array(10_001).fill('a'), [[[]]], [{}], new Array(3).fill(deeplyNested(50, 'array'))),
      badValues(items).map((v) => [v]),
    );
  }
  if (kinds.has('object'))
    arbitraries.push(fc.constantFrom<unknown>({ ['\u0000']: 'x' }, { ['a\uD800']: 'x' }, { __proto__x: 1 }));
  return fc.oneof(...arbitraries);
}
