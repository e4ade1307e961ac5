import { decodeJwt, generateKeyPair, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseOidcSubject } from '@trustgate/core';
import type { IdentityDeps } from './identity-deps.ts';
import { mintRunToken, type RunTokenInput } from './mint-run-token.ts';

const RUN: RunTokenInput = {
  organizationId: 'org_1',
  spaceId: null,
  stackId: 'stk_1',
  stackSlug: 'net',
  phase: 'read',
  runId: 'run_1',
  connectionId: 'con_1',
  partition: 'aws',
};

describe('mintRunToken', () => {
  let deps: IdentityDeps;
  let publicKey: CryptoKey;
  const now = new Date('2026-05-01T12:00:00.700Z');
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    publicKey = pair.publicKey as CryptoKey;
    deps = {
      issuerUrl: 'https://id.trustgate.test',
      clock: () => now,
      maxTokenLifetimeSeconds: 900,
      jwksMaxAgeSeconds: 60,
      keys: {
        signer: async () => ({ kid: 'k1', algorithm: 'ES256', key: pair.privateKey as CryptoKey }),
        jwks: async () => ({ keys: [] }),
        rotate: async () => {
          throw new Error('unused');
        },
        list: async () => [],
        revoke: async () => [],
      },
    };
  });

  it('signs with the current key; a stack without a space is space:none; exp is the service maximum by default', async () => {
    const minted = await mintRunToken(deps, RUN);
    const { payload, protectedHeader } = await jwtVerify(minted.token, publicKey, {
      issuer: 'https://id.trustgate.test',
      audience: 'sts.amazonaws.com',
      currentDate: now,
    });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: 'k1', typ: 'JWT' });
    expect(payload.sub).toBe('org:org_1:space:none:stack:stk_1:phase:read');
    expect(payload.iat).toBe(Math.floor(now.getTime() / 1000));
    expect(payload.exp! - payload.iat!).toBe(900);
    expect(minted.expiresAt.getTime()).toBe(payload.exp! * 1000);
    expect(payload.space_id).toBeNull();
    expect(payload).not.toHaveProperty('https://aws.amazon.com/tags');
  });

  it('escapes IDs holding separators, so they cannot forge another segment', async () => {
    const minted = await mintRunToken(deps, { ...RUN, stackId: 'x:phase:write' });
    expect(parseOidcSubject(decodeJwt(minted.token).sub!)).toEqual({
      org: 'org_1',
      space: 'none',
      stack: 'x:phase:write',
      phase: 'read',
    });
  });

  it('gives every token its own jti', async () => {
    const ids = await Promise.all(Array.from({ length: 20 }, async () => (await mintRunToken(deps, RUN)).jti));
    expect(new Set(ids).size).toBe(20);
  });

  it.each([
    [{ sessionTags: { principalTags: {} } }, 'sessionTags'],
    [
      { sessionTags: { principalTags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])) } },
      'sessionTags',
    ],
    [{ sessionTags: { principalTags: { ['k'.repeat(129)]: 'v' } } }, 'sessionTags'],
    [{ sessionTags: { principalTags: { k: 'v'.repeat(257) } } }, 'sessionTags'],
    [{ sessionTags: { principalTags: { k: 'v' }, transitiveTagKeys: ['other'] } }, 'sessionTags.transitiveTagKeys'],
    [{ audience: '' }, 'audience'],
    [{ audience: 'a'.repeat(256) }, 'audience'],
    [{ lifetimeSeconds: 901 }, 'lifetimeSeconds'],
    [{ lifetimeSeconds: 0 }, 'lifetimeSeconds'],
    [{ runEndsAt: new Date(now.getTime() - 1000) }, 'runEndsAt'],
  ] as [Partial<RunTokenInput>, string][])('refuses %j naming %s, minting nothing', async (change, field) => {
    await expect(mintRunToken(deps, { ...RUN, ...change })).rejects.toMatchObject({ code: 'INVALID_INPUT', field });
  });
});
