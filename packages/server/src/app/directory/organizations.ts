import { TrustgateError } from '@trustgate/core';
import type { Repositories } from '../../store/store.ts';
import { generateApiTokenSecret } from '../../auth/api-token-secret.ts';
import { hasScope, requireScope, type Principal } from '../../auth/principal.ts';
import { recordAudit } from '../audit/record-audit.ts';
import { TOKEN_SCOPES, type ApiToken, type Organization, type Space, type TokenScope, type User, type UserRole } from '../../model/records.ts';

/** The store port the organization use cases need. */
export type DirectoryPort = Pick<Repositories, 'directory' | 'tokens' | 'audit'>;

/** A token as created: its metadata and the secret, which is shown this once and never again. */
export interface IssuedToken {
  token: ApiToken;
  secret: string;
}

/**
 * Creates an organization with its first admin user and an admin token carrying every scope. Used by the
 * operator route and by `trustgate serve`'s demo seed.
 */
export async function createOrganizationWithAdmin(
  port: DirectoryPort,
  input: { name: string; adminEmail: string; adminName: string },
): Promise<{ organization: Organization; admin: User; issued: IssuedToken }> {
  const organization = await port.directory.createOrganization({ name: input.name });
  const admin = await port.directory.createUser({ organizationId: organization.id, email: input.adminEmail, name: input.adminName, role: 'admin' });
  const { secret, hash } = generateApiTokenSecret();
  const token = await port.tokens.create({ organizationId: organization.id, userId: admin.id, name: 'initial admin token', scopes: [...TOKEN_SCOPES], tokenHash: hash, expiresAt: null });
  await port.audit.append({ organizationId: organization.id, actorUserId: null, tokenId: null, action: 'organization.create', connectionId: null, details: { name: input.name, adminUserId: admin.id } });
  return { organization, admin, issued: { token, secret } };
}

/** Adds a user (admins only). */
export async function addUser(port: DirectoryPort, principal: Principal, input: { email: string; name: string; role: UserRole }): Promise<User> {
  requireScope(principal, 'admin');
  const user = await port.directory.createUser({ organizationId: principal.organizationId, ...input });
  await recordAudit(port, { principal, action: 'user.create', details: { userId: user.id, role: user.role } });
  return user;
}

/** Deletes a user (admins only; not oneself). NOT_FOUND for a user of another organization. */
export async function removeUser(port: DirectoryPort, principal: Principal, userId: string): Promise<void> {
  requireScope(principal, 'admin');
  if (userId === principal.user.id) throw new TrustgateError('CONFLICT', 'You cannot delete yourself.', { field: 'userId' });
  if (!(await port.directory.deleteUser(principal.organizationId, userId))) throw new TrustgateError('NOT_FOUND', 'No such user.', { field: 'userId' });
  await recordAudit(port, { principal, action: 'user.delete', details: { userId } });
}

/**
 * Issues a token. A token can only mint tokens with scopes it holds itself (and `admin` only for admin
 * users); minting for another user needs `admin`. The secret is returned once; only its hash is kept.
 */
export async function issueToken(
  port: DirectoryPort,
  principal: Principal,
  input: { name: string; scopes: TokenScope[]; userId?: string; expiresInDays?: number },
): Promise<IssuedToken> {
  const userId = input.userId ?? principal.user.id;
  if (userId !== principal.user.id) requireScope(principal, 'admin');
  const owner = userId === principal.user.id ? principal.user : await port.directory.getUser(principal.organizationId, userId);
  if (owner === undefined) throw new TrustgateError('NOT_FOUND', 'No such user.', { field: 'userId' });
  for (const scope of input.scopes) {
    if (!hasScope(principal, scope)) throw new TrustgateError('FORBIDDEN', `A token cannot grant the "${scope}" scope it does not hold.`, { field: 'scopes' });
    if (scope === 'admin' && owner.role !== 'admin') throw new TrustgateError('INVALID_INPUT', 'Only admin users can hold the "admin" scope.', { field: 'scopes' });
  }
  const { secret, hash } = generateApiTokenSecret();
  const expiresAt = input.expiresInDays === undefined ? null : new Date(Date.now() + input.expiresInDays * 86_400_000).toISOString();
  const token = await port.tokens.create({ organizationId: principal.organizationId, userId, name: input.name, scopes: [...new Set(input.scopes)], tokenHash: hash, expiresAt });
  await recordAudit(port, { principal, action: 'token.create', details: { tokenId: token.id, userId, scopes: token.scopes } });
  return { token, secret };
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

/** Creates a space (admins only). */
export async function addSpace(port: DirectoryPort, principal: Principal, input: { name: string }): Promise<Space> {
  requireScope(principal, 'admin');
  const space = await port.directory.createSpace({ organizationId: principal.organizationId, name: input.name });
  await recordAudit(port, { principal, action: 'space.create', details: { spaceId: space.id, name: space.name } });
  return space;
}

/** Deletes a space (admins only). */
export async function removeSpace(port: DirectoryPort, principal: Principal, spaceId: string): Promise<void> {
  requireScope(principal, 'admin');
  if (!(await port.directory.deleteSpace(principal.organizationId, spaceId))) throw new TrustgateError('NOT_FOUND', 'No such space.', { field: 'spaceId' });
  await recordAudit(port, { principal, action: 'space.delete', details: { spaceId } });
}
