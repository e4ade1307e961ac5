import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../store/store.ts';
import { generateApiTokenSecret, hashApiTokenSecret } from './api-token-secret.ts';
import { authenticate, requireScope } from './principal.ts';

describe('authenticate', () => {
  let store: Store;
  beforeEach(async () => {
    store = await openStore({ url: ':memory:' });
  });
  afterEach(async () => store.close());

  async function tokenFor(role: 'admin' | 'member', extra: { expiresAt?: string | null } = {}) {
    const org = await store.directory.createOrganization({ name: 'o' });
    const user = await store.directory.createUser({
      organizationId: org.id,
      email: `${Math.random()}@o.test`,
      name: 'u',
      role,
    });
    const { secret, hash } = generateApiTokenSecret();
    const token = await store.tokens.create({
      organizationId: org.id,
      userId: user.id,
      name: 't',
      scopes: ['connections:read'],
      tokenHash: hash,
      expiresAt: extra.expiresAt ?? null,
    });
    return { org, user, token, secret };
  }

  it('resolves a valid bearer token to its user and organization and records its use', async () => {
    const { org, user, token, secret } = await tokenFor('member');
    const principal = await authenticate(store, `Bearer ${secret}`);
    expect(principal).toMatchObject({ organizationId: org.id, user: { id: user.id }, token: { id: token.id } });
    expect((await store.tokens.get(org.id, token.id))?.lastUsedAt).not.toBeNull();
  });

  it('refuses missing, malformed, unknown, revoked, expired tokens and deleted users with one message', async () => {
    const messages = new Set<string>();
    const refuse = async (header: string | undefined) => {
      const error = await authenticate(store, header).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'UNAUTHENTICATED' });
      messages.add((error as Error).message);
    };
    await refuse(undefined);
    await refuse('Basic abc');
    await refuse(`Bearer ${generateApiTokenSecret().secret}`);
    const revoked = await tokenFor('member');
    await store.tokens.revoke(revoked.org.id, revoked.token.id);
    await refuse(`Bearer ${revoked.secret}`);
    const expired = await tokenFor('member', { expiresAt: new Date(Date.now() - 1000).toISOString() });
    await refuse(`Bearer ${expired.secret}`);
    const orphan = await tokenFor('member');
    await store.directory.deleteUser(orphan.org.id, orphan.user.id);
    await refuse(`Bearer ${orphan.secret}`);
    expect(messages.size).toBe(1);
  });

  it('stores only the hash: the secret cannot be found in the database', async () => {
    const { secret } = await tokenFor('admin');
    expect(await store.tokens.findByHash(secret)).toBeUndefined();
    expect(await store.tokens.findByHash(hashApiTokenSecret(secret))).toBeDefined();
  });

  it('requires the admin role for the admin scope even when a token carries it', async () => {
    const { secret } = await tokenFor('member');
    const principal = await authenticate(store, `Bearer ${secret}`);
    expect(() => requireScope({ ...principal, token: { ...principal.token, scopes: ['admin'] } }, 'admin')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
    expect(() => requireScope(principal, 'connections:write')).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});
