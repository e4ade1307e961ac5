import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { allowPolicy, awsError, clients, trustPolicy } from './sandbox-clients.ts';

/** Signs a raw Query request with the SDK's signer, so tests can tamper with it after signing. */
async function signedRequest(
  sandbox: Sandbox,
  options: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    body: string;
    service?: string;
    date?: Date;
  },
) {
  const url = new URL(sandbox.endpoint);
  const signer = new SignatureV4({
    credentials: options,
    region: sandbox.region,
    service: options.service ?? 'sts',
    sha256: Sha256,
  });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      query: {},
      headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: options.body,
    },
    options.date ? { signingDate: options.date } : {},
  );
  return { headers: signed.headers as Record<string, string>, body: options.body };
}

async function send(
  sandbox: Sandbox,
  request: { headers: Record<string, string>; body: string },
): Promise<{ status: number; text: string }> {
  const { host: _host, ...headers } = request.headers;
  const response = await fetch(sandbox.endpoint, { method: 'POST', headers, body: request.body });
  return { status: response.status, text: await response.text() };
}

const code = (xml: string): string | undefined => /<Code>([^<]+)<\/Code>/.exec(xml)?.[1];

describe('SigV4 verification (attacks on the signature)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2 });
  });
  afterAll(async () => sandbox.stop());
  const body = 'Action=GetCallerIdentity&Version=2011-06-15';

  it('accepts a request signed with the root key', async () => {
    const r = await send(sandbox, await signedRequest(sandbox, { ...sandbox.accounts[0]!, body }));
    expect(r.status).toBe(200);
    expect(r.text).toContain(`<Account>${sandbox.accounts[0]!.accountId}</Account>`);
  });

  it('rejects an unknown access key with InvalidClientTokenId 403', async () => {
    const { sts } = clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    });
    expect(await awsError(sts.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
  });

  it('rejects a wrong secret with SignatureDoesNotMatch 403', async () => {
    const { sts } = clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: sandbox.accounts[0]!.accessKeyId,
      secretAccessKey: sandbox.accounts[1]!.secretAccessKey,
    });
    expect(await awsError(sts.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'SignatureDoesNotMatch',
      status: 403,
    });
  });

  it('rejects a body changed after signing (replayed signature on another action)', async () => {
    const signed = await signedRequest(sandbox, { ...sandbox.accounts[0]!, body });
    const r = await send(sandbox, { ...signed, body: 'Action=GetCallerIdentity&Version=2011-06-15&X=1' });
    expect([r.status, code(r.text)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('rejects a signature made for another service scope being relabelled', async () => {
    const signed = await signedRequest(sandbox, { ...sandbox.accounts[0]!, body, service: 'sts' });
    signed.headers.authorization = signed.headers.authorization!.replace('/sts/aws4_request', '/iam/aws4_request');
    const r = await send(sandbox, signed);
    expect([r.status, code(r.text)]).toEqual([403, 'SignatureDoesNotMatch']);
  });

  it('rejects a request signed more than 15 minutes ago', async () => {
    const signed = await signedRequest(sandbox, {
      ...sandbox.accounts[0]!,
      body,
      date: new Date(Date.now() - 16 * 60_000),
    });
    const r = await send(sandbox, signed);
    expect([r.status, code(r.text)]).toEqual([403, 'SignatureDoesNotMatch']);
    expect(r.text).toContain('Signature expired');
  });

  it('rejects an unsigned request with MissingAuthenticationToken', async () => {
    const r = await send(sandbox, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect([r.status, code(r.text)]).toEqual([403, 'MissingAuthenticationToken']);
  });

  it('rejects a session key without its session token, and with another session token', async () => {
    const fake = await signedRequest(sandbox, {
      accessKeyId: 'ASIAAAAAAAAAAAAAAAAA',
      secretAccessKey: 'x',
      sessionToken: 'forged',
      body,
    });
    const r = await send(sandbox, fake);
    expect([r.status, code(r.text)]).toEqual([403, 'InvalidClientTokenId']);
  });

  it("rejects a real session key presented with another real session's token", async () => {
    const root = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
    const acct = sandbox.accounts[0]!.accountId;
    await root.iam.send(new CreateUserCommand({ UserName: 'swapper' }));
    await root.iam.send(
      new PutUserPolicyCommand({
        UserName: 'swapper',
        PolicyName: 'p',
        PolicyDocument: allowPolicy(['sts:AssumeRole']),
      }),
    );
    const key = (await root.iam.send(new CreateAccessKeyCommand({ UserName: 'swapper' }))).AccessKey!;
    await root.iam.send(
      new CreateRoleCommand({
        RoleName: 'swap-target',
        AssumeRolePolicyDocument: trustPolicy({ AWS: `arn:aws:iam::${acct}:user/swapper` }),
      }),
    );
    const user = clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: key.AccessKeyId!,
      secretAccessKey: key.SecretAccessKey!,
    });
    const one = (
      await user.sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/swap-target`, RoleSessionName: 'one' }),
      )
    ).Credentials!;
    const two = (
      await user.sts.send(
        new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${acct}:role/swap-target`, RoleSessionName: 'two' }),
      )
    ).Credentials!;
    const mixed = clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: one.AccessKeyId!,
      secretAccessKey: one.SecretAccessKey!,
      sessionToken: two.SessionToken!,
    });
    expect(await awsError(mixed.sts.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
    const noToken = clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: one.AccessKeyId!,
      secretAccessKey: one.SecretAccessKey!,
    });
    expect(await awsError(noToken.sts.send(new GetCallerIdentityCommand({})))).toMatchObject({
      name: 'InvalidClientTokenId',
      status: 403,
    });
  });

  it('rejects a malformed Authorization header with IncompleteSignature', async () => {
    const r = await send(sandbox, {
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/x', 'x-amz-date': '20240101T000000Z' },
      body,
    });
    expect([r.status, code(r.text)]).toEqual([400, 'IncompleteSignature']);
  });
});
