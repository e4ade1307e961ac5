import { randomBytes } from 'node:crypto';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrustPolicy, oidcSubjectPattern } from '@trustgate/core';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { createTrustgateService, type TrustgateService } from '../src/create-service.ts';
import type { IdentityDeps } from '../src/app/identity/identity-deps.ts';
import { mintRunToken, type RunTokenInput } from '../src/app/identity/mint-run-token.ts';
import { NO_AWS, TEST_SERVICE_DEFAULTS } from './service-harness.ts';

/** The issuer as AWS requires it (https, no port); the sandbox reaches it on loopback (`oidcIssuerOrigins`). */
const ISSUER = 'https://id.trustgate.test';
const MIN = 60_000;

describe('trustgate as an OIDC issuer, against the sandbox fetching its discovery document and JWKS over HTTP', () => {
  // trustgate's clock and the sandbox's (STS's): the same time unless a test sets them apart.
  let now = new Date('2026-06-01T00:00:00Z');
  let stsNow: Date | undefined;
  let service: TrustgateService;
  let url: string;
  let sandbox: Sandbox;
  let identity: IdentityDeps;
  let sts: STSClient;
  const roles: Record<string, string> = {};
  const log: string[] = [];
  const run = (o: Partial<RunTokenInput> = {}): RunTokenInput => ({
    organizationId: 'org_acme',
    spaceId: 'spc_prod',
    stackId: 'stk_a',
    stackSlug: 'network',
    phase: 'write',
    runId: 'run_1',
    connectionId: 'con_1',
    partition: 'aws',
    ...o,
  });
  const exchange = (role: string, token: string) =>
    sts.send(
      new AssumeRoleWithWebIdentityCommand({ RoleArn: roles[role], RoleSessionName: 'run', WebIdentityToken: token }),
    );
  const refusal = async (role: string, token: string) => {
    try {
      await exchange(role, token);
      return 'accepted';
    } catch (error) {
      return (error as Error).name;
    }
  };

  beforeAll(async () => {
    service = await createTrustgateService({
      databaseUrl: ':memory:',
      partitions: NO_AWS, // no platform AWS credentials: nothing here could reach AWS
      ...TEST_SERVICE_DEFAULTS,
      logger: { level: 'trace', stream: { write: (line: string) => log.push(line) } },
      identity: {
        issuerUrl: ISSUER,
        keyEncryptionKey: randomBytes(32),
        clock: () => now,
        publishAheadMs: 10 * MIN,
        jwksMaxAgeSeconds: 60,
        ringCacheMs: 0,
      },
    });
    url = await service.listen({ port: 0 });
    identity = service.deps.identity!;
    sandbox = await startSandbox({
      accounts: 1,
      clock: () => stsNow ?? now,
      oidcIssuerOrigins: { [ISSUER]: url },
      oidcKeyCacheMs: 0,
    });
    const account = sandbox.accounts[0]!;
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: account });
    await iam.send(new CreateOpenIDConnectProviderCommand({ Url: ISSUER, ClientIDList: ['sts.amazonaws.com'] }));
    const locks = {
      stackA: oidcSubjectPattern({ org: 'org_acme', stack: 'stk_a' }),
      stackARead: oidcSubjectPattern({ org: 'org_acme', stack: 'stk_a', phase: 'read' }),
    };
    for (const [name, subject] of Object.entries(locks)) {
      const trust = buildTrustPolicy({
        partition: 'aws',
        principals: [
          {
            type: 'oidc',
            accountId: account.accountId,
            issuer: ISSUER,
            audiences: ['sts.amazonaws.com'],
            subjects: [subject],
          },
        ],
      });
      const role = await iam.send(
        new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust.document) }),
      );
      roles[name] = role.Role!.Arn!;
    }
    // AssumeRoleWithWebIdentity is unsigned: the run's token is all it takes, no AWS credentials at all.
    sts = new STSClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      maxAttempts: 1,
      credentials: async () => {
        throw new Error('no AWS credentials are used for the exchange');
      },
    });
  });
  afterAll(async () => {
    // Nothing the issuer holds or mints reached the log: no token (header.payload.signature), no private key.
    const text = log.join('');
    expect(text).toContain('/.well-known/jwks.json'); // the requests were logged...
    expect(text).not.toMatch(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/); // ...but no JWT
    for (const key of await service.store.signingKeys.list())
      expect(text).not.toContain(key.sealedPrivateKey.split('.')[3]);
    expect(text).not.toMatch(/"d":"/);
    await sandbox?.stop();
    await service?.close();
  });

  it('publishes the discovery document and the JWKS, unauthenticated and cacheable, with no private member', async () => {
    const discovery = await fetch(`${url}/.well-known/openid-configuration`);
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('cache-control')).toBe('public, max-age=60');
    const doc = (await discovery.json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: ISSUER,
      jwks_uri: `${ISSUER}/.well-known/jwks.json`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(doc.claims_supported).toEqual(expect.arrayContaining(['sub', 'aud', 'exp', 'stack_id', 'run_id']));
    const jwks = await fetch(`${url}/.well-known/jwks.json`);
    expect(jwks.headers.get('cache-control')).toBe('public, max-age=60');
    const { keys } = (await jwks.json()) as { keys: Record<string, unknown>[] };
    expect(keys).toHaveLength(1);
    expect(Object.keys(keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });

  it('without identity configured, the routes are not found', async () => {
    const plain = await createTrustgateService({
      databaseUrl: ':memory:',
      partitions: NO_AWS,
      ...TEST_SERVICE_DEFAULTS,
    });
    try {
      const at = await plain.listen({ port: 0 });
      for (const path of ['/.well-known/openid-configuration', '/.well-known/jwks.json']) {
        const res = await fetch(`${at}${path}`);
        expect(res.status).toBe(404);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
      }
    } finally {
      await plain.close();
    }
  });

  it('a minted token names the run: iss, aud, sub, iat = nbf, exp within the hour and the run, jti, run claims', async () => {
    const minted = await mintRunToken(identity, {
      ...run(),
      runEndsAt: new Date(now.getTime() + 20 * MIN),
      sessionTags: { principalTags: { stack: 'network' }, transitiveTagKeys: ['stack'] },
    });
    const claims = decodeJwt(minted.token);
    expect(decodeProtectedHeader(minted.token)).toMatchObject({ alg: 'RS256', kid: minted.kid, typ: 'JWT' });
    expect(claims).toMatchObject({
      iss: ISSUER,
      aud: 'sts.amazonaws.com',
      sub: 'org:org_acme:space:spc_prod:stack:stk_a:phase:write',
      organization_id: 'org_acme',
      space_id: 'spc_prod',
      stack_id: 'stk_a',
      stack: 'network',
      phase: 'write',
      run_id: 'run_1',
      connection_id: 'con_1',
      'https://aws.amazon.com/tags': { principal_tags: { stack: ['network'] }, transitive_tag_keys: ['stack'] },
    });
    expect(claims.nbf).toBe(claims.iat);
    expect(claims.exp! - claims.iat!).toBe(20 * 60); // the run ends first
    expect(claims.jti).toBe(minted.jti);
    const full = decodeJwt((await mintRunToken(identity, run())).token);
    expect(full.exp! - full.iat!).toBe(3600);
    expect(decodeJwt((await mintRunToken(identity, run({ partition: 'aws-cn' }))).token).aud).toBe(
      'sts.amazonaws.com.cn',
    );
    await expect(mintRunToken(identity, run({ runEndsAt: now }))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(mintRunToken(identity, run({ lifetimeSeconds: 3601 }))).rejects.toMatchObject({
      field: 'lifetimeSeconds',
    });
  });

  it("the role locked to stack A accepts stack A's token with no AWS credentials, and refuses stack B's", async () => {
    const out = await exchange('stackA', (await mintRunToken(identity, run())).token);
    expect(out.SubjectFromWebIdentityToken).toBe('org:org_acme:space:spc_prod:stack:stk_a:phase:write');
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(await refusal('stackA', (await mintRunToken(identity, run({ stackId: 'stk_b' }))).token)).toBe(
      'AccessDenied',
    );
    expect(await refusal('stackA', (await mintRunToken(identity, run({ organizationId: 'org_other' }))).token)).toBe(
      'AccessDenied',
    );
  });

  it('a read-only role accepts the read phase and refuses a write-phase token', async () => {
    expect(
      (await exchange('stackARead', (await mintRunToken(identity, run({ phase: 'read' }))).token)).Credentials,
    ).toBeDefined();
    expect(await refusal('stackARead', (await mintRunToken(identity, run({ phase: 'write' }))).token)).toBe(
      'AccessDenied',
    );
  });

  it('refuses another audience, an expired token, and a token signed by a key not in the JWKS', async () => {
    expect(await refusal('stackA', (await mintRunToken(identity, run({ audience: 'someone-else' }))).token)).toBe(
      'InvalidIdentityTokenException',
    );
    const short = await mintRunToken(identity, run({ lifetimeSeconds: 60 }));
    const start = now;
    now = new Date(start.getTime() + 61_000);
    try {
      expect(await refusal('stackA', short.token)).toBe('ExpiredTokenException');
    } finally {
      now = start;
    }
    // A forger who knows everything but the private key: the same claims and even the real kid.
    const genuine = await mintRunToken(identity, run());
    const forgerKey = (await generateKeyPair('RS256')).privateKey;
    for (const kid of [genuine.kid, 'unknown-kid']) {
      const forged = await new SignJWT(decodeJwt(genuine.token))
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .sign(forgerKey);
      expect(await refusal('stackA', forged)).toBe('InvalidIdentityTokenException');
    }
  });

  it('rotation: no run fails while keys change; old-key tokens verify during the overlap and are refused once it is removed', async () => {
    const oldKid = (await identity.keys.signer()).kid;
    const next = await identity.keys.rotate();
    expect(next).toMatchObject({ state: 'next' });
    const start = now.getTime();
    let lastOld: string | undefined;
    let firstNew: string | undefined;
    const seen = new Set<string>();
    for (let m = 0; m <= 20; m++) {
      now = new Date(start + m * MIN);
      const minted = await mintRunToken(identity, run({ runId: `run_${m}` }));
      seen.add(minted.kid);
      await exchange('stackA', minted.token); // every run, before, during and after the switch, gets credentials
      if (minted.kid === oldKid) lastOld = minted.token;
      else firstNew ??= minted.token;
    }
    expect([...seen]).toEqual([oldKid, next.kid]);
    // Overlap: the old key's last token (signed 9 minutes in, valid an hour) still verifies after the switch.
    expect((await exchange('stackA', lastOld!)).Credentials).toBeDefined();
    // The old key leaves the JWKS once its last token can have expired (switch + 1 h + 5 min grace). A verifier whose
    // clock still says that token is valid (the sandbox stays 20 minutes in) now refuses it: its key is gone.
    now = new Date(start + 75 * MIN);
    stsNow = new Date(start + 20 * MIN);
    try {
      const jwks = (await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
      expect(jwks.keys.map((k) => k.kid)).toEqual([next.kid]);
      expect(await refusal('stackA', lastOld!)).toBe('InvalidIdentityTokenException');
      expect((await exchange('stackA', firstNew!)).Credentials).toBeDefined();
    } finally {
      stsNow = undefined;
    }
  });
});
