import type { ApiToken, Space, User } from '../../model/records.ts';

/** What the API shows of a user. */
export const userOut = (u: User) => ({ id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt });

/** What the API shows of a token: its metadata, never its hash. */
export const tokenOut = (t: ApiToken) => ({
  id: t.id,
  userId: t.userId,
  name: t.name,
  scopes: t.scopes,
  createdAt: t.createdAt,
  expiresAt: t.expiresAt,
  revokedAt: t.revokedAt,
  lastUsedAt: t.lastUsedAt,
  issueRestriction: t.issueRestriction ?? null,
});

/** What the API shows of a space. */
export const spaceOut = (sp: Space) => ({ id: sp.id, name: sp.name, createdAt: sp.createdAt });
