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

const ANY = { kind: 'any' } as const;
const ONE = { kind: 'one' } as const;
const VARIABLE = /^\s*([^,\s][^,]*?)\s*(?:,\s*'([^']*)'\s*)?$/;

/**
 * Split a policy string into literal text, wildcards and policy variables (IAM User Guide, "IAM policy
 * elements: Variables and tags"): `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, and the
 * escapes `${*}`, `${?}`, `${$}` for literal `*`, `?`, `$`. An unterminated `${` is literal text.
 */
export function parsePattern(source: string, options: PatternOptions): PatternPart[] {
  const parts: PatternPart[] = [];
  let text = '';
  for (let i = 0; i < source.length; i++) {
    const ch = source[i]!;
    if (options.wildcards && (ch === '*' || ch === '?')) {
      if (text) parts.push({ kind: 'text', text });
      text = '';
      parts.push(ch === '*' ? ANY : ONE);
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
      const m = VARIABLE.exec(inner);
      if (!m) {
        text += `\${${inner}}`;
        continue;
      }
      if (text) parts.push({ kind: 'text', text });
      text = '';
      parts.push({ kind: 'variable', name: m[1]!, key: m[1]!.toLowerCase(), fallback: m[2] });
    } else {
      text += ch;
    }
  }
  if (text) parts.push({ kind: 'text', text });
  return parts;
}

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

type StaticPart = { kind: 'text'; text: string } | { kind: 'any' } | { kind: 'one' };

function partsToRegExp(parts: StaticPart[], ignoreCase: boolean): RegExp {
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
  /** How a pattern without variables is tested: see `test`. */
  private mode: 'any' | 'empty' | 'exact' | 'prefix' | 'regex' | 'dynamic' = 'dynamic';
  /** Literal text (lower-cased when ignoring case) for `exact` and `prefix`. */
  private literal = '';
  private regex: RegExp | undefined;

  constructor(source: string, options: PatternOptions) {
    this.source = source;
    this.ignoreCase = options.ignoreCase ?? false;
    this.parts = parsePattern(source, options);
    let vars = false;
    let wild = false;
    for (const p of this.parts) {
      if (p.kind === 'variable') vars = true;
      else if (p.kind !== 'text') wild = true;
    }
    this.hasVariables = vars;
    this.hasWildcards = wild;
    if (!vars) this.prepareStatic();
  }

  private prepareStatic(): void {
    const parts = this.parts as StaticPart[];
    const first = parts[0];
    if (!first) this.mode = 'empty';
    else if (parts.length === 1 && first.kind === 'any') this.mode = 'any';
    else if (!this.hasWildcards) {
      this.mode = 'exact';
      this.literal = first.kind === 'text' ? first.text : '';
      if (this.ignoreCase) this.literal = this.literal.toLowerCase();
    } else if (parts.length === 2 && first.kind === 'text' && parts[1]!.kind === 'any') {
      this.mode = 'prefix';
      this.literal = this.ignoreCase ? first.text.toLowerCase() : first.text;
    } else {
      this.mode = 'regex';
      this.regex = partsToRegExp(parts, this.ignoreCase);
    }
  }

  private test(v: string): boolean {
    switch (this.mode) {
      case 'any':
        return true;
      case 'empty':
        return v === '';
      case 'exact':
        return this.ignoreCase
          ? v.length === this.literal.length && v.toLowerCase() === this.literal
          : v === this.literal;
      case 'prefix':
        if (v.length < this.literal.length) return false;
        return this.ignoreCase
          ? v.slice(0, this.literal.length).toLowerCase() === this.literal
          : v.startsWith(this.literal);
      case 'regex':
        return this.regex!.test(v);
      default:
        return false;
    }
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
    const resolved: StaticPart[] = [];
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
      let text = '';
      for (const p of resolved) if (p.kind === 'text') text += p.text;
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
