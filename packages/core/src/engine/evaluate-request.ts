import { compilePolicySet, isCompiledPolicySet, type CompiledPolicySet } from './compile-policy-set.ts';
import { evaluateKind, evaluateLevels, evaluationScope, notApplicable, type KindVerdict } from './evaluate-policies.ts';
import { prepareRequest, type PreparedRequest } from './request-context.ts';
import type { Decision, EvaluationRequest, EvaluationResult, Explanation, PolicySet } from './types.ts';

/** Options of {@link evaluateRequest}. */
export interface EvaluateOptions {
  /**
   * Record every applicable statement and condition in the explanation (default true). With false, the
   * evaluation stops at the first decisive statement of each policy kind and the explanation carries only
   * the reason and summary: the fast path for bulk checks.
   */
  explain?: boolean;
}

/** The service's own rules for when a resource policy is authoritative even within one account. */
function resourcePolicyRequired(req: PreparedRequest, hasResourcePolicy: boolean): boolean {
  // Role trust policies (IAM User Guide, "Cross account resource access in IAM": a role's trust policy must
  // allow the principal even within the account) and KMS key policies ("Key policies in AWS KMS": no principal
  // can use a key unless the key policy allows it, directly or through the account's IAM policies).
  if (req.service === 'sts') return hasResourcePolicy;
  if (req.service === 'kms') return /^key\//i.test(req.resource.split(':').slice(5).join(':'));
  return false;
}

function isServiceLinkedRole(req: PreparedRequest): boolean {
  const arn = req.context.get('aws:principalarn')?.values[0] ?? req.principalArn;
  return /:role\/aws-service-role\//.test(arn);
}

function blocked(identityOk: boolean, boundaryOk: boolean, sessionOk: boolean): { decision: Decision; reason: string } {
  if (!boundaryOk && identityOk) return { decision: 'ImplicitlyDenied', reason: 'implicit-deny:boundary' };
  if (!sessionOk && identityOk) return { decision: 'ImplicitlyDenied', reason: 'implicit-deny:session' };
  return { decision: 'ImplicitlyDenied', reason: 'implicit-deny:no-allow' };
}

const KINDS = ['identity', 'resource', 'boundary', 'session', 'scp', 'rcp'] as const;

interface Verdicts {
  identity: KindVerdict;
  resource: KindVerdict;
  boundary: KindVerdict;
  session: KindVerdict;
  scp: KindVerdict;
  rcp: KindVerdict;
}

/**
 * Decide the request from the verdicts of each policy kind, following the IAM User Guide's "Policy
 * evaluation logic", "Policy evaluation for requests within a single account" and "Cross-account policy
 * evaluation logic":
 *
 * 1. An explicit deny in any applicable policy denies.
 * 2. Every SCP level and every RCP level must allow (when given and applicable).
 * 3. Service and federated principals are allowed only by the resource policy.
 * 4. Same account: an allow in the identity policies (intersected with the boundary and the session
 *    policies) suffices; so does a resource-policy allow naming the principal. A resource-policy grant to the
 *    session, user or federated-user ARN itself (or `*`) is not limited by an implicit deny of the boundary or
 *    the session policies; a grant to the role of a session is. A grant to the account alone adds nothing
 *    within the account. For `sts` (role trust policies) and KMS keys the resource policy is authoritative:
 *    it must name the principal, or name the account and the identity policies must allow.
 * 5. Cross account: the resource policy must allow (naming the principal or its account) and the identity
 *    policies (intersected with boundary and session policies) must allow too.
 */
function decide(req: PreparedRequest, v: Verdicts, hasResourcePolicy: boolean): { decision: Decision; reason: string } {
  const sameAccount = req.principalAccountId !== undefined && req.principalAccountId === req.resourceAccountId;
  if (req.principalType === 'AWS' && req.action === 'sts:getcalleridentity')
    return { decision: 'Allowed', reason: 'allow:get-caller-identity' };
  for (const kind of ['scp', 'rcp', 'resource', 'identity', 'boundary', 'session'] as const) {
    if (v[kind].denied) return { decision: 'ExplicitlyDenied', reason: `explicit-deny:${kind}` };
  }
  if (v.scp.result === 'ImplicitlyDenied') return { decision: 'ImplicitlyDenied', reason: 'implicit-deny:scp' };
  if (v.rcp.result === 'ImplicitlyDenied') return { decision: 'ImplicitlyDenied', reason: 'implicit-deny:rcp' };

  const grants = v.resource.grants;
  if (req.principalType !== 'AWS') {
    return grants.size > 0
      ? { decision: 'Allowed', reason: 'allow:resource' }
      : { decision: 'ImplicitlyDenied', reason: 'implicit-deny:resource' };
  }

  const boundaryOk = v.boundary.result !== 'ImplicitlyDenied';
  const sessionOk = v.session.result !== 'ImplicitlyDenied';
  const isRoot = req.principalKind === 'root';
  const identityOk = v.identity.allowed || (isRoot && sameAccount);
  const identityPath = identityOk && boundaryOk && sessionOk;
  const hasNamedGrant = grants.has('direct') || grants.has('role-of-session') || grants.has('user-of-session');

  if (!sameAccount) {
    if (grants.size === 0) return { decision: 'ImplicitlyDenied', reason: 'implicit-deny:resource' };
    if (!identityOk) return { decision: 'ImplicitlyDenied', reason: 'implicit-deny:identity' };
    return identityPath
      ? { decision: 'Allowed', reason: 'allow:identity+resource' }
      : blocked(identityOk, boundaryOk, sessionOk);
  }

  // Same account: a grant to this very user or session (or to everyone) is not limited by an implicit deny of
  // the permissions boundary; a session policy yields only to a grant that names the session's own ARN
  // (IAM User Guide, "Session policies").
  const sessionLike =
    req.principalKind === 'assumed-role' || req.principalKind === 'user' || req.principalKind === 'federated-user';
  if (
    grants.has('direct') &&
    (sessionLike || isRoot || v.resource.wildcardGrant) &&
    (sessionOk || v.resource.namedGrant)
  ) {
    return { decision: 'Allowed', reason: 'allow:resource' };
  }
  if (hasNamedGrant && boundaryOk && sessionOk) return { decision: 'Allowed', reason: 'allow:resource' };

  if (resourcePolicyRequired(req, hasResourcePolicy)) {
    if (grants.has('account') && identityPath) return { decision: 'Allowed', reason: 'allow:identity+resource' };
    if (!grants.has('account') && !hasNamedGrant)
      return { decision: 'ImplicitlyDenied', reason: 'implicit-deny:resource' };
    return blocked(identityOk, boundaryOk, sessionOk);
  }
  if (identityPath) return { decision: 'Allowed', reason: 'allow:identity' };
  return blocked(identityOk, boundaryOk, sessionOk);
}

const SUMMARY_TEXTS: Record<string, string> = {
  'allow:get-caller-identity': 'sts:GetCallerIdentity needs no permission and cannot be denied.',
  'allow:identity': 'An identity-based policy allows it, and no boundary or session policy stands in the way.',
  'allow:resource': 'The resource-based policy allows it for this principal.',
  'allow:identity+resource':
    'Both the resource-based policy (naming the account or principal) and an identity-based policy allow it.',
  'implicit-deny:scp': 'A service control policy level has no statement that allows it.',
  'implicit-deny:rcp': 'A resource control policy level has no statement that allows it.',
  'implicit-deny:boundary': 'The permissions boundary does not allow it.',
  'implicit-deny:session': 'The session policy does not allow it.',
  'implicit-deny:resource':
    'The resource-based policy does not allow this principal (or, across accounts, its account).',
  'implicit-deny:identity':
    "Cross-account access needs an identity-based policy in the caller's account to allow it too, and none does.",
  'implicit-deny:no-allow': 'No policy allows it.',
};

function summaryOf(decision: Decision, reason: string, req: PreparedRequest, sameAccount: boolean): string[] {
  const who = req.principalArn;
  const lines = [
    `${who} ${decision === 'Allowed' ? 'may' : 'may not'} perform ${req.actionText} on ${req.resource} (${sameAccount ? 'same account' : 'cross-account'}).`,
  ];
  if (reason.startsWith('explicit-deny:'))
    lines.push(`A Deny statement in the ${reason.slice('explicit-deny:'.length)} policy matches.`);
  else if (SUMMARY_TEXTS[reason]) lines.push(SUMMARY_TEXTS[reason]!);
  return lines;
}

/**
 * Evaluate a request as AWS does (see `decide` above for the rules) and explain the decision. `policies` may
 * be a raw {@link PolicySet} (compiled on each call) or a {@link CompiledPolicySet} from `compilePolicySet`
 * (compile once, evaluate many times). SCPs do not apply to service principals or service-linked roles
 * (AWS Organizations User Guide, "Service control policies"), nor to principals of the management account
 * (`principal.managementAccount`). RCPs likewise do not apply to service principals.
 */
export function evaluateRequest(
  request: EvaluationRequest,
  policies: PolicySet | CompiledPolicySet,
  options: EvaluateOptions = {},
): EvaluationResult {
  const compiled = isCompiledPolicySet(policies) ? policies : compilePolicySet(policies);
  const req = prepareRequest(request);
  const detail = options.explain ?? true;
  const scope = evaluationScope(req, detail, compiled.boundary !== undefined);
  const isAws = req.principalType === 'AWS';
  const orgApplies = isAws && !isServiceLinkedRole(req) && request.principal.managementAccount !== true;
  const verdicts: Verdicts = {
    scp: orgApplies ? evaluateLevels('scp', compiled.scp, scope) : notApplicable('scp'),
    rcp:
      req.principalType !== 'Service' && !isServiceLinkedRole(req)
        ? evaluateLevels('rcp', compiled.rcp, scope)
        : notApplicable('rcp'),
    resource: evaluateKind('resource', compiled.resource ? [compiled.resource] : undefined, scope),
    identity: isAws ? evaluateKind('identity', compiled.identity, scope) : notApplicable('identity'),
    boundary: isAws
      ? evaluateKind('boundary', compiled.boundary ? [compiled.boundary] : undefined, scope)
      : notApplicable('boundary'),
    session: isAws ? evaluateKind('session', compiled.session, scope) : notApplicable('session'),
  };
  const { decision, reason } = decide(req, verdicts, compiled.resource !== undefined);
  const sameAccount = req.principalAccountId !== undefined && req.principalAccountId === req.resourceAccountId;
  const explanation: Explanation = {
    sameAccount,
    principalAccountId: req.principalAccountId,
    resourceAccountId: req.resourceAccountId,
    reason,
    summary: summaryOf(decision, reason, req, sameAccount),
    policies: KINDS.map((k) => ({ policy: k, result: verdicts[k].result, statements: verdicts[k].statements })),
  };
  return { decision, explanation };
}
