import { splitAction, wildcardToRegExp } from '../actions/index.ts';
import type { Finding } from '../errors/index.ts';
import { policySize } from '../policy-document/index.ts';
import { splitArn } from '../arn/index.ts';
import type { IamReference } from './iam-reference.ts';
import { policyVariables, validateConditionBlock, variableFindings } from './validate-condition.ts';
import { validatePrincipalElement } from './validate-principal.ts';
import { resourceFitsAction, securityFindings } from './policy-advice.ts';

/** The kinds of policy document, each with its own rules. */
export type PolicyDocumentKind = 'identity' | 'resource' | 'trust' | 'session' | 'boundary' | 'scp' | 'rcp';

/** How messages name each kind of policy. */
const KIND_LABEL: Record<PolicyDocumentKind, string> = {
  identity: 'An identity policy',
  resource: 'A resource policy',
  trust: 'A role trust policy',
  session: 'A session policy',
  boundary: 'A permissions boundary',
  scp: 'A service control policy',
  rcp: 'A resource control policy',
};

/** What a policy kind without a Principal element applies to (IAM User Guide; AWS Organizations User Guide). */
const APPLIES_TO: Record<PolicyDocumentKind, string> = {
  identity: 'it applies to the identity it is attached to',
  resource: 'it applies to the resource it is attached to',
  trust: 'it applies to the role it belongs to',
  session: 'it applies to the session it is passed to',
  boundary: 'it limits the identity it is set on',
  scp: 'it applies to the principals of the accounts, OUs or root it is attached to',
  rcp: 'it applies to the resources of the accounts it is attached to',
};

/** Options of {@link validatePolicyDocument}. */
export interface ValidatePolicyOptions {
  kind: PolicyDocumentKind;
  /** AWS's action/key/resource reference; without it, checks that need AWS's data are skipped. */
  reference?: IamReference;
  /**
   * Size quota in characters (white space excluded). Defaults per kind (IAM quotas): identity and boundary
   * 6,144 (managed policy), trust 2,048 (adjustable to 4,096: larger is an error, larger than 2,048 a
   * warning), session 2,048, SCP and RCP 5,120, resource 20,480 (S3 bucket policy).
   */
  maxSize?: number;
  /** The account that owns the role or resource, to tell cross-account principals in trust policies. */
  accountId?: string;
}

const DEFAULT_SIZE: Record<PolicyDocumentKind, number> = {
  identity: 6144,
  boundary: 6144,
  trust: 2048,
  session: 2048,
  scp: 5120,
  rcp: 5120,
  resource: 20480,
};
const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Principal',
  'NotPrincipal',
  'Condition',
]);

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * Validate a policy document as IAM does, and as a careful reviewer would (IAM User Guide, "IAM JSON policy
 * element reference" and "IAM JSON policy grammar"): Version, Statement as object or array, unique
 * alphanumeric Sids, Effect, exactly one of Action/NotAction, Resource/NotResource where the kind needs it
 * and not in trust policies, Principal/NotPrincipal only in resource, trust and RCP documents, every
 * condition operator, policy variables, size per kind; with a reference: unknown services and actions,
 * wildcards matching nothing, condition keys that are unknown or never apply, resources no action accepts;
 * for trust and resource policies: open principals, cross-account trust without `sts:ExternalId`, OIDC
 * trust without `aud` and `sub`. Returns findings; never throws.
 */
export function validatePolicyDocument(document: unknown, options: ValidatePolicyOptions): Finding[] {
  const findings: Finding[] = [];
  const add = (code: string, severity: Finding['severity'], message: string, path: string) =>
    findings.push({ code, severity, message, path });
  const { kind } = options;
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    add('POLICY_NOT_OBJECT', 'error', 'A policy document is a JSON object with Version and Statement.', '');
    return findings;
  }
  const doc = document as Record<string, unknown>;
  for (const key of Object.keys(doc))
    if (!TOP_LEVEL.has(key))
      add('POLICY_UNKNOWN_ELEMENT', 'error', `"${key}" is not a policy element (Version, Id, Statement).`, key);
  if (doc.Version === undefined)
    add(
      'POLICY_VERSION_MISSING',
      'warning',
      'No Version: AWS reads the policy as 2008-10-17, without policy variables. Add "Version": "2012-10-17".',
      'Version',
    );
  else if (doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17')
    add('POLICY_VERSION_INVALID', 'error', 'Version must be "2012-10-17" (or the legacy "2008-10-17").', 'Version');
  else if (doc.Version === '2008-10-17')
    add('POLICY_VERSION_OLD', 'info', 'Version 2008-10-17 has no policy variables; prefer 2012-10-17.', 'Version');
  const variables = doc.Version === '2012-10-17';

  const max = options.maxSize ?? DEFAULT_SIZE[kind];
  const size = policySize(document);
  if (kind === 'trust' && options.maxSize === undefined && size > 2048) {
    if (size > 4096)
      add(
        'POLICY_TOO_LARGE',
        'error',
        `The trust policy has ${size} characters; role trust policies are limited to 4,096 (2,048 by default).`,
        '',
      );
    else
      add(
        'POLICY_OVER_DEFAULT_QUOTA',
        'warning',
        `The trust policy has ${size} characters: over the default quota of 2,048 (adjustable up to 4,096).`,
        '',
      );
  } else if (size > max)
    add(
      'POLICY_TOO_LARGE',
      'error',
      `The policy has ${size} characters (white space excluded); the limit for a ${kind} policy is ${max}.`,
      '',
    );

  if (doc.Statement === undefined) {
    add('STATEMENT_MISSING', 'error', 'The policy has no Statement.', 'Statement');
    return findings;
  }
  const statements = asArray(doc.Statement);
  const single = !Array.isArray(doc.Statement);
  if (statements.length === 0) add('STATEMENT_EMPTY', 'error', 'Statement is empty.', 'Statement');
  const sids = new Map<string, number>();
  statements.forEach((raw, i) => {
    const base = single ? 'Statement' : `Statement[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      add('STATEMENT_INVALID', 'error', 'A statement is a JSON object.', base);
      return;
    }
    const s = raw as Record<string, unknown>;
    for (const key of Object.keys(s))
      if (!STATEMENT_KEYS.has(key))
        add('STATEMENT_UNKNOWN_ELEMENT', 'error', `"${key}" is not a statement element.`, `${base}.${key}`);
    if (s.Sid !== undefined) {
      if (typeof s.Sid !== 'string') add('SID_INVALID', 'error', 'Sid must be a string.', `${base}.Sid`);
      else {
        const strict = kind !== 'resource';
        if (strict && !/^[A-Za-z0-9]*$/.test(s.Sid))
          add(
            'SID_INVALID',
            'error',
            `Sid "${s.Sid}" may contain only letters and digits in IAM and Organizations policies.`,
            `${base}.Sid`,
          );
        if (sids.has(s.Sid))
          add(
            'SID_DUPLICATE',
            'error',
            `Sid "${s.Sid}" is also used by Statement[${sids.get(s.Sid)}]; Sids must be unique.`,
            `${base}.Sid`,
          );
        else sids.set(s.Sid, i);
      }
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
      add('EFFECT_INVALID', 'error', 'Effect must be "Allow" or "Deny" (case-sensitive).', `${base}.Effect`);
    const effect = s.Effect === 'Allow' || s.Effect === 'Deny' ? s.Effect : undefined;
    if (kind === 'rcp' && effect === 'Allow')
      add(
        'RCP_ALLOW',
        'error',
        'Resource control policies may only Deny (RCPFullAWSAccess provides the Allow).',
        `${base}.Effect`,
      );

    // Action / NotAction
    const hasAction = s.Action !== undefined;
    const hasNotAction = s.NotAction !== undefined;
    if (hasAction === hasNotAction)
      add(
        'ACTION_ELEMENT',
        'error',
        hasAction ? 'Use Action or NotAction, not both.' : 'A statement needs Action or NotAction.',
        base,
      );
    if (kind === 'rcp' && hasNotAction)
      add('RCP_NOTACTION', 'error', 'Resource control policies do not support NotAction.', `${base}.NotAction`);
    const actionKey = hasAction ? 'Action' : 'NotAction';
    const actionValues = hasAction || hasNotAction ? asArray(s[actionKey]) : [];
    const canonicalActions: string[] = [];
    actionValues.forEach((a, j) => {
      const at = Array.isArray(s[actionKey]) ? `${base}.${actionKey}[${j}]` : `${base}.${actionKey}`;
      if (typeof a !== 'string') return add('ACTION_INVALID', 'error', 'Actions are strings.', at);
      if (a === '*') {
        if (kind === 'rcp')
          add(
            'RCP_ACTION_WILDCARD',
            'error',
            'Resource control policies cannot use "*" as an action; name the service ("s3:*").',
            at,
          );
        return;
      }
      const parts = splitAction(a);
      if (!parts || !/^[a-zA-Z0-9-]+$/.test(parts.service))
        return add('ACTION_INVALID', 'error', `"${a}" is not of the form service:Action.`, at);
      const ref = options.reference;
      if (!ref) return;
      if (!ref.hasService(parts.service))
        return add('ACTION_UNKNOWN_SERVICE', 'warning', `"${parts.service}" is not an AWS service prefix.`, at);
      if (!ref.isLoaded(parts.service)) return;
      const re = wildcardToRegExp(a);
      const matched = ref.actionsOf(parts.service).filter((name) => re.test(name));
      if (matched.length === 0) {
        add(
          /[*?]/.test(a) ? 'ACTION_WILDCARD_MATCHES_NOTHING' : 'ACTION_UNKNOWN',
          'warning',
          `"${a}" matches no ${parts.service} action AWS documents.`,
          at,
        );
      } else if (hasAction) canonicalActions.push(...matched);
    });

    // Resource / NotResource
    const hasResource = s.Resource !== undefined;
    const hasNotResource = s.NotResource !== undefined;
    if (hasResource && hasNotResource) add('RESOURCE_ELEMENT', 'error', 'Use Resource or NotResource, not both.', base);
    if (kind === 'trust' && (hasResource || hasNotResource))
      add(
        'TRUST_RESOURCE',
        'error',
        'A role trust policy has no Resource: the role itself is the resource.',
        `${base}.${hasResource ? 'Resource' : 'NotResource'}`,
      );
    if (kind !== 'trust' && !hasResource && !hasNotResource)
      add('RESOURCE_MISSING', 'error', 'The statement needs Resource or NotResource.', base);
    const resourceKey = hasResource ? 'Resource' : 'NotResource';
    if (hasResource || hasNotResource) {
      asArray(s[resourceKey]).forEach((r, j) => {
        const at = Array.isArray(s[resourceKey]) ? `${base}.${resourceKey}[${j}]` : `${base}.${resourceKey}`;
        if (typeof r !== 'string') return add('RESOURCE_INVALID', 'error', 'Resources are strings.', at);
        if (r === '*') return;
        if (!splitArn(r))
          return add(
            'RESOURCE_INVALID',
            'error',
            `"${r}" must be an ARN (arn:partition:service:region:account:resource) or "*".`,
            at,
          );
        if (policyVariables(r).length > 0 && !variables)
          add(
            'POLICY_VARIABLE_IN_OLD_VERSION',
            'warning',
            `"${r}" uses a policy variable, read literally in Version 2008-10-17.`,
            at,
          );
        else if (variables && options.reference) findings.push(...variableFindings(r, at, options.reference));
        if (
          hasResource &&
          options.reference &&
          canonicalActions.length > 0 &&
          !canonicalActions.some((a) => resourceFitsAction(r, a, options.reference!))
        ) {
          add('RESOURCE_NOT_ACCEPTED', 'warning', `No action of this statement accepts a resource like "${r}".`, at);
        }
      });
    }

    // Principal / NotPrincipal
    const hasPrincipal = s.Principal !== undefined;
    const hasNotPrincipal = s.NotPrincipal !== undefined;
    const principalAllowed = kind === 'resource' || kind === 'trust' || kind === 'rcp';
    if (!principalAllowed && (hasPrincipal || hasNotPrincipal))
      add(
        'PRINCIPAL_NOT_ALLOWED',
        'error',
        `${KIND_LABEL[kind]} does not name principals: ${APPLIES_TO[kind]}.`,
        `${base}.${hasPrincipal ? 'Principal' : 'NotPrincipal'}`,
      );
    if (principalAllowed && !hasPrincipal && !hasNotPrincipal)
      add('PRINCIPAL_MISSING', 'error', `${KIND_LABEL[kind]} statement needs Principal.`, base);
    if (hasPrincipal && hasNotPrincipal)
      add('PRINCIPAL_ELEMENT', 'error', 'Use Principal or NotPrincipal, not both.', base);
    if (hasNotPrincipal && (kind === 'trust' || kind === 'rcp'))
      add(
        'NOTPRINCIPAL_NOT_ALLOWED',
        'error',
        `NotPrincipal is not allowed in a ${kind} policy.`,
        `${base}.NotPrincipal`,
      );
    if (hasNotPrincipal && kind === 'resource' && effect === 'Allow')
      add(
        'NOTPRINCIPAL_ALLOW',
        'error',
        'NotPrincipal must be used with "Effect": "Deny"; with Allow it is not supported.',
        `${base}.NotPrincipal`,
      );
    if (hasNotPrincipal && kind === 'resource' && effect === 'Deny')
      add(
        'NOTPRINCIPAL_DISCOURAGED',
        'info',
        'AWS recommends a Deny with ArnNotEquals on aws:PrincipalArn instead of NotPrincipal; NotPrincipal denies every principal that has a permissions boundary.',
        `${base}.NotPrincipal`,
      );
    if (principalAllowed && (hasPrincipal || hasNotPrincipal)) {
      const key = hasPrincipal ? 'Principal' : 'NotPrincipal';
      findings.push(...validatePrincipalElement(s[key], `${base}.${key}`));
      if (kind === 'rcp' && s.Principal !== '*')
        add(
          'RCP_PRINCIPAL',
          'error',
          'Resource control policies must use "Principal": "*" (narrow with conditions).',
          `${base}.Principal`,
        );
    }

    if (s.Condition !== undefined) {
      findings.push(
        ...validateConditionBlock(s.Condition, `${base}.Condition`, {
          variables,
          reference: options.reference,
          actions: canonicalActions,
          effect,
        }),
      );
    }
    if (kind === 'trust' || kind === 'resource')
      findings.push(...securityFindings(s, base, { kind, accountId: options.accountId }));
  });
  return findings;
}
