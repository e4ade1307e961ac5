import { compilePolicy, type CompiledPolicy } from './compile-policy.ts';
import type { PolicySet } from './types.ts';

const COMPILED = Symbol('trustgate.compiledPolicySet');

/**
 * A {@link PolicySet} compiled once: patterns, principals and condition values are parsed ahead of time,
 * so each evaluation only compares. Cache it (per role, per connection) and pass it to `evaluateRequest`
 * in place of the raw set.
 */
export interface CompiledPolicySet {
  readonly [COMPILED]: true;
  readonly identity: CompiledPolicy[];
  readonly resource: CompiledPolicy | undefined;
  readonly boundary: CompiledPolicy | undefined;
  readonly session: CompiledPolicy[] | undefined;
  readonly scp: CompiledPolicy[][] | undefined;
  readonly rcp: CompiledPolicy[][] | undefined;
}

/** Compile every policy of `policies` (see {@link CompiledPolicySet}). Empty session/SCP/RCP lists count as absent. */
export function compilePolicySet(policies: PolicySet): CompiledPolicySet {
  const nonEmpty = <T>(list: T[] | undefined): T[] | undefined => (list && list.length > 0 ? list : undefined);
  return {
    [COMPILED]: true,
    identity: (policies.identityPolicies ?? []).map(compilePolicy),
    resource: policies.resourcePolicy ? compilePolicy(policies.resourcePolicy) : undefined,
    boundary: policies.permissionsBoundary ? compilePolicy(policies.permissionsBoundary) : undefined,
    session: nonEmpty(policies.sessionPolicies)?.map(compilePolicy),
    scp: nonEmpty(policies.serviceControlPolicies)?.map((level) => level.map(compilePolicy)),
    rcp: nonEmpty(policies.resourceControlPolicies)?.map((level) => level.map(compilePolicy)),
  };
}

/** True when `value` came from {@link compilePolicySet}. */
export function isCompiledPolicySet(value: unknown): value is CompiledPolicySet {
  return typeof value === 'object' && value !== null && COMPILED in value;
}
