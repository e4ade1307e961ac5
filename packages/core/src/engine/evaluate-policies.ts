import {
  evaluateConditions,
  requestResourceParts,
  statementCovers,
  statementPrincipal,
  type CompiledPolicy,
} from './compile-policy.ts';
import type { PreparedRequest } from './request-context.ts';
import type { Decision, PolicyKind, PolicyKindResult, PrincipalMatchKind, StatementOutcome } from './types.ts';

/** What one policy kind said: denied, allowed (and for resource policies, how the principal matched). */
export interface KindVerdict extends PolicyKindResult {
  denied: boolean;
  allowed: boolean;
  /** Resource policies: the ways allowing statements named the principal. */
  grants: Set<PrincipalMatchKind>;
  /** Resource policies: an allowing statement names every principal (`"*"` or `{"AWS": "*"}`). */
  wildcardGrant: boolean;
  /** Resource policies: an allowing statement names the principal's own ARN (user, session, federated user). */
  namedGrant: boolean;
}

/** Evaluation-wide inputs shared by every policy kind. */
export interface EvaluationScope {
  req: PreparedRequest;
  reqParts: string[] | undefined;
  detail: boolean;
  hasBoundary: boolean;
}

/** Prepare the shared inputs once per request. */
export function evaluationScope(req: PreparedRequest, detail: boolean, hasBoundary: boolean): EvaluationScope {
  return { req, reqParts: requestResourceParts(req.resource), detail, hasBoundary };
}

/** The verdict of a policy kind that has no policies, or does not apply to the request: nothing allows or denies. */
export function notApplicable(kind: PolicyKind): KindVerdict {
  return {
    policy: kind,
    result: 'NotApplicable',
    statements: [],
    denied: false,
    allowed: false,
    grants: new Set(),
    wildcardGrant: false,
    namedGrant: false,
  };
}

/**
 * Evaluate the statements of policies of one kind. For `resource` and `rcp`, a statement applies only when
 * its Principal/NotPrincipal names the request's principal.
 */
export function evaluateKind(
  kind: PolicyKind,
  policies: CompiledPolicy[] | undefined,
  scope: EvaluationScope,
  level?: number,
): KindVerdict {
  const verdict = notApplicable(kind);
  if (!policies) return verdict;
  const withPrincipal = kind === 'resource' || kind === 'rcp';
  policies.forEach((policy, policyIndex) => {
    for (const s of policy.statements) {
      // A Deny cannot change an already denied verdict; an Allow is needed only until one is found, except
      // for resource policies, where every way of naming the principal matters.
      if (!scope.detail && (verdict.denied || (s.effect === 'Allow' && verdict.allowed && kind !== 'resource')))
        continue;
      if (!statementCovers(s, scope.req, scope.reqParts)) continue;
      let principalMatch: PrincipalMatchKind | undefined;
      if (withPrincipal) {
        principalMatch = statementPrincipal(s, scope.req, kind === 'resource' && scope.hasBoundary);
        if (!principalMatch) continue;
      }
      const { matched, outcomes } = evaluateConditions(s, scope.req, scope.detail);
      if (matched) {
        if (s.effect === 'Deny') verdict.denied = true;
        else {
          verdict.allowed = true;
          if (principalMatch) {
            verdict.grants.add(principalMatch);
            if (!s.notPrincipal && s.principal?.some((e) => e.type === 'wildcard')) verdict.wildcardGrant = true;
            if (!s.notPrincipal && s.principal?.some((e) => e.type === 'arn' && e.arn === scope.req.principalArn))
              verdict.namedGrant = true;
          }
        }
      }
      if (scope.detail) {
        const outcome: StatementOutcome = {
          policy: kind,
          policyIndex,
          statementIndex: s.index,
          effect: s.effect,
          matched,
          conditions: outcomes,
        };
        if (s.sid !== undefined) outcome.sid = s.sid;
        if (level !== undefined) outcome.level = level;
        if (principalMatch) outcome.principalMatch = principalMatch;
        verdict.statements.push(outcome);
      }
    }
  });
  verdict.result = verdict.denied ? 'ExplicitlyDenied' : verdict.allowed ? 'Allowed' : 'ImplicitlyDenied';
  return verdict;
}

/**
 * Evaluate organization policies level by level (IAM User Guide, "Policy evaluation logic": every level, from
 * the root through each OU to the account, must allow; a deny at any level denies).
 */
export function evaluateLevels(
  kind: 'scp' | 'rcp',
  levels: CompiledPolicy[][] | undefined,
  scope: EvaluationScope,
): KindVerdict {
  const verdict = notApplicable(kind);
  if (!levels) return verdict;
  let allLevelsAllow = true;
  levels.forEach((level, index) => {
    const v = evaluateKind(kind, level, scope, index);
    if (v.denied) verdict.denied = true;
    if (!v.allowed) allLevelsAllow = false;
    verdict.statements.push(...v.statements);
  });
  // Every level carries RCPFullAWSAccess, which cannot be detached (AWS Organizations User Guide, "Resource
  // control policies"): for RCPs only denies matter.
  if (kind === 'rcp') allLevelsAllow = true;
  verdict.allowed = allLevelsAllow && !verdict.denied;
  const result: Decision = verdict.denied ? 'ExplicitlyDenied' : verdict.allowed ? 'Allowed' : 'ImplicitlyDenied';
  verdict.result = result;
  return verdict;
}
