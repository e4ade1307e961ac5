import { TrustgateError } from '@trustgate/core';
import { generateApiTokenSecret } from '../../auth/api-token-secret.ts';
import { requireScope, type Principal } from '../../auth/principal.ts';
import { TOKEN_SCOPES, type Organization, type User } from '../../model/records.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DirectoryPort } from './directory-port.ts';
import type { IssuedToken } from './tokens.ts';

/**
 * Creates an organization with its first admin user and an admin token carrying every scope. Used by the
 * operator route and by `trustgate serve`'s demo seed.
 */
export async function createOrganizationWithAdmin(
  port: DirectoryPort,
  input: { name: string; adminEmail: string; adminName: string },
): Promise<{ organization: Organization; admin: User; issued: IssuedToken }> {
  const organization = await port.directory.createOrganization({ name: input.name });
  const admin = await port.directory.createUser({
    organizationId: organization.id,
    email: input.adminEmail,
    name: input.adminName,
    role: 'admin',
  });
  const { secret, hash } = generateApiTokenSecret();
  const token = await port.tokens.create({
    organizationId: organization.id,
    userId: admin.id,
    name: 'initial admin token',
    scopes: [...TOKEN_SCOPES],
    tokenHash: hash,
    expiresAt: null,
  });
  await recordAudit(port, {
    principal: null,
    organizationId: organization.id,
    action: 'organization.create',
    details: { name: input.name, adminUserId: admin.id },
  });
  return { organization, admin, issued: { token, secret } };
}

/** The caller's organization (any authenticated caller). */
export async function getOrganization(port: DirectoryPort, principal: Principal): Promise<Organization> {
  const organization = await port.directory.getOrganization(principal.organizationId);
  if (organization === undefined) throw new TrustgateError('NOT_FOUND', 'No such organization.');
  return organization;
}

/** Renames the caller's organization (admins only), audited with the old and the new name. */
export async function renameOrganization(
  port: DirectoryPort,
  principal: Principal,
  name: string,
): Promise<Organization> {
  requireScope(principal, 'admin');
  const before = await getOrganization(port, principal);
  await port.directory.renameOrganization(principal.organizationId, name);
  await recordAudit(port, { principal, action: 'organization.rename', details: { from: before.name, to: name } });
  return { ...before, name };
}
