import type { Finding } from '../errors/index.ts';
import { isAccountId, splitArn } from '../arn/index.ts';
import { parseIdentityArn } from './identity-arn.ts';
import type { IamReference } from './iam-reference.ts';

/**
 * True when a policy resource ARN could name a resource of one of `action`'s resource types: the ARN formats
 * of the Service Authorization Reference (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`) are compared
 * with the policy ARN, segment by segment, treating `${...}` placeholders and policy wildcards as "anything".
 * Actions that take only `*` accept no ARN.
 */
export function resourceFitsAction(resource: string, action: string, reference: IamReference): boolean {
  const a = reference.action(action);
  if (!a) return true;
  const policy = splitArn(resource);
  if (!policy) return false;
  for (const rt of a.resourceTypes) {
    const format = splitArn(rt.arn.replace(/\$\{Partition\}/g, '*'));
    if (!format) continue;
    const pairs: Array<[string, string]> = [
      [format.service, policy.service],
      [format.region, policy.region],
      [format.account, policy.account],
      [format.resource, policy.resource],
    ];
    if (pairs.every(([f, p]) => segmentFits(f, p))) return true;
  }
  return false;
}

function literalPrefix(text: string, stop: RegExp): string {
  const i = text.search(stop);
  return i < 0 ? text : text.slice(0, i);
}

/** Could the policy segment (with `*`, `?`, `${var}`) denote something the format segment allows? */
function segmentFits(format: string, policy: string): boolean {
  if (/^\$\{[^}]*\}$/.test(format)) return true; // a whole-segment placeholder takes anything
  if (/[*?]|\$\{/.test(policy)) {
    const p = literalPrefix(policy, /[*?]|\$\{/).toLowerCase();
    const f = literalPrefix(format, /\$\{/).toLowerCase();
    const n = Math.min(p.length, f.length);
    return p.slice(0, n) === f.slice(0, n);
  }
  const source = format
    .split(/\$\{[^}]*\}/)
    .map((lit) => lit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.+');
  return new RegExp(`^${source}$`, 'is').test(policy);
}

/** Condition keys that restrict who the principal is (or on whose behalf a service acts). */
const SCOPING_KEYS = new Set(
  [
    'aws:PrincipalArn',
    'aws:PrincipalAccount',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:SourceAccount',
    'aws:SourceArn',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:userid',
    'aws:username',
  ].map((k) => k.toLowerCase()),
);

/** Web identity providers whose tokens carry `aud` and `sub` claims a trust policy must pin. */
function providerOf(federated: string): string | undefined {
  if (!federated.includes(':')) return federated; // accounts.google.com, cognito-identity.amazonaws.com
  const parts = splitArn(federated);
  if (parts && parts.resource.startsWith('oidc-provider/')) return parts.resource.slice('oidc-provider/'.length);
  return undefined;
}

function conditionKeys(s: Record<string, unknown>): string[] {
  const c = s.Condition;
  if (typeof c !== 'object' || c === null) return [];
  return Object.values(c as Record<string, unknown>).flatMap((block) =>
    typeof block === 'object' && block !== null ? Object.keys(block).map((k) => k.toLowerCase()) : [],
  );
}

/**
 * The security review of a trust or resource policy statement (IAM User Guide, "How to use an external ID
 * when granting access to your AWS resources to a third party", "Creating a role for OIDC federation"):
 * an Allow to every principal without conditions, cross-account trust without `sts:ExternalId`, and OIDC
 * trust that does not pin both `aud` and `sub`.
 */
export function securityFindings(
  s: Record<string, unknown>,
  base: string,
  options: { kind: 'trust' | 'resource'; accountId: string | undefined },
): Finding[] {
  const findings: Finding[] = [];
  if (s.Effect !== 'Allow' || s.Principal === undefined) return findings;
  const keys = conditionKeys(s);
  const principal = s.Principal;
  const at = `${base}.Principal`;
  const aws =
    principal === '*'
      ? ['*']
      : typeof principal === 'object' && principal !== null
        ? [(principal as Record<string, unknown>).AWS ?? []].flat()
        : [];
  const everyone = aws.includes('*') || principal === '*';
  if (everyone && keys.length === 0) {
    findings.push({
      code: options.kind === 'trust' ? 'TRUST_ANY_PRINCIPAL' : 'RESOURCE_PUBLIC',
      severity: 'warning',
      message:
        options.kind === 'trust'
          ? 'Any AWS principal in any account may assume this role: there is no condition. Name the trusted account or role.'
          : 'Any principal, including anonymous ones, is allowed: there is no condition.',
      path: at,
    });
  }
  if (options.kind !== 'trust') return findings;
  if (everyone && keys.length > 0 && !keys.some((k) => SCOPING_KEYS.has(k))) {
    findings.push({
      code: 'TRUST_ANY_PRINCIPAL_UNSCOPED',
      severity: 'warning',
      message:
        'Any AWS principal may assume this role if it meets the conditions, and no condition names who (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalOrgID, aws:SourceAccount...).',
      path: at,
    });
  }
  const actions = [s.Action ?? []]
    .flat()
    .filter((a): a is string => typeof a === 'string')
    .map((a) => a.toLowerCase());
  const assumes = actions.some((a) => a === '*' || a === 'sts:*' || a === 'sts:assumerole');
  const crossAccount = aws.some((p) => {
    if (typeof p !== 'string' || p === '*') return false;
    const account = isAccountId(p) ? p : parseIdentityArn(p)?.account;
    return account !== undefined && account !== options.accountId;
  });
  if (assumes && crossAccount && !keys.includes('sts:externalid')) {
    findings.push({
      code: 'TRUST_NO_EXTERNAL_ID',
      severity: 'warning',
      message:
        'Another account may assume this role without an sts:ExternalId condition (confused deputy). Require the external ID the vendor issued.',
      path: at,
    });
  }
  const federated =
    typeof principal === 'object' && principal !== null
      ? [(principal as Record<string, unknown>).Federated ?? []].flat()
      : [];
  for (const f of federated) {
    if (typeof f !== 'string') continue;
    const provider = providerOf(f);
    if (!provider) continue; // SAML: SAML:aud is added by AWS's console template and checked by STS
    const missing = ['aud', 'sub'].filter(
      (claim) =>
        !keys.includes(`${provider.toLowerCase()}:${claim}`) &&
        !(claim === 'aud' && keys.includes(`${provider.toLowerCase()}:oaud`)),
    );
    if (missing.length > 0) {
      findings.push({
        code: 'TRUST_OIDC_UNPINNED',
        severity: 'warning',
        message: `The OIDC trust for ${provider} does not constrain ${missing.map((m) => `${provider}:${m}`).join(' and ')}: any token from that provider could assume the role.`,
        path: at,
      });
    }
  }
  return findings;
}
