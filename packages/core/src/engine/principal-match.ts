import { isAccountId, splitArn } from '../arn/index.ts';
import { parseIdentityArn } from './identity-arn.ts';
import type { PreparedRequest } from './request-context.ts';
import type { PrincipalMatchKind } from './types.ts';

/** One entry of a Principal/NotPrincipal element, compiled. */
export type PrincipalEntry =
  | { type: 'wildcard' }
  | { type: 'account'; account: string }
  | { type: 'arn'; arn: string; roleName?: string; roleAccount?: string; rolePartition?: string }
  | { type: 'service' | 'federated' | 'canonical'; value: string };

const RANK: Record<PrincipalMatchKind, number> = { direct: 4, 'user-of-session': 3, 'role-of-session': 2, account: 1 };

/**
 * Compile a Principal element (IAM User Guide, "AWS JSON policy elements: Principal"): `"*"`,
 * `{"AWS": "*"}`, account IDs and `arn:...:iam::<account>:root` (the account), role, user, session and
 * federated-user ARNs, service principals, federated providers and canonical users.
 */
export function compilePrincipal(element: unknown): PrincipalEntry[] {
  if (element === '*') return [{ type: 'wildcard' }];
  if (typeof element !== 'object' || element === null) return [];
  const out: PrincipalEntry[] = [];
  for (const [type, raw] of Object.entries(element as Record<string, unknown>)) {
    const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    for (const value of values) {
      if (type === 'AWS') {
        if (value === '*') out.push({ type: 'wildcard' });
        else if (isAccountId(value)) out.push({ type: 'account', account: value });
        else {
          const id = parseIdentityArn(value);
          if (id?.kind === 'root') out.push({ type: 'account', account: id.account });
          else if (id?.kind === 'role')
            out.push({
              type: 'arn',
              arn: value,
              roleName: id.name!.toLowerCase(),
              roleAccount: id.account,
              rolePartition: id.partition,
            });
          else out.push({ type: 'arn', arn: value });
        }
      } else if (type === 'Service') out.push(value === '*' ? { type: 'wildcard' } : { type: 'service', value });
      else if (type === 'Federated') out.push({ type: 'federated', value });
      else if (type === 'CanonicalUser') out.push({ type: 'canonical', value });
    }
  }
  return out;
}

function matchOne(entry: PrincipalEntry, req: PreparedRequest): PrincipalMatchKind | undefined {
  switch (entry.type) {
    case 'wildcard':
      return 'direct';
    case 'service':
      return req.principalType === 'Service' && entry.value === req.principalArn ? 'direct' : undefined;
    case 'federated':
      return req.principalType === 'Federated' && entry.value === req.principalArn ? 'direct' : undefined;
    case 'canonical':
      return entry.value === req.principalArn ? 'direct' : undefined;
    case 'account':
      return req.principalType === 'AWS' && req.principalAccountId === entry.account ? 'account' : undefined;
    case 'arn': {
      if (req.principalType !== 'AWS') return undefined;
      if (entry.arn === req.principalArn) return 'direct';
      if (req.principalKind === 'assumed-role' && entry.roleName !== undefined) {
        const session = splitArn(req.principalArn);
        if (
          session &&
          session.account === entry.roleAccount &&
          session.partition === entry.rolePartition &&
          req.principalName?.toLowerCase() === entry.roleName
        ) {
          return 'role-of-session';
        }
      }
      if (req.principalKind === 'federated-user' && req.principalName !== undefined) {
        const session = splitArn(req.principalArn);
        if (session && entry.arn === `arn:${session.partition}:iam::${session.account}:user/${req.principalName}`)
          return 'user-of-session';
      }
      return undefined;
    }
  }
}

/** The strongest way any entry names the request's principal, or undefined when none does. */
export function matchPrincipal(entries: PrincipalEntry[], req: PreparedRequest): PrincipalMatchKind | undefined {
  let best: PrincipalMatchKind | undefined;
  for (const e of entries) {
    const m = matchOne(e, req);
    if (m && (!best || RANK[m] > RANK[best])) {
      best = m;
      if (best === 'direct') break;
    }
  }
  return best;
}
