import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTrustPolicy, oidcSubjectPattern } from '@trustgate/core';
import { mintRunToken } from '@trustgate/server';
import { startServe, type RunningServe } from '../src/commands/serve.ts';
import { DEMO_OIDC_ISSUER, readIdentitySettings } from '../src/commands/identity-options.ts';

describe('trustgate serve as an OIDC issuer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-serve-oidc-'));
  let running: RunningServe | undefined;
  const start = () =>
    startServe({ db: join(dir, 'tg.sqlite'), port: '0', host: '127.0.0.1', aws: 'sandbox', partition: 'aws' });
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the demo's issuer is served, and the sandbox's STS accepts its tokens for a role trusting it", async () => {
    running = await start();
    const doc = (await (await fetch(`${running.url}/.well-known/openid-configuration`)).json()) as { issuer: string };
    expect(doc.issuer).toBe(DEMO_OIDC_ISSUER);
    const sandbox = running.sandbox!;
    const customer = sandbox.accounts[1]!;
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: customer });
    await iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: DEMO_OIDC_ISSUER, ClientIDList: ['sts.amazonaws.com'] }),
    );
    const trust = buildTrustPolicy({
      partition: 'aws',
      principals: [
        {
          type: 'oidc',
          accountId: customer.accountId,
          issuer: DEMO_OIDC_ISSUER,
          audiences: ['sts.amazonaws.com'],
          subjects: [oidcSubjectPattern({ org: 'org_demo', stack: 'stk_demo' })],
        },
      ],
    });
    const role = await iam.send(
      new CreateRoleCommand({ RoleName: 'oidc-demo', AssumeRolePolicyDocument: JSON.stringify(trust.document) }),
    );
    const { token } = await mintRunToken(running.service.deps.identity!, {
      organizationId: 'org_demo',
      spaceId: null,
      stackId: 'stk_demo',
      stackSlug: 'demo',
      phase: 'read',
      runId: 'run_1',
      connectionId: 'con_1',
      partition: 'aws',
    });
    const sts = new STSClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: async () => {
        throw new Error('no AWS credentials are used for the exchange');
      },
    });
    const out = await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: role.Role!.Arn!,
        RoleSessionName: 'run',
        WebIdentityToken: token,
      }),
    );
    expect(out.SubjectFromWebIdentityToken).toBe('org:org_demo:space:none:stack:stk_demo:phase:read');
  });

  it('keeps its signing key across restarts (the demo seals it with a key kept in the database)', async () => {
    const before = (await (await fetch(`${running!.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    await running!.stop();
    running = await start();
    const after = (await (await fetch(`${running.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    expect(after.keys.map((k) => k.kid)).toEqual(before.keys.map((k) => k.kid));
    expect((await running.service.deps.identity!.keys.signer()).kid).toBe(before.keys[0]!.kid);
  });
});

describe('readIdentitySettings', () => {
  const key = Buffer.alloc(32, 7).toString('base64');
  it('with --aws default: no issuer unless --oidc-issuer, and then TRUSTGATE_IDENTITY_KEY is required', () => {
    expect(readIdentitySettings({ aws: 'default' }, {})).toBeUndefined();
    expect(() => readIdentitySettings({ aws: 'default', oidcIssuer: 'https://id.example.com' }, {})).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'oidcIssuer' }),
    );
    expect(
      readIdentitySettings({ aws: 'default', oidcIssuer: 'https://id.example.com' }, { TRUSTGATE_IDENTITY_KEY: key }),
    ).toEqual({ issuerUrl: 'https://id.example.com', keyEncryptionKey: new Uint8Array(Buffer.alloc(32, 7)) });
    expect(() => readIdentitySettings({ aws: 'sandbox' }, { TRUSTGATE_IDENTITY_KEY: 'short' })).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(readIdentitySettings({ aws: 'sandbox' }, {})).toEqual({ issuerUrl: DEMO_OIDC_ISSUER });
  });
});
