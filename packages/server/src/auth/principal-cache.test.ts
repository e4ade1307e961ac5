import { describe, expect, it } from 'vitest';
import type { ApiToken, User } from '../model/records.ts';
import { hashApiTokenSecret } from './api-token-secret.ts';
import { cachingAuthenticator } from './principal-cache.ts';
import type { AuthenticatePort } from './principal.ts';

const SECRET = 'tg_principal_cache_test_secret_0123456789';
const user: User = {
  id: 'usr_1',
  organizationId: 'org_1',
  email: 'a@example.test',
  name: 'A',
  role: 'member',
  createdAt: '2026-01-01T00:00:00.000Z',
};

/** A store port over one token, counting reads; `revoked` and `expiresAt` change what it answers. */
function fakeStore(o: { expiresAt?: string | null } = {}) {
  const state = { reads: 0, revoked: false, epoch: 0 };
  const token = (): ApiToken => ({
    id: 'tok_1',
    organizationId: 'org_1',
    userId: 'usr_1',
    name: 't',
    scopes: ['connections:read'],
    createdAt: '2026-01-01T00:00:00.000Z',
    expiresAt: o.expiresAt ?? null,
    revokedAt: state.revoked ? '2026-01-02T00:00:00.000Z' : null,
    lastUsedAt: new Date().toISOString(),
    issueRestriction: null,
  });
  const port: AuthenticatePort = {
    tokens: {
      async findByHash(hash) {
        state.reads += 1;
        return hash === hashApiTokenSecret(SECRET) ? token() : undefined;
      },
      async touch() {},
    },
    directory: { getUser: async () => user },
  };
  return { port, state };
}

describe('cachingAuthenticator', () => {
  it('reuses a principal within the TTL and reads the store again after it', async () => {
    let now = 1_000_000;
    const { port, state } = fakeStore();
    const auth = cachingAuthenticator(port, { ttlMs: 1000, writeEpoch: () => state.epoch, now: () => now });
    for (let i = 0; i < 5; i++) expect((await auth(`Bearer ${SECRET}`)).token.id).toBe('tok_1');
    expect(state.reads).toBe(1);
    now += 1000;
    await auth(`Bearer ${SECRET}`);
    expect(state.reads).toBe(2);
  });

  it('refuses a token revoked through this instance at once: the write epoch moved', async () => {
    const { port, state } = fakeStore();
    const auth = cachingAuthenticator(port, { ttlMs: 60_000, writeEpoch: () => state.epoch });
    await auth(`Bearer ${SECRET}`);
    state.revoked = true;
    state.epoch += 1;
    await expect(auth(`Bearer ${SECRET}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a cached token once it expires, without waiting for the TTL', async () => {
    let now = Date.parse('2026-06-01T00:00:00.000Z');
    const { port, state } = fakeStore({ expiresAt: '2026-06-01T00:00:00.500Z' });
    const auth = cachingAuthenticator(port, { ttlMs: 60_000, writeEpoch: () => state.epoch, now: () => now });
    await auth(`Bearer ${SECRET}`);
    now += 600;
    await expect(auth(`Bearer ${SECRET}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('never caches a refusal, and with a TTL of 0 reads the store every time', async () => {
    const { port, state } = fakeStore();
    const auth = cachingAuthenticator(port, { ttlMs: 60_000, writeEpoch: () => state.epoch });
    await expect(auth('Bearer tg_wrong_secret_value_0123456789')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(auth('Bearer tg_wrong_secret_value_0123456789')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(state.reads).toBe(2);
    const uncached = cachingAuthenticator(port, { ttlMs: 0, writeEpoch: () => state.epoch });
    await uncached(`Bearer ${SECRET}`);
    await uncached(`Bearer ${SECRET}`);
    expect(state.reads).toBe(4);
  });

  it('refuses a token revoked through another instance at once: the shared generation moved; unreadable, the store is read', async () => {
    const { port, state } = fakeStore();
    let generation: string | Error = '7';
    const auth = cachingAuthenticator(port, {
      ttlMs: 60_000,
      writeEpoch: () => state.epoch,
      sharedGeneration: async () => {
        if (generation instanceof Error) throw generation;
        return generation;
      },
    });
    await auth(`Bearer ${SECRET}`);
    await auth(`Bearer ${SECRET}`);
    expect(state.reads).toBe(1);
    generation = new Error('redis down');
    await auth(`Bearer ${SECRET}`);
    await auth(`Bearer ${SECRET}`);
    expect(state.reads).toBe(3);
    generation = '7';
    await auth(`Bearer ${SECRET}`);
    expect(state.reads).toBe(4); // read while the generation was unknown: not reused
    state.revoked = true;
    generation = '8';
    await expect(auth(`Bearer ${SECRET}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
