/** The faults the sandbox can inject. */
export type FaultKind = 'throttle' | 'server-error' | 'timeout' | 'latency';

/** One fault rule: the next `count` calls of `action` (optionally of one service) get `kind`. */
export interface FaultRule {
  /** Query action name, e.g. `AssumeRole`; `*` for every action. */
  action: string;
  /** `sts`, `iam` or `cloudformation`; any when absent. */
  service?: string;
  kind: FaultKind;
  /** How many calls to affect; default 1. `Infinity` until cleared. */
  count?: number;
  /** Added delay for `latency` (default 1,000 ms). */
  latencyMs?: number;
}

/** What the server should do with a call. */
export type FaultDecision = { kind: 'none' } | { kind: 'throttle' } | { kind: 'server-error' } | { kind: 'timeout' } | { kind: 'latency'; ms: number };

/**
 * Per-sandbox fault injection so callers' retries and caching can be proven: `Throttling` (HTTP 400, the
 * code AWS SDKs retry with backoff), an internal error (HTTP 500), a timeout (the request is never answered),
 * or added latency before the call is served normally.
 */
export class FaultInjector {
  private rules: Array<FaultRule & { remaining: number }> = [];
  /** Calls that got a fault, in order (for tests to assert on). */
  readonly injected: Array<{ service: string; action: string; kind: FaultKind }> = [];

  /** Adds a rule; rules are consumed in the order they were added. */
  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.count ?? 1 });
  }

  /** Shorthand: the next `count` calls of `action` fail with `Throttling`. */
  throttle(action: string, count = 1): void {
    this.inject({ action, kind: 'throttle', count });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /** Decides the fault for one call and consumes one count of the matching rule. */
  next(service: string, action: string): FaultDecision {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.action === '*' || r.action === action) && (!r.service || r.service === service));
    if (!rule) return { kind: 'none' };
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    this.injected.push({ service, action, kind: rule.kind });
    return rule.kind === 'latency' ? { kind: 'latency', ms: rule.latencyMs ?? 1000 } : { kind: rule.kind };
  }
}
