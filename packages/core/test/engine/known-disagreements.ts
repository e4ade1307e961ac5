/**
 * Classifies a disagreement with the oracle as one of the documented, sourced cases in
 * packages/core/src/engine/README.md ("Documented disagreements"). Each case is a transformation of the
 * input that reproduces the oracle's reading: when trustgate, given the transformed input, answers what the
 * oracle answered, the disagreement is that documented case. Anything else is unexplained: a bug to fix.
 */
import { evaluateRequest, type Decision, type EvaluationResult, type PolicySet } from '../../src/engine/index.ts';
import type { GeneratedCase } from './arbitraries.ts';

interface Known {
  id: string;
  applies(c: GeneratedCase, mine: EvaluationResult, oracle: Decision): boolean;
  /** The input as the oracle reads it; absent when `applies` alone identifies the case. */
  asOracleReads?(c: GeneratedCase): GeneratedCase;
}

function mapPolicies(p: PolicySet, f: (json: string) => string): PolicySet {
  return JSON.parse(f(JSON.stringify(p))) as PolicySet;
}

export const KNOWN_DISAGREEMENTS: Known[] = [
  {
    // D1: iam-simulate computes the IPv4 mask as `-1 << (32 - n)`, which for n = 0 shifts by 32 (a no-op in
    // JavaScript), so 0.0.0.0/0 matches only 0.0.0.0. RFC 4632: /0 covers every IPv4 address.
    id: 'D1-ipv4-prefix-0',
    applies: (c) => JSON.stringify(c.policies).includes('/0"'),
    asOracleReads: (c) => ({
      ...c,
      policies: mapPolicies(c.policies, (j) => j.replaceAll('0.0.0.0/0"', '0.0.0.0/32"')),
    }),
  },
  {
    // D2: iam-simulate compares a bare IPv4 policy value (`192.0.2.10`) only with IPv4 request values and
    // answers "no match" for both IpAddress and NotIpAddress when the request comes from IPv6, while a CIDR
    // block (`192.0.2.0/24`) is treated as not containing the IPv6 address. IAM User Guide, "IP address
    // condition operators": a bare address is the /32 block, and an IPv6 address is in no IPv4 block, so
    // NotIpAddress matches. The oracle's reading is reproduced by making such values unusable.
    id: 'D2-bare-ipv4-vs-ipv6-request',
    applies: (c) => String(c.request.context?.['aws:SourceIp'] ?? '').includes(':'),
    asOracleReads: (c) => ({
      ...c,
      policies: mapPolicies(c.policies, (j) => j.replace(/"(\d+\.\d+\.\d+\.\d+)"/g, '"$1/99"')),
    }),
  },
  {
    // D3: a resource-based policy that names the role session's own ARN grants access even when the session
    // policy does not allow it (IAM User Guide, "Policies and permissions in IAM" > "Session policies": "the
    // permissions from the resource-based policy are added after the session policy is applied"). iam-simulate
    // always requires the session policy to allow. trustgate reports this path as allow:resource with the
    // session policy ImplicitlyDenied.
    id: 'D3-resource-policy-names-session',
    applies: (c, mine, oracle) =>
      oracle === 'ImplicitlyDenied' &&
      mine.decision === 'Allowed' &&
      mine.explanation.reason === 'allow:resource' &&
      mine.explanation.policies.find((p) => p.policy === 'session')?.result === 'ImplicitlyDenied' &&
      JSON.stringify(c.policies.resourcePolicy ?? {}).includes(`"${c.request.principal.arn}"`),
  },
];

export function knownDisagreement(c: GeneratedCase, mine: EvaluationResult, oracle: Decision): string | undefined {
  for (const k of KNOWN_DISAGREEMENTS) {
    if (!k.applies(c, mine, oracle)) continue;
    if (!k.asOracleReads) return k.id;
    const t = k.asOracleReads(c);
    if (evaluateRequest(t.request, t.policies).decision === oracle) return k.id;
  }
  return undefined;
}
