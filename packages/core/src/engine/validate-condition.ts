import type { Finding } from '../errors/index.ts';
import { editDistance } from '../actions/index.ts';
import { splitArn } from '../arn/index.ts';
import { BASE_OPERATORS, parseDateValue, parseNumeric, parseOperator } from './condition-operators.ts';
import type { IamReference } from './iam-reference.ts';
import { parseIpNetwork } from './ip-address.ts';

/** Known operator spellings, for "did you mean". */
const OPERATOR_NAMES = [...BASE_OPERATORS.values()].map((b) => b.name);

function suggestOperator(text: string): string | undefined {
  const base = text.replace(/^(ForAllValues|ForAnyValue):/i, '').replace(/IfExists$/i, '');
  let best: string | undefined;
  let bestD = Infinity;
  for (const name of OPERATOR_NAMES) {
    const d = editDistance(base, name);
    if (d < bestD) {
      bestD = d;
      best = name;
    }
  }
  return best && bestD <= 3 ? text.replace(base, best) : undefined;
}

/** A policy variable reference in a string: `${name}` or `${name, 'default'}`; the escapes excluded. */
export function policyVariables(value: string): string[] {
  const out: string[] = [];
  for (const m of value.matchAll(/\$\{([^}]*)\}/g)) {
    const inner = m[1]!;
    if (inner === '*' || inner === '?' || inner === '$') continue;
    out.push(inner.split(',')[0]!.trim());
  }
  return out;
}

/**
 * Policy variables that can never resolve: keys AWS does not document (`${aws:PrincipleTag/x}`) and
 * multivalued keys (IAM User Guide, "Policy variables": only single-valued keys can be variables).
 */
export function variableFindings(text: string, path: string, reference: IamReference): Finding[] {
  const out: Finding[] = [];
  for (const name of policyVariables(text)) {
    const def = reference.conditionKey(name);
    const prefix = name.slice(0, Math.max(0, name.indexOf(':'))).toLowerCase();
    if (!def && (prefix === 'aws' || reference.isLoaded(prefix))) {
      out.push({
        code: 'POLICY_VARIABLE_UNKNOWN',
        severity: 'warning',
        message: `\${${name}} names no documented context key: it never resolves, so "${text}" never matches.`,
        path,
      });
    } else if (def?.type.toLowerCase().startsWith('arrayof')) {
      out.push({
        code: 'POLICY_VARIABLE_MULTIVALUED',
        severity: 'warning',
        message: `\${${name}} is multivalued and cannot be used as a policy variable.`,
        path,
      });
    }
  }
  return out;
}

/** How a condition key's reference type maps to the operator families that fit it. */
const FAMILY_FOR_TYPE: Record<string, string[]> = {
  string: ['string'],
  arn: ['arn', 'string'],
  bool: ['bool'],
  boolean: ['bool'],
  date: ['date'],
  ipaddress: ['ip'],
  numeric: ['numeric'],
  long: ['numeric'],
  binary: ['binary'],
};

/** Options of {@link validateConditionBlock}. */
export interface ConditionCheckOptions {
  /** Policy variables are read (Version 2012-10-17). */
  variables: boolean;
  reference: IamReference | undefined;
  /** Canonical actions of the statement (empty when unknown, or for NotAction): used for key applicability. */
  actions: string[];
  effect: 'Allow' | 'Deny' | undefined;
}

function keyApplies(key: string, actions: string[], reference: IamReference): boolean {
  const lower = key.toLowerCase();
  for (const name of actions) {
    const a = reference.action(name);
    if (!a) return true;
    for (const k of a.conditionKeys) {
      const re = new RegExp(
        `^${k
          .toLowerCase()
          .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\\\$\\\{[^}]*\\\}/g, '.+')
          .replace(/<[^>]*>/g, '.+')}$`,
      );
      if (re.test(lower)) return true;
    }
  }
  return false;
}

/**
 * Check a Condition element (IAM User Guide, "IAM JSON policy elements: Condition operators"): known operators
 * (with `IfExists` and `ForAllValues:`/`ForAnyValue:`), well-formed values per operator, policy variables
 * where the operator supports them, and — with a reference — known condition keys, their types against the
 * operator, keys that no action of the statement supports, and set operators on single-valued keys.
 */
export function validateConditionBlock(condition: unknown, path: string, options: ConditionCheckOptions): Finding[] {
  const findings: Finding[] = [];
  const add = (code: string, severity: Finding['severity'], message: string, at: string) =>
    findings.push({ code, severity, message, path: at });
  if (typeof condition !== 'object' || condition === null || Array.isArray(condition)) {
    add('CONDITION_INVALID', 'error', 'Condition must be an object of operators.', path);
    return findings;
  }
  for (const [operatorText, block] of Object.entries(condition as Record<string, unknown>)) {
    const opPath = `${path}.${operatorText}`;
    const op = parseOperator(operatorText);
    if (!op) {
      const hint = suggestOperator(operatorText);
      add(
        'CONDITION_OPERATOR_UNKNOWN',
        'error',
        `Unknown condition operator "${operatorText}"${hint ? `; did you mean "${hint}"?` : '.'}`,
        opPath,
      );
      continue;
    }
    if (typeof block !== 'object' || block === null || Array.isArray(block)) {
      add('CONDITION_INVALID', 'error', `${operatorText} must map condition keys to values.`, opPath);
      continue;
    }
    for (const [key, raw] of Object.entries(block as Record<string, unknown>)) {
      const keyPath = `${opPath}["${key}"]`;
      const values = Array.isArray(raw) ? raw : [raw];
      if (values.length === 0)
        add('CONDITION_VALUES_EMPTY', 'warning', `${key} has no values: the condition can never match.`, keyPath);
      values.forEach((v, i) => {
        const at = Array.isArray(raw) ? `${keyPath}[${i}]` : keyPath;
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
          add('CONDITION_VALUE_INVALID', 'error', `Condition values are strings, numbers or booleans.`, at);
          return;
        }
        const text = String(v);
        const family = op.base.family;
        const vars = policyVariables(text);
        if (options.reference && options.variables) findings.push(...variableFindings(text, at, options.reference));
        if (vars.length > 0 && !options.variables) {
          add(
            'POLICY_VARIABLE_IN_OLD_VERSION',
            'warning',
            `"${text}" uses a policy variable, which Version 2008-10-17 reads as literal text; use Version 2012-10-17.`,
            at,
          );
        } else if (vars.length > 0 && !['string', 'arn', 'bool'].includes(family)) {
          add(
            'POLICY_VARIABLE_UNSUPPORTED',
            'warning',
            `${op.base.name} does not resolve policy variables; "${text}" is compared literally.`,
            at,
          );
        }
        if (family === 'null' && !/^(true|false)$/i.test(text))
          add('CONDITION_VALUE_INVALID', 'error', `Null takes "true" or "false", not "${text}".`, at);
        if (family === 'bool' && vars.length === 0 && !/^(true|false)$/i.test(text))
          add('CONDITION_VALUE_INVALID', 'error', `Bool takes "true" or "false", not "${text}".`, at);
        if (family === 'numeric' && parseNumeric(text) === undefined)
          add('CONDITION_VALUE_INVALID', 'error', `${op.base.name} needs a number, not "${text}".`, at);
        if (family === 'date' && parseDateValue(text) === undefined)
          add(
            'CONDITION_VALUE_INVALID',
            'error',
            `${op.base.name} needs an ISO 8601 date or epoch seconds, not "${text}".`,
            at,
          );
        if (family === 'ip' && !parseIpNetwork(text))
          add(
            'CONDITION_VALUE_INVALID',
            'error',
            `${op.base.name} needs an IP address or CIDR block, not "${text}".`,
            at,
          );
        if (family === 'arn' && vars.length === 0 && text !== '*' && !splitArn(text))
          add(
            'CONDITION_VALUE_INVALID',
            'warning',
            `"${text}" is not an ARN; ${op.base.name} compares ARNs part by part and will not match.`,
            at,
          );
        if (family === 'string' && op.base.string !== 'like' && /[*?]/.test(text.replace(/\$\{[^}]*\}/g, ''))) {
          add(
            'CONDITION_WILDCARD_LITERAL',
            'warning',
            `${op.base.name} treats * and ? literally; use StringLike for wildcards.`,
            at,
          );
        }
      });
      checkKey(key, keyPath, op.set, op.base.family, operatorText, options, add);
    }
  }
  return findings;
}

function checkKey(
  key: string,
  keyPath: string,
  set: string | undefined,
  family: string,
  operatorText: string,
  options: ConditionCheckOptions,
  add: (code: string, severity: Finding['severity'], message: string, at: string) => void,
): void {
  const prefix = key.slice(0, Math.max(0, key.indexOf(':'))).toLowerCase();
  if (set === 'ForAllValues' && options.effect === 'Allow') {
    add(
      'CONDITION_FORALLVALUES_ALLOW',
      'warning',
      `ForAllValues matches when ${key} is missing from the request; in an Allow, pair it with a Null check.`,
      keyPath,
    );
  }
  const ref = options.reference;
  if (!ref || prefix.includes('.') || prefix === '') return; // identity-provider keys (token.actions.githubusercontent.com:sub)
  const def = ref.conditionKey(key);
  if (!def) {
    if (prefix === 'aws' || ref.isLoaded(prefix))
      add('CONDITION_KEY_UNKNOWN', 'warning', `"${key}" is not a condition key AWS documents.`, keyPath);
    else if (!ref.hasService(prefix))
      add(
        'CONDITION_KEY_UNKNOWN',
        'warning',
        `"${prefix}" is not an AWS service prefix, so "${key}" is not a known condition key.`,
        keyPath,
      );
    return;
  }
  const type = def.type.toLowerCase();
  const multi = type.startsWith('arrayof');
  const base = multi ? type.slice('arrayof'.length) : type;
  if (family !== 'null') {
    const fits = FAMILY_FOR_TYPE[base];
    if (fits && !fits.includes(family))
      add(
        'CONDITION_OPERATOR_TYPE',
        'warning',
        `${operatorText} does not fit ${key}, whose type is ${def.type}.`,
        keyPath,
      );
    if (multi && !set)
      add(
        'CONDITION_MULTIVALUED_KEY',
        'warning',
        `${key} is multivalued: use ForAllValues: or ForAnyValue: (a single-valued operator never matches several values).`,
        keyPath,
      );
    if (!multi && set)
      add(
        'CONDITION_SET_ON_SINGLE_KEY',
        'warning',
        `${key} is single-valued: ${set}: is not meant for it and can be more permissive than intended.`,
        keyPath,
      );
  }
  if (!def.global && options.actions.length > 0 && !keyApplies(key, options.actions, ref)) {
    add(
      'CONDITION_KEY_NOT_APPLICABLE',
      'warning',
      `No action of this statement supports ${key}; the condition will never see it.`,
      keyPath,
    );
  }
}
