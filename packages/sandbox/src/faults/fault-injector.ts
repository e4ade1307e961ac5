/** The faults the sandbox can inject. */
export type FaultKind = 'throttle' | 'server-error' | 'timeout' | 'latency';

/**
 * A condition on one parameter of the call, named as on the wire: a Query parameter (`ExternalId`,
 * `RoleArn`, `RoleSessionName`), or a top-level field of an Organizations JSON request. Exactly one of:
 * - `absent: true`: the call does not carry the parameter;
 * - `present: true`: it carries the parameter, with any value (an empty one included);
 * - `equals`: it carries exactly this value (case-sensitive);
 * - `notEquals`: it does not carry exactly this value — absent, or any other value (as IAM's StringNotEquals
 *   matches a missing key). With `present: true` beside it: a value, but another one.
 */
export type FaultParamCondition =
  | { param: string; absent: true }
  | { param: string; present: true }
  | { param: string; equals: string }
  | { param: string; notEquals: string };

/**
 * One fault rule: the next `count` calls of `action` (optionally of one service, and only those whose
 * parameters meet `when`) get `kind`.
 *
 * @example AssumeRole calls without an ExternalId are throttled, every time; calls with one are served.
 * `{ service: 'sts', action: 'AssumeRole', kind: 'throttle', count: Infinity, when: { param: 'ExternalId', absent: true } }`
 */
export interface FaultRule {
  /** Query action name, e.g. `AssumeRole`; `*` for every action. */
  action: string;
  /** `sts`, `iam`, `cloudformation` or `organizations`; any when absent. */
  service?: string;
  kind: FaultKind;
  /** How many calls to affect; default 1. `Infinity` until cleared. */
  count?: number;
  /** Added delay for `latency` (default 1,000 ms). */
  latencyMs?: number;
  /** Only calls whose parameters meet this condition (every one, for a list); any call when absent. */
  when?: FaultParamCondition | FaultParamCondition[];
}

/** What the server should do with a call. */
export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'throttle' }
  | { kind: 'server-error' }
  | { kind: 'timeout' }
  | { kind: 'latency'; ms: number };

/** Reads one parameter of the call being decided: its value, or undefined when the call does not carry it. */
export type ParamReader = (name: string) => string | undefined;

const TESTS = ['absent', 'present', 'equals', 'notEquals'] as const;

/** Refuses a condition that does not name a parameter and exactly one test (a typo would match every call). */
function checkCondition(condition: FaultParamCondition): void {
  const fields = condition as Record<string, unknown>;
  const tests = TESTS.filter((t) => t in fields);
  const test = tests.length === 1 ? tests[0] : undefined;
  const wellTyped =
    test === 'absent' || test === 'present'
      ? fields[test] === true
      : test !== undefined && typeof fields[test] === 'string';
  const onlyKnown = Object.keys(fields).every((k) => k === 'param' || (TESTS as readonly string[]).includes(k));
  if (typeof fields.param !== 'string' || fields.param === '' || !wellTyped || !onlyKnown) {
    throw new TypeError(
      `fault rule condition ${JSON.stringify(condition)}: give param and exactly one of absent: true, present: true, equals: "...", notEquals: "..."`,
    );
  }
}

/** Whether the call's parameter value (`undefined`: not carried) meets `condition`. */
function meets(condition: FaultParamCondition, value: string | undefined): boolean {
  if ('absent' in condition) return value === undefined;
  if ('present' in condition) return value !== undefined;
  if ('equals' in condition) return value === condition.equals;
  return value !== condition.notEquals;
}

/**
 * Per-sandbox fault injection so callers' retries, caching and failure handling can be proven: `Throttling`
 * (HTTP 400, the code AWS SDKs retry with backoff), an internal error (HTTP 500), a timeout (the request is
 * never answered), or added latency before the call is served normally. A rule may match only calls with (or
 * without) a given parameter value, e.g. AssumeRole calls that carry no ExternalId.
 */
export class FaultInjector {
  private rules: Array<FaultRule & { remaining: number; conditions: FaultParamCondition[] }> = [];
  /** Calls that got a fault, in order (for tests to assert on). */
  readonly injected: Array<{ service: string; action: string; kind: FaultKind }> = [];

  /** Adds a rule; rules are consumed in the order they were added. Throws on a malformed `when`. */
  inject(rule: FaultRule): void {
    const conditions = rule.when === undefined ? [] : [rule.when].flat();
    conditions.forEach(checkCondition);
    this.rules.push({ ...rule, remaining: rule.count ?? 1, conditions });
  }

  /** Shorthand: the next `count` calls of `action` fail with `Throttling`. */
  throttle(action: string, count = 1): void {
    this.inject({ action, kind: 'throttle', count });
  }

  /** Removes every rule. */
  clear(): void {
    this.rules = [];
  }

  /**
   * Decides the fault for one call and consumes one count of the first rule that matches it. `param` reads the
   * call's parameters, for rules with `when` (a call whose parameters are not given carries none).
   */
  next(service: string, action: string, param: ParamReader = () => undefined): FaultDecision {
    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.action === '*' || r.action === action) &&
        (!r.service || r.service === service) &&
        r.conditions.every((c) => meets(c, param(c.param))),
    );
    if (!rule) return { kind: 'none' };
    rule.remaining -= 1;
    this.rules = this.rules.filter((r) => r.remaining > 0);
    this.injected.push({ service, action, kind: rule.kind });
    return rule.kind === 'latency' ? { kind: 'latency', ms: rule.latencyMs ?? 1000 } : { kind: rule.kind };
  }
}
