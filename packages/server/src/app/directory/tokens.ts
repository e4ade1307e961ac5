import type { IssueRestriction } from '../../model/broker-records.ts';
import { TrustgateError } from '@trustgate/core';
import { generateApiTokenSecret } from '../../auth/api-token-secret.ts';
import { hasScope, requireScope, type Principal } from '../../auth/principal.ts';
import type { ApiToken, TokenScope } from '../../model/records.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DirectoryPort } from './directory-port.ts';

/** A token as created: its metadata and the secret, which is shown this once and never again. */
export interface IssuedToken {
  token: ApiToken;
  secret: string;
}

/**
 * Issues a token. A token can only mint tokens with scopes it holds itself (and `admin` only for admin
 * users); minting for another user needs `admin`. The secret is returned once; only its hash is kept.
 */
export async function issueToken(
  port: DirectoryPort,
  principal: Principal,
  input: {
    name: string;
    scopes: TokenScope[];
    userId?: string;
    expiresInDays?: number;
    issueRestriction?: IssueRestriction;
  },
): Promise<IssuedToken> {
  const userId = input.userId ?? principal.user.id;
  if (userId !== principal.user.id) requireScope(principal, 'admin');
  const owner =
    userId === principal.user.id ? principal.user : await port.directory.getUser(principal.organizationId, userId);
  if (owner === undefined) throw new TrustgateError('NOT_FOUND', 'No such user.', { field: 'userId' });
  for (const scope of input.scopes) {
    if (!hasScope(principal, scope))
      throw new TrustgateError('FORBIDDEN', `A token cannot grant the "${scope}" scope it does not hold.`, {
        field: 'scopes',
      });
    if (scope === 'admin' && owner.role !== 'admin')
      throw new TrustgateError('INVALID_INPUT', 'Only admin users can hold the "admin" scope.', { field: 'scopes' });
  }
  const issueRestriction = await checkedIssueRestriction(port, principal, input.scopes, input.issueRestriction);
  const { secret, hash } = generateApiTokenSecret();
  const expiresAt =
    input.expiresInDays === undefined ? null : new Date(Date.now() + input.expiresInDays * 86_400_000).toISOString();
  const token = await port.tokens.create({
    organizationId: principal.organizationId,
    userId,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    tokenHash: hash,
    expiresAt,
    issueRestriction,
  });
  await recordAudit(port, {
    principal,
    action: 'token.create',
    details: {
      tokenId: token.id,
      userId,
      scopes: token.scopes,
      ...(issueRestriction === null ? {} : { issueRestriction }),
    },
  });
  return { token, secret };
}

/** True when every member of `inner` is in `outer`. */
const within = (inner: string[], outer: string[]) => inner.every((x) => outer.includes(x));

/**
 * The issue restriction a new token carries: only with the `credentials:issue` scope; its spaces and stacks must
 * exist in the organization; and a token issued by a restricted token is restricted at least as narrowly (it may
 * not widen what its issuer may issue for). A restricted issuer's restriction is inherited when none is given.
 */
async function checkedIssueRestriction(
  port: DirectoryPort,
  principal: Principal,
  scopes: TokenScope[],
  asked: IssueRestriction | undefined,
): Promise<IssueRestriction | null> {
  const issues = scopes.includes('credentials:issue');
  if (asked !== undefined && !issues)
    throw new TrustgateError('INVALID_INPUT', 'issueRestriction needs the "credentials:issue" scope.', {
      field: 'issueRestriction',
    });
  if (!issues) return null;
  const parent = principal.token.issueRestriction ?? null;
  const restriction = asked ?? parent;
  if (restriction === null) return null;
  const org = principal.organizationId;
  for (const spaceId of restriction.spaceIds ?? [])
    if ((await port.directory.getSpace(org, spaceId)) === undefined)
      throw new TrustgateError('NOT_FOUND', `No such space: ${spaceId}.`, { field: 'issueRestriction.spaceIds' });
  for (const stackId of restriction.stackIds ?? [])
    if ((await port.stacks.get(org, stackId)) === undefined)
      throw new TrustgateError('NOT_FOUND', `No such stack: ${stackId}.`, { field: 'issueRestriction.stackIds' });
  if (parent !== null) {
    const narrower =
      (parent.spaceIds === undefined ||
        (restriction.spaceIds !== undefined && within(restriction.spaceIds, parent.spaceIds))) &&
      (parent.stackIds === undefined ||
        (restriction.stackIds !== undefined && within(restriction.stackIds, parent.stackIds)));
    if (!narrower)
      throw new TrustgateError(
        'FORBIDDEN',
        'A restricted token may only issue tokens restricted at least as narrowly (within its own spaces and stacks).',
        { field: 'issueRestriction' },
      );
  }
  return {
    ...(restriction.spaceIds === undefined ? {} : { spaceIds: [...new Set(restriction.spaceIds)] }),
    ...(restriction.stackIds === undefined ? {} : { stackIds: [...new Set(restriction.stackIds)] }),
  };
}

/** Tokens visible to the caller: their own, or all of the organization for admins. */
export async function listTokens(port: DirectoryPort, principal: Principal): Promise<ApiToken[]> {
  const all = principal.user.role === 'admin' && hasScope(principal, 'admin');
  return port.tokens.list(principal.organizationId, all ? undefined : principal.user.id);
}

/** Revokes one of the caller's tokens (admins: any token of the organization). NOT_FOUND otherwise. */
export async function revokeToken(port: DirectoryPort, principal: Principal, tokenId: string): Promise<void> {
  const token = await port.tokens.get(principal.organizationId, tokenId);
  const mayRevokeOthers = principal.user.role === 'admin' && hasScope(principal, 'admin');
  if (token === undefined || (token.userId !== principal.user.id && !mayRevokeOthers)) {
    throw new TrustgateError('NOT_FOUND', 'No such token.', { field: 'tokenId' });
  }
  await port.tokens.revoke(principal.organizationId, tokenId);
  await recordAudit(port, { principal, action: 'token.revoke', details: { tokenId } });
}
