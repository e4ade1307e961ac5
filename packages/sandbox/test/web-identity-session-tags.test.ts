import {
  CreateOpenIDConnectProviderCommand,
  CreateRoleCommand,
  ListRolesCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { awsError, clients, type Credentials } from './sandbox-clients.ts';

const ISSUER = 'https://tags.platform.example';
const HOST = 'tags.platform.example';

/**
 * Session tags and the source identity of AssumeRoleWithWebIdentity, which come from the token's
 * `https://aws.amazon.com/tags` and `https://aws.amazon.com/source_identity` claims (the request has no Tags or
 * SourceIdentity parameter): the trust policy must allow sts:TagSession and sts:SetSourceIdentity, and the session
 * carries them as aws:PrincipalTag/* and aws:SourceIdentity.
 */
describe('AssumeRoleWithWebIdentity: session tags and source identity from the token', () => {
  let sandbox: Sandbox;
  let key: CryptoKey;
  let anonymous: STSClient;
  let accountId: string;
  let root: Credentials;

  const token = async (extra: Record<string, unknown>): Promise<string> =>
    new SignJWT(extra)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience('sts.amazonaws.com')
      .setSubject('run:1')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
      .sign(key);
  const tags = (principal: Record<string, unknown>, transitive?: string[]) => ({
    'https://aws.amazon.com/tags': {
      principal_tags: principal,
      ...(transitive === undefined ? {} : { transitive_tag_keys: transitive }),
    },
  });
  const roleArn = (name: string) => `arn:aws:iam::${accountId}:role/${name}`;
  const call = async (role: string, webIdentityToken: string) =>
    anonymous.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: roleArn(role),
        RoleSessionName: 'run-1',
        WebIdentityToken: webIdentityToken,
      }),
    );
  const sessionOf = (out: {
    Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string };
  }) =>
    clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256');
    key = pair.privateKey as CryptoKey;
    const jwk: JWK = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    sandbox = await startSandbox({ accounts: 1, oidcJwks: { [ISSUER]: { keys: [jwk] } } });
    accountId = sandbox.accounts[0]!.accountId;
    root = sandbox.accounts[0]!;
    const { iam } = clients(sandbox.endpoint, sandbox.region, root);
    const provider = await iam.send(
      new CreateOpenIDConnectProviderCommand({ Url: ISSUER, ClientIDList: ['sts.amazonaws.com'] }),
    );
    const trust = (actions: string[]) =>
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { Federated: provider.OpenIDConnectProviderArn },
            Action: actions,
            Condition: { StringEquals: { [`${HOST}:aud`]: 'sts.amazonaws.com', [`${HOST}:sub`]: 'run:1' } },
          },
        ],
      });
    // The session may list roles only as team blue, and list users only with source identity run-7.
    const abac = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'iam:ListRoles',
          Resource: '*',
          Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } },
        },
        {
          Effect: 'Allow',
          Action: 'iam:ListUsers',
          Resource: '*',
          Condition: { StringEquals: { 'aws:SourceIdentity': 'run-7' } },
        },
        { Effect: 'Allow', Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], Resource: '*' },
      ],
    });
    for (const [name, actions] of [
      ['plain', ['sts:AssumeRoleWithWebIdentity']],
      ['tagging', ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity']],
      ['tags-only', ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']],
    ] as const) {
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust([...actions]) }));
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: 'abac', PolicyDocument: abac }));
    }
    // A role the tagged session chains into: it trusts the account, with tags and source identity allowed.
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'next',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${accountId}:root` },
              Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
            },
          ],
        }),
      }),
    );
    await iam.send(new PutRolePolicyCommand({ RoleName: 'next', PolicyName: 'abac', PolicyDocument: abac }));
    anonymous = new STSClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      maxAttempts: 1,
      credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    });
  });
  afterAll(async () => sandbox?.stop());

  it('a token with session tags is AccessDenied unless the trust policy allows sts:TagSession; without tags the same role is assumed', async () => {
    expect(await awsError(call('plain', await token(tags({ team: ['blue'] }))))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect((await call('plain', await token({}))).AssumedRoleUser?.Arn).toContain(':assumed-role/plain/run-1');
  });

  it('a source identity needs sts:SetSourceIdentity: a role allowing only sts:TagSession refuses it, and takes the tags alone', async () => {
    const both = await token({ ...tags({ team: ['blue'] }), 'https://aws.amazon.com/source_identity': 'run-7' });
    expect((await awsError(call('tags-only', both))).name).toBe('AccessDenied');
    expect((await call('tags-only', await token(tags({ team: ['blue'] })))).SourceIdentity).toBeUndefined();
  });

  it("the session carries the token's tags (aws:PrincipalTag) and source identity (aws:SourceIdentity, in the answer), as AWS does", async () => {
    const out = await call(
      'tagging',
      await token({ ...tags({ team: ['blue'] }), 'https://aws.amazon.com/source_identity': 'run-7' }),
    );
    expect(out.SourceIdentity).toBe('run-7');
    const { iam } = sessionOf(out);
    expect((await iam.send(new ListRolesCommand({}))).Roles?.length).toBeGreaterThan(0);
    expect((await iam.send(new ListUsersCommand({}))).Users).toBeDefined();
    // Another team's tag, and no source identity: the same policies deny both.
    const red = sessionOf(await call('tagging', await token(tags({ team: ['red'] })))).iam;
    expect((await awsError(red.send(new ListRolesCommand({})))).name).toBe('AccessDenied');
    expect((await awsError(red.send(new ListUsersCommand({})))).name).toBe('AccessDenied');
  });

  it('transitive tags and the source identity carry into a chained session; a non-transitive tag does not', async () => {
    const first = await call(
      'tagging',
      await token({
        ...tags({ team: ['blue'], x: ['1'] }, ['team']),
        'https://aws.amazon.com/source_identity': 'run-7',
      }),
    );
    const chained = await sessionOf(first).sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn('next'), RoleSessionName: 'hop' }),
    );
    expect(chained.SourceIdentity).toBe('run-7');
    const { iam } = sessionOf(chained);
    expect((await iam.send(new ListRolesCommand({}))).Roles?.length).toBeGreaterThan(0);
    // The inherited transitive tag cannot be set again on the chained session.
    const again = await awsError(
      sessionOf(first).sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn('next'),
          RoleSessionName: 'hop2',
          Tags: [{ Key: 'team', Value: 'red' }],
        }),
      ),
    );
    expect(again.name).toBe('ValidationError');
  });

  it('claims STS cannot take are InvalidIdentityToken: 51 tags, two values, a bad key, unknown transitive key, bad source identity', async () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, ['v']]));
    const bad = [
      tags(many),
      tags({ team: ['blue', 'red'] }),
      tags({ 'no#hash': ['v'] }),
      tags({ team: ['blue'] }, ['other']),
      tags({ Team: ['a'], team: ['b'] }),
      { 'https://aws.amazon.com/source_identity': 'x' },
      { 'https://aws.amazon.com/source_identity': 'has space' },
    ];
    for (const claims of bad)
      expect((await awsError(call('tagging', await token(claims)))).name, JSON.stringify(claims).slice(0, 80)).toBe(
        'InvalidIdentityTokenException',
      );
  });
});
