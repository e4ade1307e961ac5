import type { Finding } from '../errors/index.ts';
import { isAccountId, splitArn } from '../arn/index.ts';
import { parseIdentityArn } from './identity-arn.ts';

/** Identity providers AWS names by domain in `Federated` (IAM User Guide, "AWS JSON policy elements: Principal"). */
const FEDERATED_DOMAINS = new Set([
  'cognito-identity.amazonaws.com',
  'accounts.google.com',
  'graph.facebook.com',
  'www.amazon.com',
]);

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * Check a Principal or NotPrincipal element (IAM User Guide, "AWS JSON policy elements: Principal"):
 * `"*"`, or an object of `AWS` (account IDs, `...:root`, user, role, assumed-role session, federated-user ARNs;
 * `*` alone), `Service` (service principals), `Federated` (OIDC/SAML provider ARNs or the documented web
 * identity domains) and `CanonicalUser`. Wildcards inside a principal ARN are refused: AWS treats them
 * as literal text and names no principal.
 */
export function validatePrincipalElement(element: unknown, path: string): Finding[] {
  const findings: Finding[] = [];
  const add = (code: string, severity: Finding['severity'], message: string, at = path) =>
    findings.push({ code, severity, message, path: at });
  if (element === '*') return findings;
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    add(
      'PRINCIPAL_INVALID',
      'error',
      'Principal must be "*" or an object with AWS, Service, Federated or CanonicalUser.',
    );
    return findings;
  }
  const entries = Object.entries(element as Record<string, unknown>);
  if (entries.length === 0) add('PRINCIPAL_EMPTY', 'error', 'Principal names no principal.');
  for (const [type, raw] of entries) {
    const typePath = `${path}.${type}`;
    if (!['AWS', 'Service', 'Federated', 'CanonicalUser'].includes(type)) {
      add(
        'PRINCIPAL_TYPE_UNKNOWN',
        'error',
        `Unknown principal type "${type}"; use AWS, Service, Federated or CanonicalUser.`,
        typePath,
      );
      continue;
    }
    const values = list(raw);
    if (values.length === 0) add('PRINCIPAL_EMPTY', 'error', `${type} lists no principal.`, typePath);
    values.forEach((value, i) => {
      const at = Array.isArray(raw) ? `${typePath}[${i}]` : typePath;
      if (typeof value !== 'string' || value === '') {
        add('PRINCIPAL_INVALID', 'error', `${type} principals are non-empty strings.`, at);
        return;
      }
      if (type === 'AWS') {
        if (value === '*' || isAccountId(value)) return;
        const id = parseIdentityArn(value);
        if (!id) {
          add('PRINCIPAL_INVALID', 'error', `"${value}" is not an account ID or an IAM/STS principal ARN.`, at);
          return;
        }
        if (/[*?]/.test(value)) {
          add(
            'PRINCIPAL_WILDCARD',
            'error',
            `Wildcards cannot match part of a principal ARN ("${value}"); use "*" with a condition on aws:PrincipalArn.`,
            at,
          );
          return;
        }
        if (!isAccountId(id.account))
          add('PRINCIPAL_INVALID', 'error', `"${value}" has no valid 12-digit account ID.`, at);
        if (id.kind === 'other')
          add(
            'PRINCIPAL_INVALID',
            'error',
            `"${value}" is not a root, user, role, assumed-role or federated-user ARN.`,
            at,
          );
      } else if (type === 'Service') {
        if (value !== '*' && !/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(value)) {
          add(
            'PRINCIPAL_SERVICE_UNUSUAL',
            'warning',
            `"${value}" does not look like a service principal (service.amazonaws.com).`,
            at,
          );
        }
      } else if (type === 'Federated') {
        if (FEDERATED_DOMAINS.has(value)) return;
        const parts = splitArn(value);
        if (!parts || parts.service !== 'iam' || !/^(oidc-provider|saml-provider)\//.test(parts.resource)) {
          add(
            'PRINCIPAL_INVALID',
            'error',
            `"${value}" is not an OIDC or SAML provider ARN or a supported identity provider.`,
            at,
          );
        }
      }
    });
  }
  return findings;
}
