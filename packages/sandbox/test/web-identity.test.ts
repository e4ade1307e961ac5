import { createServer } from 'node:http';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { awsError, clients } from './sandbox-clients.ts';

const ISSUER = 'https://token.platform.example';

describe('AssumeRoleWithWebIdentity', () => {
  let sandbox: Sandbox;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;
  let roleArn: string;
  let anonymous: STSClient;

  const token = async (
    claims: { aud?: string; sub?: string; exp?: number; iss?: string },
    key = privateKey,
  ): Promise<string> =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? 'sts.amazonaws.com')
      .setSubject(claims.sub ?? 'platform:prod')
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(key);

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    privateKey = pair.privateKey as CryptoKey;
    otherKey = (await generateKeyPair('RS256')).privateKey as CryptoKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    sandbox = await startSandbox({ accounts: 1, oidcJwks: { [ISSUER]: { keys: [jwk] } } });
    const acct = sandbox.accounts[0]!.accountId;
    const { iam } = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
    const provider = await iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: ISSUER, ClientIDList: ['sts.amazonaws.com'] }),
    );
    expect(provider.OpenIDConnectProviderArn).toBe(`arn:aws:iam::${acct}:oidc-provider/token.platform.example`);
    const trust = {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Federated: provider.OpenIDConnectProviderArn },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              'token.platform.example:aud': 'sts.amazonaws.com',
              'token.platform.example:sub': 'platform:prod',
            },
          },
        },
      ],
    };
    roleArn = (
      await iam.send(new CreateRoleCommand({ RoleName: 'oidc-role', AssumeRolePolicyDocument: JSON.stringify(trust) }))
    ).Role!.Arn!;
    anonymous = new STSClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      maxAttempts: 1,
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    });
  });
  afterAll(async () => sandbox.stop());

  const call = async (webIdentityToken: string) =>
    anonymous.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn,
        RoleSessionName: 'ci',
        WebIdentityToken: webIdentityToken,
      }),
    );

  it('a token signed by the provider key, with the trusted aud and sub, gets credentials (unsigned call, as in AWS)', async () => {
    const out = await call(await token({}));
    expect(out.SubjectFromWebIdentityToken).toBe('platform:prod');
    expect(out.Audience).toBe('sts.amazonaws.com');
    const me = await clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    }).sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${sandbox.accounts[0]!.accountId}:assumed-role/oidc-role/ci`);
  });

  it('another subject is denied by the trust policy', async () => {
    expect(await awsError(call(await token({ sub: 'platform:dev' })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
  });

  it('a token signed by another key, for another audience, expired, or from an unregistered issuer is rejected', async () => {
    expect((await awsError(call(await token({}, otherKey)))).name).toBe('InvalidIdentityTokenException');
    expect((await awsError(call(await token({ aud: 'someone-else' })))).name).toBe('InvalidIdentityTokenException');
    expect(await awsError(call(await token({ exp: Math.floor(Date.now() / 1000) - 60 })))).toMatchObject({
      name: 'ExpiredTokenException',
      status: 400,
    });
    expect((await awsError(call(await token({ iss: 'https://evil.example' })))).name).toBe(
      'InvalidIdentityTokenException',
    );
    expect((await awsError(call('not-a-jwt'))).name).toBe('InvalidIdentityTokenException');
  });
});

describe('AssumeRoleWithWebIdentity with a JWKS served over HTTP', () => {
  it('fetches the key set from the configured JWKS URL', async () => {
    const pair = await generateKeyPair('ES256');
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'ec1', alg: 'ES256' };
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const issuer = 'https://ci.example.org/oidc';
    const sandbox = await startSandbox({
      accounts: 1,
      oidcJwks: { [issuer]: `http://127.0.0.1:${(server.address() as { port: number }).port}/jwks` },
    });
    try {
      const { iam } = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
      const provider = (await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['aws'] })))
        .OpenIDConnectProviderArn!;
      const trust = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: provider },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringLike: { 'ci.example.org/oidc:sub': 'repo:acme/*' } },
          },
        ],
      };
      const roleArn = (
        await iam.send(new CreateRoleCommand({ RoleName: 'ci', AssumeRolePolicyDocument: JSON.stringify(trust) }))
      ).Role!.Arn!;
      const sign = (sub: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'ES256', kid: 'ec1' })
          .setIssuer(issuer)
          .setAudience('aws')
          .setSubject(sub)
          .setExpirationTime('5m')
          .sign(pair.privateKey);
      const sts = new STSClient({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        maxAttempts: 1,
        credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      });
      const ok = await sts.send(
        new AssumeRoleWithWebIdentityCommand({
          RoleArn: roleArn,
          RoleSessionName: 'build-1',
          WebIdentityToken: await sign('repo:acme/app'),
        }),
      );
      expect(ok.AssumedRoleUser?.Arn).toContain(':assumed-role/ci/build-1');
      expect(
        (
          await awsError(
            sts.send(
              new AssumeRoleWithWebIdentityCommand({
                RoleArn: roleArn,
                RoleSessionName: 'build-2',
                WebIdentityToken: await sign('repo:evil/app'),
              }),
            ),
          )
        ).name,
      ).toBe('AccessDenied');
    } finally {
      await sandbox.stop();
      server.close();
    }
  });
});

describe('AssumeRoleWithWebIdentity with an https issuer served on loopback (oidcIssuerOrigins)', () => {
  it('fetches discovery, then the JWKS it names, at the loopback origin; refetches the JWKS when oidcKeyCacheMs is 0', async () => {
    const issuer = 'https://id.platform.test/oidc';
    const keys = [await generateKeyPair('RS256'), await generateKeyPair('RS256')];
    let served = [0];
    const requested: string[] = [];
    const server = createServer(async (req, res) => {
      requested.push(req.url ?? '');
      const body =
        req.url === '/oidc/.well-known/openid-configuration'
          ? { issuer, jwks_uri: 'https://id.platform.test/keys' }
          : {
              keys: await Promise.all(
                served.map(async (i) => ({ ...(await exportJWK(keys[i]!.publicKey)), kid: `k${i}`, alg: 'RS256' })),
              ),
            };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    const sandbox = await startSandbox({ accounts: 1, oidcIssuerOrigins: { [issuer]: origin }, oidcKeyCacheMs: 0 });
    try {
      const { iam } = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
      const provider = (await iam.send(new CreateOpenIDConnectProviderCommand({ Url: issuer, ClientIDList: ['aws'] })))
        .OpenIDConnectProviderArn!;
      const trust = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: provider },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { 'id.platform.test/oidc:aud': 'aws' } },
          },
        ],
      };
      const roleArn = (
        await iam.send(new CreateRoleCommand({ RoleName: 'run', AssumeRolePolicyDocument: JSON.stringify(trust) }))
      ).Role!.Arn!;
      const sts = new STSClient({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        maxAttempts: 1,
        credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
      });
      const call = async (i: number) =>
        sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: roleArn,
            RoleSessionName: 'run',
            WebIdentityToken: await new SignJWT({})
              .setProtectedHeader({ alg: 'RS256', kid: `k${i}` })
              .setIssuer(issuer)
              .setAudience('aws')
              .setSubject('s')
              .setExpirationTime('5m')
              .sign(keys[i]!.privateKey),
          }),
        );
      expect((await call(0)).Provider).toBe(issuer);
      expect(requested).toEqual(['/oidc/.well-known/openid-configuration', '/keys']);
      served = [1]; // key 0 removed, key 1 added
      expect((await call(1)).Provider).toBe(issuer);
      expect((await awsError(call(0))).name).toBe('InvalidIdentityTokenException');
    } finally {
      await sandbox.stop();
      server.close();
    }
  });
});
