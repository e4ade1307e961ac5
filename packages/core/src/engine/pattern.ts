import type { ContextEntry } from './request-context.ts';

/** A piece of a policy string: literal text, a `*` or `?` wildcard, or a policy variable. */
export type PatternPart =
  | { kind: 'text'; text: string }
  | { kind: 'any' }
  | { kind: 'one' }
  | { kind: 'variable'; name: string; key: string; fallback: string | undefined };

/** How to read a policy string. */
export interface PatternOptions {
  /** `*` and `?` are wildcards (Resource, Action, StringLike, ArnLike). Default false: they are literal. */
  wildcards?: boolean;
  /** `${key}` policy variables are resolved (Version 2012-10-17 only). Default false. */
  variables?: boolean;
  /** Compare ignoring case (Action, StringEqualsIgnoreCase). Default false. */
  ignoreCase?: boolean;
}

/** Outcome of matching: true, false, or the name of the variable that could not be resolved. */
export type PatternResult = boolean | { unresolved: string };

/**
 * Split a policy string into literal text, wildcards and policy variables (IAM User Guide, "IAM policy
 * elements: Variables and tags"): `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, and the
 * escapes `${*}`, `${?}`, `${$}` for literal `*`, `?`, `$`. An unterminated `${` is literal text.
 */
export function parsePattern(source: string, options: PatternOptions): PatternPart[] {
  const parts: PatternPart[] = [];
  let text = '';
  const flush = () => {
    if (text) parts.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (options.wildcards && (ch === '*' || ch === '?')) {
      flush();
      parts.push(ch === '*' ? { kind: 'any' } : { kind: 'one' });
    } else if (options.variables && ch === '$' && source[i + 1] === '{') {
      const end = source.indexOf('}', i + 2);
      if (end < 0) {
        text += ch;
        continue;
      }
      const inner = source.slice(i + 2, end);
      i = end;
      if (inner === '*' || inner === '?' || inner === '$') {
        text += inner;
        continue;
      }
      const m = /^\s*([^,\s][^,]*?)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
      if (!m) {
        text += `\${${inner}}`;
        continue;
      }
      flush();
      parts.push({ kind: 'variable', name: m[1]!, key: m[1]!.toLowerCase(), fallback: m[2] });
    } else {
      text += ch;
    }
  }
  flush();
  return parts;
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

function partsToRegExp(parts: Array<{ kind: 'text'; text: string } | { kind: 'any' } | { kind: 'one' }>, ignoreCase: boolean): RegExp {
  let source = '^';
  for (const p of parts) {
    if (p.kind === 'text') source += p.text.replace(REGEX_SPECIAL, '\\$&');
    else if (p.kind === 'any') source += '.*';
    else source += '.';
  }
  return new RegExp(`${source}$`, ignoreCase ? 'is' : 's');
}

/** Bounded cache of regular expressions built from resolved variable patterns. */
const dynamicCache = new Map<string, RegExp>();

/**
 * A policy string compiled once: literal comparisons, prefix tests and regular expressions are prepared at
 * compile time; patterns with variables are resolved per request against the context.
 */
export class CompiledPattern {
  readonly source: string;
  readonly parts: PatternPart[];
  readonly hasVariables: boolean;
  readonly hasWildcards: boolean;
  private readonly ignoreCase: boolean;
  private readonly test: (value: string) => boolean;

  constructor(source: string, options: PatternOptions) {
    this.source = source;
    this.ignoreCase = options.ignoreCase ?? false;
    this.parts = parsePattern(source, options);
    this.hasVariables = this.parts.some((p) => p.kind === 'variable');
    this.hasWildcards = this.parts.some((p) => p.kind === 'any' || p.kind === 'one');
    this.test = this.hasVariables ? () => false : this.staticTest();
  }

  private staticTest(): (value: string) => boolean {
    const parts = this.parts as Array<{ kind: 'text'; text: string } | { kind: 'any' } | { kind: 'one' }>;
    const ic = this.ignoreCase;
    if (parts.length === 0) return (v) => v === '';
    if (parts.length === 1 && parts[0]!.kind === 'any') return () => true;
    if (!this.hasWildcards) {
      const text = parts.map((p) => (p.kind === 'text' ? p.text : '')).join('');
      if (ic) {
        const lower = text.toLowerCase();
        return (v) => v.length === text.length && v.toLowerCase() === lower;
      }
      return (v) => v === text;
    }
    if (parts.length === 2 && parts[0]!.kind === 'text' && parts[1]!.kind === 'any') {
      const prefix = parts[0]!.text;
      if (ic) {
        const lower = prefix.toLowerCase();
        return (v) => v.length >= prefix.length && v.slice(0, prefix.length).toLowerCase() === lower;
      }
      return (v) => v.startsWith(prefix);
    }
    const re = partsToRegExp(parts, ic);
    return (v) => re.test(v);
  }

  /** The resolved text (variables replaced), or the unresolved variable's name. Wildcards render as `*`/`?`. */
  resolve(context: Map<string, ContextEntry>): string | { unresolved: string } {
    if (!this.hasVariables) return this.source;
    let out = '';
    for (const p of this.parts) {
      if (p.kind === 'text') out += p.text;
      else if (p.kind === 'any') out += '*';
      else if (p.kind === 'one') out += '?';
      else {
        const value = resolveVariable(p, context);
        if (value === undefined) return { unresolved: p.name };
        out += value;
      }
    }
    return out;
  }

  /** Match `value` against this pattern, resolving variables from `context`. */
  matches(value: string, context: Map<string, ContextEntry>): PatternResult {
    if (!this.hasVariables) return this.test(value);
    const resolved: Array<{ kind: 'text'; text: string } | { kind: 'any' } | { kind: 'one' }> = [];
    let key = this.ignoreCase ? 'i' : 's';
    for (const p of this.parts) {
      if (p.kind === 'variable') {
        const v = resolveVariable(p, context);
        if (v === undefined) return { unresolved: p.name };
        resolved.push({ kind: 'text', text: v });
        key += `\u0000t${v}`;
      } else {
        resolved.push(p);
        key += p.kind === 'text' ? `\u0000t${p.text}` : p.kind === 'any' ? '\u0000*' : '\u0000?';
      }
    }
    if (!this.hasWildcards) {
      const text = resolved.map((p) => (p.kind === 'text' ? p.text : '')).join('');
      return this.ignoreCase ? text.toLowerCase() === value.toLowerCase() : text === value;
    }
    let re = dynamicCache.get(key);
    if (!re) {
      if (dynamicCache.size > 2000) dynamicCache.clear();
      re = partsToRegExp(resolved, this.ignoreCase);
      dynamicCache.set(key, re);
    }
    return re.test(value);
  }
}

/**
 * The value of a policy variable: the key's single value, else the default given in the variable, else
 * undefined. A multivalued key cannot be used as a variable (IAM User Guide, "Policy variables").
 */
export function resolveVariable(
  part: { key: string; fallback: string | undefined },
  context: Map<string, ContextEntry>,
): string | undefined {
  const entry = context.get(part.key);
  if (entry && !entry.multi && entry.values.length === 1) return entry.values[0];
  return part.fallback;
}
