import { splitArn } from '../arn/index.ts';
import {
  comparePositive,
  parseOperator,
  prepareValue,
  type ParsedOperator,
  type PreparedValue,
} from './condition-operators.ts';
import { CompiledPattern } from './pattern.ts';
import { compilePrincipal, matchPrincipal, type PrincipalEntry } from './principal-match.ts';
import type { PreparedRequest } from './request-context.ts';
import type { ConditionOutcome, PrincipalMatchKind } from './types.ts';

/** A condition (one operator, one key) compiled for evaluation. */
export interface CompiledCondition {
  operatorText: string;
  operator: ParsedOperator | undefined;
  keyText: string;
  key: string;
  values: PreparedValue[];
}

/** Compiled Action or NotAction: patterns grouped by service for fast lookup. */
interface ActionMatcher {
  all: boolean;
  byService: Map<string, CompiledPattern[]>;
  /** Patterns whose service part has wildcards. */
  other: CompiledPattern[];
}

/** One compiled resource pattern: `*`, an ARN split in five compiled segments, or a non-ARN string. */
type ResourcePattern =
  | { kind: 'all' }
  | { kind: 'arn'; parts: CompiledPattern[] }
  | { kind: 'text'; pattern: CompiledPattern }
  | { kind: 'never' };

/** A statement compiled once; evaluation only compares. */
export interface CompiledStatement {
  index: number;
  sid: string | undefined;
  effect: 'Allow' | 'Deny';
  action: ActionMatcher;
  notAction: boolean;
  resources: ResourcePattern[] | undefined;
  notResource: boolean;
  principal: PrincipalEntry[] | undefined;
  notPrincipal: boolean;
  conditions: CompiledCondition[];
}

/** A policy document compiled once. */
export interface CompiledPolicy {
  statements: CompiledStatement[];
}

/** A condition value as text; values that are not strings, numbers or booleans (malformed) match nothing. */
function valueText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '\u0000invalid';
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

function compileActions(patterns: string[]): ActionMatcher {
  const m: ActionMatcher = { all: false, byService: new Map(), other: [] };
  for (const p of patterns) {
    if (p === '*') {
      m.all = true;
      continue;
    }
    const colon = p.indexOf(':');
    const service = colon < 0 ? '' : p.slice(0, colon).toLowerCase();
    const compiled = new CompiledPattern(p, { wildcards: true, ignoreCase: true });
    if (colon < 0 || /[*?]/.test(service)) m.other.push(compiled);
    else {
      const list = m.byService.get(service);
      if (list) list.push(compiled);
      else m.byService.set(service, [compiled]);
    }
  }
  return m;
}

function actionMatches(m: ActionMatcher, req: PreparedRequest): boolean {
  if (m.all) return true;
  const list = m.byService.get(req.service);
  if (list) for (const p of list) if (p.matches(req.action, req.context) === true) return true;
  for (const p of m.other) if (p.matches(req.action, req.context) === true) return true;
  return false;
}

function compileResource(text: string, variables: boolean): ResourcePattern {
  if (text === '*') return { kind: 'all' };
  let split = splitArn(text);
  if (!split && text.startsWith('arn:')) {
    // A shortened ARN: only meaningful with a wildcard, which is then read as covering the missing parts.
    if (!text.includes('*')) return { kind: 'never' };
    const segs = text.split(':');
    while (segs.length < 6) segs.push('*');
    split = splitArn(segs.join(':'));
  }
  if (!split) return { kind: 'text', pattern: new CompiledPattern(text, { wildcards: true, variables }) };
  const headOptions = { wildcards: true, variables, ignoreCase: true };
  return {
    kind: 'arn',
    parts: [
      new CompiledPattern(split.partition, headOptions),
      new CompiledPattern(split.service, headOptions),
      new CompiledPattern(split.region, headOptions),
      new CompiledPattern(split.account, headOptions),
      new CompiledPattern(split.resource, { wildcards: true, variables }),
    ],
  };
}

/** True/false, or undefined when a policy variable could not be resolved (the pattern matches nothing). */
function resourceMatches(
  pattern: ResourcePattern,
  req: PreparedRequest,
  reqParts: string[] | undefined,
): boolean | undefined {
  switch (pattern.kind) {
    case 'all':
      return true;
    case 'never':
      return false;
    case 'text': {
      const r = pattern.pattern.matches(req.resource, req.context);
      return typeof r === 'boolean' ? r : undefined;
    }
    case 'arn': {
      if (!reqParts) return false;
      for (let i = 0; i < 5; i++) {
        const r = pattern.parts[i]!.matches(reqParts[i]!, req.context);
        if (r !== true) return r === false ? false : undefined;
      }
      return true;
    }
  }
}

/**
 * Compile a policy document (tolerant of the shapes AWS accepts: Statement as an object or array, elements
 * as a string or array). Policy variables are read only in Version 2012-10-17 documents (IAM User Guide,
 * "IAM JSON policy elements: Version"); in 2008-10-17 `${...}` is literal text.
 */
export function compilePolicy(document: unknown): CompiledPolicy {
  const doc = (typeof document === 'object' && document !== null ? document : {}) as Record<string, unknown>;
  const variables = doc.Version === '2012-10-17';
  const rawStatements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
  const statements: CompiledStatement[] = [];
  for (let index = 0; index < rawStatements.length; index++) {
    const raw: unknown = rawStatements[index];
    if (typeof raw !== 'object' || raw === null) continue;
    const s = raw as Record<string, unknown>;
    const notAction = s.NotAction !== undefined;
    const notResource = s.NotResource !== undefined;
    const resourceList = notResource
      ? asList(s.NotResource)
      : s.Resource !== undefined
        ? asList(s.Resource)
        : undefined;
    const notPrincipal = s.NotPrincipal !== undefined;
    const principalRaw = notPrincipal ? s.NotPrincipal : s.Principal;
    const conditions: CompiledCondition[] = [];
    if (typeof s.Condition === 'object' && s.Condition !== null) {
      for (const [operatorText, block] of Object.entries(s.Condition as Record<string, unknown>)) {
        const operator = parseOperator(operatorText);
        if (typeof block !== 'object' || block === null) continue;
        for (const [keyText, rawValues] of Object.entries(block as Record<string, unknown>)) {
          const values: PreparedValue[] = [];
          if (operator)
            for (const v of Array.isArray(rawValues) ? rawValues : [rawValues])
              values.push(prepareValue(operator.base, valueText(v), variables));
          conditions.push({ operatorText, operator, keyText, key: keyText.toLowerCase(), values });
        }
      }
    }
    let resources: ResourcePattern[] | undefined;
    if (resourceList) {
      resources = [];
      for (const r of resourceList) resources.push(compileResource(r, variables));
    }
    statements.push({
      index,
      sid: typeof s.Sid === 'string' ? s.Sid : undefined,
      // Fail closed: only an exact "Allow" allows; any other Effect (which IAM would reject) is read as Deny.
      effect: s.Effect === 'Allow' ? 'Allow' : 'Deny',
      action: compileActions(asList(notAction ? s.NotAction : s.Action)),
      notAction,
      resources,
      notResource,
      principal: principalRaw === undefined ? undefined : compilePrincipal(principalRaw),
      notPrincipal,
      conditions,
    });
  }
  return { statements };
}

/** Split the request's resource once per evaluation. */
export function requestResourceParts(resource: string): string[] | undefined {
  const s = splitArn(resource);
  return s ? [s.partition, s.service, s.region, s.account, s.resource] : undefined;
}

/**
 * Does the statement's Action/NotAction and Resource/NotResource cover the request? A statement without
 * Resource (trust policies) covers every resource. A Resource entry with an unresolvable policy variable
 * matches nothing; in NotResource such an entry makes the whole statement not apply (IAM User Guide, "Policy
 * variables": when a variable cannot be resolved the statement does not match; iam-simulate agrees). Note
 * that a Deny with such a NotResource then denies nothing: prefer conditions with `...IfExists` for denies.
 */
export function statementCovers(s: CompiledStatement, req: PreparedRequest, reqParts: string[] | undefined): boolean {
  if (actionMatches(s.action, req) === s.notAction) return false;
  if (!s.resources) return true;
  let any = false;
  for (const r of s.resources) {
    const m = resourceMatches(r, req, reqParts);
    if (m === undefined) {
      if (s.notResource) return false;
      continue;
    }
    if (m) {
      any = true;
      break;
    }
  }
  return any !== s.notResource;
}

/**
 * How the statement's Principal/NotPrincipal names the request's principal; undefined when it does not.
 * `NotPrincipal` applies to every principal it does not name (any kind of match excludes). With
 * `forceNotPrincipalDeny`, a Deny with NotPrincipal always applies (IAM User Guide, "Permissions boundaries":
 * such a statement denies every principal that has a permissions boundary).
 */
export function statementPrincipal(
  s: CompiledStatement,
  req: PreparedRequest,
  forceNotPrincipalDeny: boolean,
): PrincipalMatchKind | undefined {
  if (!s.principal) return undefined;
  if (s.notPrincipal) {
    if (forceNotPrincipalDeny && s.effect === 'Deny') return 'direct';
    return matchPrincipal(s.principal, req) === undefined ? 'direct' : undefined;
  }
  return matchPrincipal(s.principal, req);
}

/** The outcome of one request value against all of a condition's values: OR for positive operators, AND-NOT for negated. */
function singleValue(
  c: CompiledCondition,
  op: ParsedOperator,
  requestValue: string,
  req: PreparedRequest,
  errors: string[],
): boolean {
  if (op.base.negated) {
    for (const v of c.values) {
      const r = comparePositive(op.base, v, requestValue, req.context);
      if (r !== false) {
        if (r !== true) errors.push(r.error);
        return false;
      }
    }
    return true;
  }
  for (const v of c.values) {
    const r = comparePositive(op.base, v, requestValue, req.context);
    if (r === true) return true;
    if (r !== false) errors.push(r.error);
  }
  return false;
}

const KEY_MISSING_TRUE = { matched: true, note: 'key missing' } as const;
const KEY_MISSING_FALSE = { matched: false, note: 'key missing' } as const;
const MATCHED = { matched: true } as const;
const NOT_MATCHED = { matched: false } as const;

function evaluateOne(c: CompiledCondition, req: PreparedRequest): { matched: boolean; note?: string } {
  const op = c.operator;
  if (!op) return { matched: false, note: `unknown operator ${c.operatorText}` };
  const entry = req.context.get(c.key);
  if (op.base.family === 'null') {
    const want = entry ? 'false' : 'true';
    for (const v of c.values) if (v.text.toLowerCase() === want) return MATCHED;
    return NOT_MATCHED;
  }
  const errors: string[] = [];
  let matched: boolean;
  if (op.set === 'ForAnyValue') {
    // Observed on AWS: ForAnyValue fails on a missing key even with IfExists (re:Post, "ForAnyValue:
    // StringEqualsIfExists behaving unexpectedly"); the set operator decides before IfExists is consulted.
    if (!entry) return KEY_MISSING_FALSE;
    matched = false;
    for (const value of entry.values) {
      if (singleValue(c, op, value, req, errors)) {
        matched = true;
        break;
      }
    }
  } else if (op.set === 'ForAllValues') {
    if (!entry) return KEY_MISSING_TRUE;
    matched = true;
    for (const value of entry.values) {
      if (!singleValue(c, op, value, req, errors)) {
        matched = false;
        break;
      }
    }
  } else {
    if (!entry) return op.ifExists || op.base.negated ? KEY_MISSING_TRUE : KEY_MISSING_FALSE;
    if (entry.multi) return { matched: false, note: 'multivalued key needs ForAllValues or ForAnyValue' };
    matched = singleValue(c, op, entry.values[0]!, req, errors);
  }
  if (!matched && errors.length > 0) return { matched, note: errors[0]! };
  return matched ? MATCHED : NOT_MATCHED;
}

/**
 * Evaluate every condition of a statement (all must match: AND across operators and keys, OR across a
 * key's values; IAM User Guide, "Creating a condition with multiple keys or values"). Missing keys: positive
 * operators fail, negated operators and `...IfExists` match, `ForAllValues` matches, `ForAnyValue` fails
 * (even with `IfExists`).
 * A single-valued operator on a multivalued key fails.
 */
export function evaluateConditions(
  s: CompiledStatement,
  req: PreparedRequest,
  detail: boolean,
): { matched: boolean; outcomes: ConditionOutcome[] } {
  let matched = true;
  const outcomes: ConditionOutcome[] = [];
  for (const c of s.conditions) {
    const r = evaluateOne(c, req);
    if (!r.matched) matched = false;
    if (detail) {
      const entry = req.context.get(c.key);
      const outcome: ConditionOutcome = {
        operator: c.operatorText,
        key: c.keyText,
        policyValues: c.values.map((v) => ('pattern' in v ? resolvedText(v.pattern, req) : v.text)),
        requestValues: entry?.values,
        matched: r.matched,
      };
      if (r.note) outcome.note = r.note;
      outcomes.push(outcome);
    } else if (!matched) break;
  }
  return { matched, outcomes };
}

function resolvedText(p: CompiledPattern, req: PreparedRequest): string {
  const r = p.resolve(req.context);
  return typeof r === 'string' ? r : p.source;
}
