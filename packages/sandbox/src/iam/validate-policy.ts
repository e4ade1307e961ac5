import type { PolicyDocument } from '@trustgate/core';
import { PARTITIONS } from '@trustgate/core';
import { malformedPolicy } from '../protocol/aws-error.ts';

const TOP_ELEMENTS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_ELEMENTS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const TRUST_ACTIONS = new Set([
  'sts:assumerole',
  'sts:assumerolewithsaml',
  'sts:assumerolewithwebidentity',
  'sts:tagsession',
  'sts:setsourceidentity',
  'sts:setcontext',
]);

/** What kind of policy is being validated: AWS applies different rules to each. */
export type PolicyUse = 'identity' | 'trust';

/** A principal ARN the validator must confirm exists (AWS: "Invalid principal in policy"). */
export type PrincipalExists = (arn: string) => boolean;

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

function isStringOrStrings(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}

/**
 * Parses and validates a policy document as IAM does on CreatePolicy / PutRolePolicy / CreateRole
 * (IAM User Guide, "IAM JSON policy grammar" and "Validating IAM policies"): JSON syntax and known elements
 * ("Syntax errors in policy."), Version 2012-10-17 (2008-10-17 is still accepted by IAM for compatibility,
 * trust policies too), Effect, actions prefaced by a vendor (unknown actions are accepted, as AWS does),
 * resources in ARN format, no Principal in identity policies, Principal and no Resource in trust policies,
 * unique Sids. Size quotas are checked by the caller, which knows which quota applies.
 * Returns the parsed document; throws `MalformedPolicyDocument` (400) with AWS's message.
 */
export function validatePolicyDocument(
  text: string,
  use: PolicyUse,
  principalExists?: PrincipalExists,
): PolicyDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformedPolicy('Syntax errors in policy.');
  }
  const syntax = (ok: boolean): void => {
    if (!ok) throw malformedPolicy('Syntax errors in policy.');
  };
  syntax(typeof doc === 'object' && doc !== null && !Array.isArray(doc));
  const top = doc as Record<string, unknown>;
  syntax(Object.keys(top).every((k) => TOP_ELEMENTS.has(k)));
  syntax(top.Version === undefined || top.Version === '2012-10-17' || top.Version === '2008-10-17');
  syntax(top.Id === undefined || typeof top.Id === 'string');
  syntax(typeof top.Statement === 'object' && top.Statement !== null);
  const statements = asList(top.Statement);
  syntax(statements.length > 0);
  for (const s of statements) {
    syntax(typeof s === 'object' && s !== null && !Array.isArray(s));
    const st = s as Record<string, unknown>;
    syntax(Object.keys(st).every((k) => STATEMENT_ELEMENTS.has(k)));
    syntax(!('Action' in st && 'NotAction' in st) && !('Resource' in st && 'NotResource' in st));
    syntax(st.Effect === 'Allow' || st.Effect === 'Deny');
    for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'])
      syntax(st[key] === undefined || isStringOrStrings(st[key]));
    syntax(st.Sid === undefined || typeof st.Sid === 'string');
    if (st.Condition !== undefined) {
      syntax(typeof st.Condition === 'object' && st.Condition !== null && !Array.isArray(st.Condition));
      for (const block of Object.values(st.Condition as object))
        syntax(typeof block === 'object' && block !== null && !Array.isArray(block));
    }
  }
  const sids = new Set<string>();
  for (const st of statements as Array<Record<string, unknown>>) {
    if (typeof st.Sid === 'string' && st.Sid !== '') {
      if (sids.has(st.Sid)) throw malformedPolicy('Statement IDs (SID) in a single policy must be unique.');
      sids.add(st.Sid);
    }
    const actions = asList(st.Action ?? st.NotAction) as string[];
    if (actions.length === 0) throw malformedPolicy('Policy statement must contain actions.');
    for (const action of actions) {
      const parts = action.split(':');
      if (parts.length === 1 && action !== '*')
        throw malformedPolicy('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
      if (parts.length > 2) throw malformedPolicy('Actions/Condition can contain only one colon.');
      if (action !== '*' && /[^a-zA-Z0-9\-.*?]/.test(parts[0]!))
        throw malformedPolicy(`Vendor ${parts[0]!} is not valid`);
    }
    for (const resource of asList(st.Resource ?? st.NotResource) as string[]) {
      if (resource !== '*' && !resource.includes(':'))
        throw malformedPolicy(`Resource ${resource} must be in ARN format or "*".`);
      const partition = resource.split(':')[1];
      if (resource !== '*' && partition !== '*' && !(PARTITIONS as readonly string[]).includes(partition ?? '')) {
        throw malformedPolicy(`Partition "${partition ?? ''}" is not valid for resource "${resource}".`);
      }
    }
    if (use === 'identity') {
      if ('Principal' in st || 'NotPrincipal' in st)
        throw malformedPolicy('Policy document should not specify a principal.');
      if (!('Resource' in st) && !('NotResource' in st))
        throw malformedPolicy('Policy statement must contain resources.');
    } else {
      if ('Resource' in st || 'NotResource' in st) throw malformedPolicy('Has prohibited field Resource.');
      if (!('Principal' in st) && !('NotPrincipal' in st)) throw malformedPolicy('Missing required field Principal.');
      for (const action of actions) {
        if (!TRUST_ACTIONS.has(action.toLowerCase()) && !action.includes('*')) {
          throw malformedPolicy(
            'Trust Policy statement actions can only be sts:AssumeRole, sts:AssumeRoleWithSAML, and sts:AssumeRoleWithWebIdentity',
          );
        }
      }
      checkPrincipal(st.Principal ?? st.NotPrincipal, principalExists);
    }
  }
  return doc as PolicyDocument;
}

function checkPrincipal(principal: unknown, principalExists?: PrincipalExists): void {
  if (principal === '*') return;
  const invalid = (type: string, value: string): never => {
    throw malformedPolicy(`Invalid principal in policy: "${type}":"${value}"`);
  };
  if (typeof principal !== 'object' || principal === null || Array.isArray(principal))
    throw malformedPolicy('Syntax errors in policy.');
  for (const [type, values] of Object.entries(principal as Record<string, unknown>)) {
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(type))
      throw malformedPolicy('Syntax errors in policy.');
    if (!isStringOrStrings(values)) throw malformedPolicy('Syntax errors in policy.');
    for (const value of asList(values) as string[]) {
      if (type === 'AWS') {
        if (value === '*' || /^\d{12}$/.test(value)) continue;
        if (!/^arn:[a-z-]+:(iam|sts)::\d{12}:.+$/.test(value)) invalid(type, value);
        if (principalExists && !principalExists(value)) invalid(type, value);
      } else if (type === 'Service') {
        if (!/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(value) && value !== '*') invalid(type, value);
      } else if (type === 'Federated') {
        if (value.startsWith('arn:') && principalExists && !principalExists(value)) invalid(type, value);
      }
    }
  }
}
