import { TrustgateError } from '@trustgate/core';
import type { ApiToken, TokenScope, User } from '../model/records.ts';
import { hashApiTokenSecret } from './api-token-secret.ts';

/** Who is calling: the token's user in the token's organization, with the token's scopes. */
export interface Principal {
  organizationId: string;
  user: User;
  token: ApiToken;
}

/** The narrow store port {@link authenticate} needs. */
export interface AuthenticatePort {
  tokens: { findByHash(hash: string): Promise<ApiToken | undefined>; touch(id: string): Promise<void> };
  directory: { getUser(organizationId: string, id: string): Promise<User | undefined> };
}

const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/]+=*)$/;

/**
 * Resolves an `Authorization: Bearer <token>` header to a {@link Principal}. A missing, malformed, unknown,
 * revoked or expired token — or one whose user was deleted — is UNAUTHENTICATED with the same message, so a
 * caller learns nothing about which tokens exist.
 */
export async function authenticate(
  port: AuthenticatePort,
  header: string | undefined,
  now: Date = new Date(),
): Promise<Principal> {
  // Built only when refusing: an error captures a stack trace, which cost every authenticated request.
  const denied = (): TrustgateError =>
    new TrustgateError('UNAUTHENTICATED', 'A valid bearer token is required (Authorization: Bearer <token>).');
  const match = header === undefined ? null : BEARER.exec(header.trim());
  if (match === null || match[1] === undefined) throw denied();
  const token = await port.tokens.findByHash(hashApiTokenSecret(match[1]));
  if (token === undefined || token.revokedAt !== null) throw denied();
  if (token.expiresAt !== null && token.expiresAt <= now.toISOString()) throw denied();
  const user = await port.directory.getUser(token.organizationId, token.userId);
  if (user === undefined) throw denied();
  // Record use at most once a minute: a write per request would cost a commit (an fsync) on every call.
  if (token.lastUsedAt === null || Date.parse(token.lastUsedAt) < now.getTime() - 60_000)
    await port.tokens.touch(token.id);
  return { organizationId: token.organizationId, user, token };
}

/** True when the principal's token carries `scope` (`connections:write` implies `connections:read`). */
export function hasScope(principal: Principal, scope: TokenScope): boolean {
  const scopes = principal.token.scopes;
  if (scopes.includes(scope)) return true;
  return scope === 'connections:read' && scopes.includes('connections:write');
}

/** Throws FORBIDDEN unless the token has `scope` (and, for `admin`, the user is an organization admin). */
export function requireScope(principal: Principal, scope: TokenScope): void {
  if (!hasScope(principal, scope)) {
    throw new TrustgateError('FORBIDDEN', `This token lacks the "${scope}" scope.`, { details: { scope } });
  }
  if (scope === 'admin' && principal.user.role !== 'admin') {
    throw new TrustgateError('FORBIDDEN', 'Only organization admins may do this.');
  }
}
