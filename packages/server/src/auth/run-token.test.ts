import { describe, expect, it } from 'vitest';
import type { ApiToken, User } from '../model/records.ts';
import { authenticateRunToken, mintRunToken, readRunToken, type RunTokenClaims } from './run-token.ts';

const NOW = new Date('2026-01-01T00:00:00Z');
const claims: RunTokenClaims = {
  org: 'org_1',
  stack: 'stk_1',
  phase: 'read',
  run: 'run-1',
  account: '123456789012',
  tok: 'tok_1',
  iat: NOW.getTime() / 1000,
  exp: NOW.getTime() / 1000 + 600,
};
const user: User = { id: 'usr_1', organizationId: 'org_1', email: 'a@b.c', name: 'A', role: 'member', createdAt: '' };
const apiToken: ApiToken = {
  id: 'tok_1',
  organizationId: 'org_1',
  userId: 'usr_1',
  name: 't',
  scopes: ['credentials:issue'],
  createdAt: '',
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  issueRestriction: null,
};

function port(token: ApiToken | null = apiToken) {
  return {
    tokens: {
      get: async (org: string, id: string) => (org === token?.organizationId && id === token.id ? token : undefined),
    },
    directory: {
      getUser: async (org: string, id: string) => (org === user.organizationId && id === user.id ? user : undefined),
    },
  };
}

/** Flips one character of the token at `index` (to another base64url character). */
function flip(token: string, index: number): string {
  const c = token[index] === 'A' ? 'B' : 'A';
  return token.slice(0, index) + c + token.slice(index + 1);
}

describe('run tokens', () => {
  it('round-trip their claims under the same secret only', () => {
    const token = mintRunToken('secret', claims);
    expect(token.startsWith('tgr_')).toBe(true);
    expect(readRunToken('secret', token, NOW)).toEqual(claims);
    expect(() => readRunToken('other-secret', token, NOW)).toThrow(/run token/);
  });

  it('refuse a tampered payload, a tampered MAC, another prefix, garbage and an expired token', () => {
    const token = mintRunToken('secret', claims);
    const forged = mintRunToken('secret', { ...claims, stack: 'stk_2' });
    const [payloadB] = forged.slice(4).split('.');
    const [, macA] = token.slice(4).split('.');
    const spliced = `tgr_${payloadB}.${macA}`;
    for (const bad of [
      flip(token, 6),
      flip(token, token.length - 3),
      spliced,
      token.replace('tgr_', 'tg_'),
      `${token}.x`,
      'tgr_',
      'tgr_abc',
      '',
    ]) {
      expect(() => readRunToken('secret', bad, NOW), bad.slice(0, 12)).toThrow(
        expect.objectContaining({ code: 'UNAUTHENTICATED' }),
      );
    }
    expect(() => readRunToken('secret', token, new Date((claims.exp + 1) * 1000))).toThrow(
      expect.objectContaining({ code: 'UNAUTHENTICATED' }),
    );
  });

  it('authenticate as the issuing token, and not once that token is revoked or expired, nor in the wrong form', async () => {
    const token = mintRunToken('secret', claims);
    const ok = await authenticateRunToken(port(), {
      secret: 'secret',
      header: `Bearer ${token}`,
      form: 'bearer',
      now: NOW,
    });
    expect(ok.principal.token.id).toBe('tok_1');
    expect(ok.principal.user.id).toBe('usr_1');
    const raw = await authenticateRunToken(port(), { secret: 'secret', header: token, form: 'raw', now: NOW });
    expect(raw.claims).toEqual(claims);
    const refusals = [
      () =>
        authenticateRunToken(port({ ...apiToken, revokedAt: NOW.toISOString() }), {
          secret: 'secret',
          header: token,
          form: 'raw',
          now: NOW,
        }),
      () =>
        authenticateRunToken(port({ ...apiToken, expiresAt: NOW.toISOString() }), {
          secret: 'secret',
          header: token,
          form: 'raw',
          now: NOW,
        }),
      () => authenticateRunToken(port(null), { secret: 'secret', header: token, form: 'raw', now: NOW }),
      () => authenticateRunToken(port(), { secret: 'secret', header: token, form: 'bearer', now: NOW }),
      () => authenticateRunToken(port(), { secret: 'secret', header: `Bearer ${token}`, form: 'raw', now: NOW }),
      () => authenticateRunToken(port(), { secret: 'secret', header: undefined, form: 'raw', now: NOW }),
      () => authenticateRunToken(port(), { secret: 'secret', header: 'Bearer tg_notarun', form: 'bearer', now: NOW }),
    ];
    for (const r of refusals) await expect(r()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
