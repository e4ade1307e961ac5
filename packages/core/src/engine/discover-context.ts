import { compilePolicySet, isCompiledPolicySet, type CompiledPolicySet } from './compile-policy-set.ts';
import {
  evaluateConditions,
  requestResourceParts,
  statementCovers,
  statementPrincipal,
  type CompiledCondition,
  type CompiledPolicy,
  type CompiledStatement,
} from './compile-policy.ts';
import { evaluateRequest } from './evaluate-request.ts';
import { prepareRequest, type PreparedRequest } from './request-context.ts';
import type { ContextValue, EvaluationRequest, PolicyKind, PolicySet } from './types.ts';

/** One way to make a denied request allowed: context keys to set (or, with `null`, to leave out). */
export interface ContextSuggestion {
  /** Keys to set to the given value, or to remove (`null`). Keys not listed keep the request's value. */
  context: Record<string, ContextValue | null>;
  /** The Allow statement this suggestion satisfies. */
  statement: { policy: PolicyKind; policyIndex: number; statementIndex: number; sid?: string };
}

/** Options of {@link discoverAllowingContext}. */
export interface DiscoverOptions {
  /**
   * Keys the caller cannot change (set by AWS from who the principal is). Default: `aws:PrincipalArn`,
   * `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username`, `aws:userid`, `aws:PrincipalServiceName`,
   * `aws:ResourceAccount`.
   */
  fixedKeys?: string[];
  /** At most this many suggestions (default 5). */
  limit?: number;
}

const DEFAULT_FIXED = [
  'aws:PrincipalArn',
  'aws:PrincipalAccount',
  'aws:PrincipalType',
  'aws:username',
  'aws:userid',
  'aws:PrincipalServiceName',
  'aws:ResourceAccount',
];

/** A value that satisfies `c`, or `null` for "leave the key out", or undefined when none is obvious. */
function satisfyingValue(c: CompiledCondition, req: PreparedRequest): ContextValue | null | undefined {
  const op = c.operator;
  if (!op) return undefined;
  const family = op.base.family;
  if (family === 'null') return c.values.some((v) => v.text.toLowerCase() === 'true') ? null : 'present';
  if (op.set === 'ForAllValues' || op.ifExists || (op.base.negated && !op.set)) return null;
  const first = c.values[0];
  if (!first) return undefined;
  let text: string | undefined;
  if ('pattern' in first) {
    const r = first.pattern.resolve(req.context);
    if (typeof r !== 'string') return undefined;
    text = family === 'string' && op.base.string === 'like' ? r.replace(/\*/g, '').replace(/\?/g, 'x') : r;
  } else if (family === 'arn' && first.family === 'arn' && first.parts) {
    const parts = first.parts.map((p) => p.resolve(req.context));
    if (parts.some((p) => typeof p !== 'string')) return undefined;
    text = `arn:${(parts as string[]).map((p) => p.replace(/\*/g, 'x').replace(/\?/g, 'x')).join(':')}`;
  } else if ((family === 'numeric' || family === 'date') && 'number' in first && first.number !== undefined) {
    const step = family === 'date' ? 1000 : 1;
    const delta = { lt: -step, gt: step, lte: 0, gte: 0, eq: 0 }[op.base.compare ?? 'eq'];
    const n = first.number + delta;
    text = family === 'date' ? new Date(n).toISOString() : String(n);
  } else if (family === 'ip' && 'network' in first && first.network) {
    const net = first.network;
    text =
      net.version === 4
        ? [24n, 16n, 8n, 0n].map((s) => String((net.bits >> s) & 255n)).join('.')
        : [...Array(8).keys()].map((i) => ((net.bits >> BigInt((7 - i) * 16)) & 0xffffn).toString(16)).join(':');
  } else text = first.text;
  if (text === undefined) return undefined;
  return op.set ? [text] : text;
}

/**
 * Values to try so that condition `c` stops matching: leave the key out, the other Bool, the policy's own value
 * (what a negated operator refuses), or one step either side of a number or date. Each is checked by the caller.
 */
function escapeValues(c: CompiledCondition, req: PreparedRequest): Array<ContextValue | null> {
  const out: Array<ContextValue | null> = [null];
  const first = c.values[0];
  if (!first || !c.operator) return out;
  const family = c.operator.base.family;
  const texts: string[] = [];
  if (family === 'bool') texts.push(first.text.toLowerCase() === 'true' ? 'false' : 'true');
  else if ((family === 'numeric' || family === 'date') && 'number' in first && first.number !== undefined) {
    const step = family === 'date' ? 1000 : 1;
    for (const n of [first.number, first.number + step, first.number - step])
      texts.push(family === 'date' ? new Date(n).toISOString() : String(n));
  } else {
    const resolved = 'pattern' in first ? first.pattern.resolve(req.context) : first.text;
    if (typeof resolved === 'string') texts.push(resolved, `${resolved}-other`);
  }
  for (const t of texts) out.push(c.operator.set ? [t] : t);
  return out;
}

/** The request's context with `patch` applied: keys set to a value, or removed where the value is `null`. */
function patchedContext(
  base: Record<string, ContextValue> | undefined,
  patch: Record<string, ContextValue | null>,
): Record<string, ContextValue> {
  const patchedKeys = new Set(Object.keys(patch).map((k) => k.toLowerCase()));
  const context: Record<string, ContextValue> = {};
  for (const [k, v] of Object.entries(base ?? {})) if (!patchedKeys.has(k.toLowerCase())) context[k] = v;
  for (const [k, v] of Object.entries(patch)) if (v !== null) context[k] = v;
  return context;
}

/** Every Deny statement of the set, of every policy kind. */
function denyStatements(compiled: CompiledPolicySet): CompiledStatement[] {
  const policies = [
    ...(compiled.identity ?? []),
    ...(compiled.resource ? [compiled.resource] : []),
    ...(compiled.boundary ? [compiled.boundary] : []),
    ...(compiled.session ?? []),
    ...(compiled.scp ?? []).flat(),
    ...(compiled.rcp ?? []).flat(),
  ];
  return policies.flatMap((p) => p.statements.filter((s) => s.effect === 'Deny'));
}

/**
 * A context patch that takes the request out of every conditional Deny that applies to it (one condition of each
 * made to fail, checked statement by statement), or undefined when a Deny cannot be escaped (no condition, or
 * only keys AWS derives from the principal).
 */
function escapeDenies(
  compiled: CompiledPolicySet,
  request: EvaluationRequest,
  fixed: Set<string>,
): Record<string, ContextValue | null> | undefined {
  const denies = denyStatements(compiled);
  const escape: Record<string, ContextValue | null> = {};
  const prepared = (patch: Record<string, ContextValue | null>): PreparedRequest =>
    prepareRequest({ ...request, context: patchedContext(request.context, patch) });
  for (let round = 0; round <= denies.length; round++) {
    const req = prepared(escape);
    const parts = requestResourceParts(req.resource);
    const blocking = denies.find(
      (s) =>
        statementCovers(s, req, parts) &&
        (!s.principal || statementPrincipal(s, req, false) !== undefined) &&
        evaluateConditions(s, req, false).matched,
    );
    if (!blocking) return escape;
    let stepped = false;
    for (const c of blocking.conditions) {
      if (fixed.has(c.key)) continue;
      const value = escapeValues(c, req).find(
        (v) => !evaluateConditions(blocking, prepared({ ...escape, [c.keyText]: v }), false).matched,
      );
      if (value !== undefined) {
        escape[c.keyText] = value;
        stepped = true;
        break;
      }
    }
    if (!stepped) return undefined;
  }
  return undefined;
}

function candidates(
  kind: PolicyKind,
  policies: CompiledPolicy[] | undefined,
  req: PreparedRequest,
): Array<{ kind: PolicyKind; index: number; s: CompiledPolicy['statements'][number] }> {
  const out: Array<{ kind: PolicyKind; index: number; s: CompiledPolicy['statements'][number] }> = [];
  const parts = requestResourceParts(req.resource);
  (policies ?? []).forEach((p, index) => {
    for (const s of p.statements) {
      if (s.effect !== 'Allow' || !statementCovers(s, req, parts)) continue;
      if (kind === 'resource' && !statementPrincipal(s, req, false)) continue;
      out.push({ kind, index, s });
    }
  });
  return out;
}

/**
 * "Discovery": for a request that is denied, find context values that would allow it. Each Allow statement
 * that covers the request's action, resource and principal but whose conditions fail is turned into a
 * context patch (a value that satisfies each condition, or leaving an optional key out); a patch is kept
 * only when re-evaluating the request with it gives `Allowed`. Where a conditional Deny still applies (a bucket
 * refusing plain HTTP, a trust refusing sessions issued before a cut-off), the patch also makes one condition of
 * that Deny fail. Keys AWS sets from the principal are never
 * changed (see {@link DiscoverOptions.fixedKeys}). Returns no suggestion for an allowed request, or when no
 * condition change can allow it (a missing Allow or an unconditional Deny).
 */
export function discoverAllowingContext(
  request: EvaluationRequest,
  policies: PolicySet | CompiledPolicySet,
  options: DiscoverOptions = {},
): ContextSuggestion[] {
  const compiled = isCompiledPolicySet(policies) ? policies : compilePolicySet(policies);
  if (evaluateRequest(request, compiled, { explain: false }).decision === 'Allowed') return [];
  const fixed = new Set((options.fixedKeys ?? DEFAULT_FIXED).map((k) => k.toLowerCase()));
  const limit = options.limit ?? 5;
  const req = prepareRequest(request);
  const pool = [
    ...candidates('identity', compiled.identity, req),
    ...candidates('resource', compiled.resource ? [compiled.resource] : undefined, req),
    ...candidates('boundary', compiled.boundary ? [compiled.boundary] : undefined, req),
    ...candidates('session', compiled.session, req),
    ...(compiled.scp ?? []).flatMap((level) => candidates('scp', level, req)),
  ];
  const out: ContextSuggestion[] = [];
  const seen = new Set<string>();
  // Try each statement alone, then accumulate patches (an identity Allow may also need the boundary's).
  let accumulated: Record<string, ContextValue | null> = {};
  for (const { kind, index, s } of pool) {
    const patch: Record<string, ContextValue | null> = {};
    let possible = true;
    // Only the conditions that fail need a new value; one that already holds is left as it is (even on a key
    // AWS derives from the principal).
    const outcomes = evaluateConditions(s, req, true).outcomes;
    for (const [n, c] of s.conditions.entries()) {
      if (outcomes[n]?.matched) continue;
      if (fixed.has(c.key)) {
        possible = false;
        break;
      }
      const v = satisfyingValue(c, req);
      if (v === undefined) {
        possible = false;
        break;
      }
      patch[c.keyText] = v;
    }
    if (!possible) continue;
    // Each attempt alone, then with the changes that step out of the conditional Denies it still meets.
    const attempts = [patch, { ...accumulated, ...patch }].flatMap((attempt) => {
      const escape = escapeDenies(compiled, { ...request, context: patchedContext(request.context, attempt) }, fixed);
      return escape && Object.keys(escape).length > 0 ? [attempt, { ...attempt, ...escape }] : [attempt];
    });
    for (const attempt of attempts) {
      const key = JSON.stringify(attempt);
      if (seen.has(key)) continue;
      seen.add(key);
      if (
        evaluateRequest({ ...request, context: patchedContext(request.context, attempt) }, compiled, { explain: false })
          .decision === 'Allowed'
      ) {
        const statement: ContextSuggestion['statement'] = { policy: kind, policyIndex: index, statementIndex: s.index };
        if (s.sid !== undefined) statement.sid = s.sid;
        out.push({ context: attempt, statement });
        break;
      }
    }
    accumulated = { ...accumulated, ...patch };
    if (out.length >= limit) break;
  }
  return out;
}
