import { splitArn } from '../arn/index.ts';
import { ipInNetwork, parseIpNetwork, type IpNetwork } from './ip-address.ts';
import { CompiledPattern } from './pattern.ts';
import type { ContextEntry } from './request-context.ts';

/** The families of condition operators (IAM User Guide, "IAM JSON policy elements: Condition operators"). */
export type OperatorFamily = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';

/** One base operator: its family, whether it negates, and how it reads policy values. */
export interface BaseOperator {
  name: string;
  family: OperatorFamily;
  negated: boolean;
  /** String comparison flavour for the string family. */
  string?: 'equals' | 'equalsIgnoreCase' | 'like';
  /** Numeric/date comparison. */
  compare?: 'eq' | 'lt' | 'lte' | 'gt' | 'gte';
}

const defs: BaseOperator[] = [
  { name: 'StringEquals', family: 'string', negated: false, string: 'equals' },
  { name: 'StringNotEquals', family: 'string', negated: true, string: 'equals' },
  { name: 'StringEqualsIgnoreCase', family: 'string', negated: false, string: 'equalsIgnoreCase' },
  { name: 'StringNotEqualsIgnoreCase', family: 'string', negated: true, string: 'equalsIgnoreCase' },
  { name: 'StringLike', family: 'string', negated: false, string: 'like' },
  { name: 'StringNotLike', family: 'string', negated: true, string: 'like' },
  { name: 'NumericEquals', family: 'numeric', negated: false, compare: 'eq' },
  { name: 'NumericNotEquals', family: 'numeric', negated: true, compare: 'eq' },
  { name: 'NumericLessThan', family: 'numeric', negated: false, compare: 'lt' },
  { name: 'NumericLessThanEquals', family: 'numeric', negated: false, compare: 'lte' },
  { name: 'NumericGreaterThan', family: 'numeric', negated: false, compare: 'gt' },
  { name: 'NumericGreaterThanEquals', family: 'numeric', negated: false, compare: 'gte' },
  { name: 'DateEquals', family: 'date', negated: false, compare: 'eq' },
  { name: 'DateNotEquals', family: 'date', negated: true, compare: 'eq' },
  { name: 'DateLessThan', family: 'date', negated: false, compare: 'lt' },
  { name: 'DateLessThanEquals', family: 'date', negated: false, compare: 'lte' },
  { name: 'DateGreaterThan', family: 'date', negated: false, compare: 'gt' },
  { name: 'DateGreaterThanEquals', family: 'date', negated: false, compare: 'gte' },
  { name: 'Bool', family: 'bool', negated: false },
  { name: 'BinaryEquals', family: 'binary', negated: false },
  { name: 'IpAddress', family: 'ip', negated: false },
  { name: 'NotIpAddress', family: 'ip', negated: true },
  { name: 'ArnEquals', family: 'arn', negated: false },
  { name: 'ArnLike', family: 'arn', negated: false },
  { name: 'ArnNotEquals', family: 'arn', negated: true },
  { name: 'ArnNotLike', family: 'arn', negated: true },
  { name: 'Null', family: 'null', negated: false },
];

/** Every base condition operator AWS documents, by lower-cased name. */
export const BASE_OPERATORS: ReadonlyMap<string, BaseOperator> = new Map(defs.map((d) => [d.name.toLowerCase(), d]));

/** A parsed operator: optional set qualifier, base operator, optional `IfExists`. */
export interface ParsedOperator {
  text: string;
  set: 'ForAllValues' | 'ForAnyValue' | undefined;
  base: BaseOperator;
  ifExists: boolean;
}

/**
 * Parse `ForAllValues:StringLikeIfExists` and the like. Operator names are matched case-insensitively;
 * `Null` takes neither `IfExists` nor a set qualifier. Returns undefined for an unknown operator.
 */
export function parseOperator(text: string): ParsedOperator | undefined {
  let rest = text;
  let set: ParsedOperator['set'];
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const q = rest.slice(0, colon).toLowerCase();
    if (q === 'forallvalues') set = 'ForAllValues';
    else if (q === 'foranyvalue') set = 'ForAnyValue';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists')) {
    ifExists = true;
    rest = rest.slice(0, -'ifexists'.length);
  }
  const base = BASE_OPERATORS.get(rest.toLowerCase());
  if (!base) return undefined;
  if (base.family === 'null' && (ifExists || set)) return undefined;
  return { text, set, base, ifExists };
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

/** Parse a number as the Numeric operators read it; undefined when it is not a plain decimal number. */
export function parseNumeric(text: string): number | undefined {
  return NUMBER.test(text.trim()) ? Number(text) : undefined;
}

/**
 * Parse a date as the Date operators read it: ISO 8601 (W3C profile) or POSIX epoch seconds
 * (IAM User Guide, "Date condition operators"). Returns milliseconds, or undefined.
 */
export function parseDateValue(text: string): number | undefined {
  const t = text.trim();
  if (/^[+-]?\d+$/.test(t)) return Number(t) * 1000;
  if (!ISO_DATE.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A policy value prepared for its operator. */
export type PreparedValue =
  | { family: 'string'; text: string; pattern: CompiledPattern }
  | { family: 'numeric' | 'date'; text: string; number: number | undefined }
  | { family: 'bool'; text: string; pattern: CompiledPattern }
  | { family: 'binary' | 'null'; text: string }
  | { family: 'ip'; text: string; network: IpNetwork | undefined }
  | { family: 'arn'; text: string; parts: CompiledPattern[] | undefined };

/** Prepare one policy value for `base`; `variables` enables policy variables (Version 2012-10-17). */
export function prepareValue(base: BaseOperator, text: string, variables: boolean): PreparedValue {
  switch (base.family) {
    case 'string':
      return {
        family: 'string',
        text,
        pattern: new CompiledPattern(text, {
          variables,
          wildcards: base.string === 'like',
          ignoreCase: base.string === 'equalsIgnoreCase',
        }),
      };
    case 'numeric':
      return { family: 'numeric', text, number: parseNumeric(text) };
    case 'date':
      return { family: 'date', text, number: parseDateValue(text) };
    case 'bool':
      return { family: 'bool', text, pattern: new CompiledPattern(text, { variables, ignoreCase: true }) };
    case 'ip':
      return { family: 'ip', text, network: cachedParse(undefined, 'ip', text) };
    case 'arn': {
      const split = splitArn(text);
      const parts = split
        ? [split.partition, split.service, split.region, split.account, split.resource].map(
            (p) => new CompiledPattern(p, { variables, wildcards: true }),
          )
        : undefined;
      return { family: 'arn', text, parts };
    }
    default:
      return { family: base.family, text };
  }
}

/** Parsed request values shared across requests (bounded): the same IPs and dates recur. */
const PARSED = new Map<string, unknown>();

function cachedParse(
  cache: Map<string, unknown> | undefined,
  family: 'date' | 'numeric',
  text: string,
): number | undefined;
function cachedParse(cache: Map<string, unknown> | undefined, family: 'ip', text: string): IpNetwork | undefined;
function cachedParse(
  cache: Map<string, unknown> | undefined,
  family: 'date' | 'numeric' | 'ip',
  text: string,
): unknown {
  const key = `${family}\u0000${text}`;
  const store = cache ?? PARSED;
  if (store.has(key)) return store.get(key);
  const v = family === 'date' ? parseDateValue(text) : family === 'numeric' ? parseNumeric(text) : parseIpNetwork(text);
  if (store === PARSED && PARSED.size > 4096) PARSED.clear();
  store.set(key, v);
  return v;
}

/** Result of one comparison: match, no match, or an error (bad value, unresolved variable). */
export type Comparison = true | false | { error: string };

function compareNumbers(op: BaseOperator['compare'], policy: number, request: number): boolean {
  switch (op) {
    case 'lt':
      return request < policy;
    case 'lte':
      return request <= policy;
    case 'gt':
      return request > policy;
    case 'gte':
      return request >= policy;
    default:
      return request === policy;
  }
}

/**
 * Compare one request value with one policy value under the positive form of `base`
 * (`StringNotEquals` compares as `StringEquals`; the caller negates).
 */
export function comparePositive(
  base: BaseOperator,
  value: PreparedValue,
  requestValue: string,
  context: Map<string, ContextEntry>,
  parsed?: Map<string, unknown>,
): Comparison {
  switch (value.family) {
    case 'string': {
      const r = value.pattern.matches(requestValue, context);
      return typeof r === 'boolean' ? r : { error: `unresolved variable \${${r.unresolved}}` };
    }
    case 'numeric':
    case 'date': {
      if (value.number === undefined)
        return { error: `policy value '${value.text}' is not a ${value.family === 'date' ? 'date' : 'number'}` };
      const req = cachedParse(parsed, value.family, requestValue);
      if (req === undefined)
        return { error: `request value '${requestValue}' is not a ${value.family === 'date' ? 'date' : 'number'}` };
      return compareNumbers(base.compare, value.number, req);
    }
    case 'bool': {
      const resolved = value.pattern.resolve(context);
      if (typeof resolved !== 'string') return { error: `unresolved variable \${${resolved.unresolved}}` };
      const p = resolved.toLowerCase();
      const q = requestValue.toLowerCase();
      if (p !== 'true' && p !== 'false') return { error: `policy value '${resolved}' is not a boolean` };
      if (q !== 'true' && q !== 'false') return { error: `request value '${requestValue}' is not a boolean` };
      return p === q;
    }
    case 'binary':
      return value.text === requestValue;
    case 'ip': {
      if (!value.network) return { error: `policy value '${value.text}' is not an IP address or CIDR block` };
      const addr = cachedParse(parsed, 'ip', requestValue);
      if (!addr || addr.prefix !== (addr.version === 4 ? 32 : 128))
        return { error: `request value '${requestValue}' is not an IP address` };
      return ipInNetwork(addr, value.network);
    }
    case 'arn': {
      if (!value.parts) return { error: `policy value '${value.text}' is not an ARN` };
      const req = splitArn(requestValue);
      if (!req) return { error: `request value '${requestValue}' is not an ARN` };
      const reqParts = [req.partition, req.service, req.region, req.account, req.resource];
      for (let i = 0; i < 5; i++) {
        const r = value.parts[i]!.matches(reqParts[i]!, context);
        if (typeof r !== 'boolean') return { error: `unresolved variable \${${r.unresolved}}` };
        if (!r) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
