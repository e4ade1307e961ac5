import { randomBytes } from 'node:crypto';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { mintRunToken } from '../src/app/identity/mint-run-token.ts';
import { applyStack, OPERATOR_TOKEN, startTestService, type TestService } from './service-harness.ts';

const ISSUER = 'https://id.trustgate.test';
const MIN = 60_000;

/**
 * Rotating and revoking the OIDC issuer's signing keys through the operator routes while the broker issues to runs,
 * against the sandbox (its STS fetches the discovery document and JWKS over HTTP, no key cache). trustgate's clock and
 * the sandbox's move together; a test sets the sandbox's apart to exchange a token that has not expired yet.
 */
describe('OIDC key rotation through the broker, against the sandbox', () => {
  const t0 = new Date('2026-07-01T00:00:00Z').getTime();
  let now = t0;
  let stsNow: number | undefined;
  let sandbox: Sandbox;
  let t: TestService;
  let admin: string;
  let runs: string;
  let org: string;
  let stackId: string;
  let connectionId: string;
  let roleArn: string;
  let sts: STSClient;
  let runNumber = 0;

  const keys = (token: string | undefined = OPERATOR_TOKEN) => t.api('GET', '/v1/issuer/keys', { token });
  const jwksKids = async () =>
    ((await (await fetch(`${t.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );
  /** One run's issuance (per-run sessions: each exchanges a fresh token of the key signing now). */
  const issue = () =>
    t.api('POST', '/v1/issuances', {
      token: runs,
      body: { stack: 'net', phase: 'write', runId: `run-${++runNumber}`, connectionId },
    });
  /** A token of this stack minted now by the issuer (what the broker sends STS), with its kid. */
  const mint = async () => {
    const identity = t.service.deps.identity!;
    const minted = await mintRunToken(identity, {
      organizationId: org,
      spaceId: null,
      stackId,
      stackSlug: 'net',
      phase: 'write',
      runId: 'probe',
      connectionId,
      partition: 'aws',
      lifetimeSeconds: 3600,
    });
    return { token: minted.token, kid: decodeProtectedHeader(minted.token).kid! };
  };
  /** AssumeRoleWithWebIdentity with `token`, STS's clock at `at` (default trustgate's): accepted or the error name. */
  const exchange = async (token: string, at?: number) => {
    stsNow = at;
    try {
      await sts.send(
        new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'probe', WebIdentityToken: token }),
      );
      return 'accepted';
    } catch (error) {
      return (error as Error).name;
    } finally {
      stsNow = undefined;
    }
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1, clock: () => new Date(stsNow ?? now), oidcKeyCacheMs: 0 });
    const customer = sandbox.accounts[0]!;
    t = await startTestService({
      dialect: 'sqlite',
      partitions: { aws: { endpoint: sandbox.endpoint, region: sandbox.region, accountId: '111111111111' } },
      identity: {
        issuerUrl: ISSUER,
        keyEncryptionKey: randomBytes(32),
        clock: () => new Date(now),
        publishAheadMs: 10 * MIN,
        jwksMaxAgeSeconds: 60,
        ringCacheMs: 0,
      },
    });
    sandbox.routeOidcIssuer(ISSUER, t.url);
    ({ adminToken: admin, organizationId: org } = await t.newOrganization('Rotors'));
    stackId = (await t.api('POST', '/v1/stacks', { token: admin, body: { slug: 'net', name: 'net' } })).body.id;
    const created = await t.api('POST', '/v1/connections', {
      token: admin,
      body: {
        name: 'rotating',
        scope: { kind: 'account', accountId: customer.accountId },
        trust: { kind: 'oidc', stackIds: [stackId], phases: ['read', 'write'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    connectionId = created.body.connection.id;
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: customer,
      stackName: 'trustgate-oidc',
      templateBody: created.body.deliverables.formats['cloudformation-yaml'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    roleArn = stack.outputs.RoleArn!;
    const verified = await t.api('POST', `/v1/connections/${connectionId}/verify`, { token: admin, body: { roleArn } });
    expect(verified.body.status, verified.text).toBe('connected');
    const attached = await t.api('POST', `/v1/stacks/${stackId}/attachments`, {
      token: admin,
      body: { connectionId, phases: ['read', 'write'], sessionMode: 'per-run' },
    });
    expect(attached.status, attached.text).toBe(201);
    runs = (await t.api('POST', '/v1/tokens', { token: admin, body: { name: 'runs', scopes: ['credentials:issue'] } }))
      .body.secret;
    sts = new STSClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      maxAttempts: 1,
      credentials: async () => {
        throw new Error('the exchange is unsigned');
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  it('the key routes are the operator’s: an organization admin, a run token and no token are 401', async () => {
    for (const token of [admin, runs, undefined]) {
      expect((await t.api('GET', '/v1/issuer/keys', { token })).status).toBe(401);
      expect((await t.api('POST', '/v1/issuer/keys/rotate', { token })).status).toBe(401);
      expect((await t.api('DELETE', '/v1/issuer/keys/anything', { token })).status).toBe(401);
    }
    const listed = await keys();
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.keys).toEqual([expect.objectContaining({ generation: 1, state: 'signing' })]);
    expect(listed.text).not.toMatch(/sealed|"d"|privateKey/i);
    expect((await t.api('DELETE', '/v1/issuer/keys/no-such-kid', { token: OPERATOR_TOKEN })).status).toBe(404);
  });

  it('a rotation: the new key is published ahead, the old key’s tokens verify in the overlap and are refused once it left; no run fails', async () => {
    const old = await mint();
    const oldMintedAt = now;
    const rotated = await t.api('POST', '/v1/issuer/keys/rotate', { token: OPERATOR_TOKEN });
    expect(rotated.status, rotated.text).toBe(201);
    const next = rotated.body.key as { kid: string; state: string; activatesAt: string };
    expect(next.state).toBe('next');
    expect(Date.parse(next.activatesAt)).toBe(now + 10 * MIN);
    expect(await jwksKids()).toEqual([next.kid, old.kid]); // published before it signs
    // A second call while a key waits answers that key (no third key).
    expect((await t.api('POST', '/v1/issuer/keys/rotate', { token: OPERATOR_TOKEN })).body.key.kid).toBe(next.kid);

    const removedAt = Date.parse(next.activatesAt) + 60 * MIN + 5 * MIN; // + max token lifetime + retired grace
    const failures: string[] = [];
    const seen = new Set<string>();
    for (; now <= removedAt + 5 * MIN; now += 2.5 * MIN) {
      const res = await issue();
      if (res.status !== 201) failures.push(`${new Date(now).toISOString()}: ${res.status} ${res.text}`);
      expect(res.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
      const { kid } = await mint();
      seen.add(kid);
      expect(kid).toBe(now < Date.parse(next.activatesAt) ? old.kid : next.kid);
      const published = await jwksKids();
      expect(published.length).toBeLessThanOrEqual(4);
      expect(published.includes(old.kid)).toBe(now < removedAt);
      // The old key's token, exchanged while it is still valid by time: accepted while published, refused after.
      expect(await exchange(old.token, oldMintedAt + MIN)).toBe(
        now < removedAt ? 'accepted' : 'InvalidIdentityTokenException',
      );
    }
    expect(failures).toEqual([]);
    expect([...seen]).toEqual([old.kid, next.kid]);
    expect((await keys()).body.keys).toEqual([expect.objectContaining({ kid: next.kid, state: 'signing' })]);
  });

  it('revoking the signing key (compromised): it leaves the JWKS at once, its tokens fail, a new key signs and runs go on', async () => {
    const before = await mint();
    expect(await exchange(before.token)).toBe('accepted');
    const revoked = await t.api('DELETE', `/v1/issuer/keys/${before.kid}`, { token: OPERATOR_TOKEN });
    expect(revoked.status, revoked.text).toBe(200);
    expect(revoked.body.keys).toEqual([expect.objectContaining({ state: 'signing' })]);
    const replacement = revoked.body.keys[0].kid as string;
    expect(replacement).not.toBe(before.kid);
    expect(await jwksKids()).toEqual([replacement]);
    expect(await exchange(before.token)).toBe('InvalidIdentityTokenException');
    const res = await issue();
    expect(res.status, res.text).toBe(201);
    expect((await mint()).kid).toBe(replacement);
  });

  it('revoking a waiting next key or a retired one removes only it; the signer keeps signing', async () => {
    const signer = (await keys()).body.keys[0].kid as string;
    const next = (await t.api('POST', '/v1/issuer/keys/rotate', { token: OPERATOR_TOKEN })).body.key.kid as string;
    const left = await t.api('DELETE', `/v1/issuer/keys/${next}`, { token: OPERATOR_TOKEN });
    expect(left.body.keys).toEqual([expect.objectContaining({ kid: signer, state: 'signing' })]);
    expect(await jwksKids()).toEqual([signer]);
    // Rotate again and let the new key sign: the retired one can be revoked early, before its grace ends.
    const again = (await t.api('POST', '/v1/issuer/keys/rotate', { token: OPERATOR_TOKEN })).body.key;
    now = Date.parse(again.activatesAt) + MIN;
    expect((await keys()).body.keys.map((k: { state: string }) => k.state)).toEqual(['signing', 'retired']);
    expect(await exchange((await mint()).token)).toBe('accepted');
    await t.api('DELETE', `/v1/issuer/keys/${signer}`, { token: OPERATOR_TOKEN });
    expect(await jwksKids()).toEqual([again.kid]);
    expect((await issue()).status).toBe(201);
  });
});
