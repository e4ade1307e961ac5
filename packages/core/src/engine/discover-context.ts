import { compilePolicySet, isCompiledPolicySet, type CompiledPolicySet } from './compile-policy-set.ts';
import { statementCovers, statementPrincipal, requestResourceParts, type CompiledCondition, type CompiledPolicy } from './compile-policy.ts';
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

const DEFAULT_FIXED = ['aws:PrincipalArn', 'aws:PrincipalAccount', 'aws:PrincipalType', 'aws:username', 'aws:userid', 'aws:PrincipalServiceName', 'aws:ResourceAccount'];

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
    text = net.version === 4
      ? [24n, 16n, 8n, 0n].map((s) => String((net.bits >> s) & 255n)).join('.')
      : [...Array(8).keys()].map((i) => ((net.bits >> BigInt((7 - i) * 16)) & 0xffffn).toString(16)).join(':');
  } else text = first.text;
  if (text === undefined) return undefined;
  return op.set ? [text] : text;
}

function candidates(kind: PolicyKind, policies: CompiledPolicy[] | undefined, req: PreparedRequest): Array<{ kind: PolicyKind; index: number; s: CompiledPolicy['statements'][number] }> {
  const out: Array<{ kind: PolicyKind; index: number; s: CompiledPolicy['statements'][number] }> = [];
  const parts = requestResourceParts(req.resource);
  (policies ?? []).forEach((p, index) => {
    for (const s of p.statements) {
      if (s.effect !== 'Allow' || s.conditions.length === 0 || !statementCovers(s, req, parts)) continue;
      if ((kind === 'resource') && !statementPrincipal(s, req, false)) continue;
      out.push({ kind, index, s });
    }
  });
  return out;
}

/**
 * "Discovery": for a request that is denied, find context values that would allow it. Each Allow statement
 * that covers the request's action, resource and principal but whose conditions fail is turned into a
 * context patch (a value that satisfies each condition, or leaving an optional key out); a patch is kept
 * only when re-evaluating the request with it gives `Allowed`. Keys AWS sets from the principal are never
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
    for (const c of s.conditions) {
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
    for (const attempt of [patch, { ...accumulated, ...patch }]) {
      const key = JSON.stringify(attempt);
      if (seen.has(key)) continue;
      seen.add(key);
      const context: Record<string, ContextValue> = {};
      for (const [k, v] of Object.entries(request.context ?? {})) if (!(Object.keys(attempt).some((a) => a.toLowerCase() === k.toLowerCase()))) context[k] = v;
      for (const [k, v] of Object.entries(attempt)) if (v !== null) context[k] = v;
      if (evaluateRequest({ ...request, context }, compiled, { explain: false }).decision === 'Allowed') {
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
