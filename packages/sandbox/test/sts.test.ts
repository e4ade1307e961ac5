import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteRoleCommand,
  DeleteUserCommand,
  DeleteUserPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  TagRoleCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { allowPolicy, awsError, clients, createUserWithKey, trustPolicy, type Credentials } from './sandbox-clients.ts';

const sessionCreds = (out: {
  Credentials?: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string };
}): Credentials => ({
  accessKeyId: out.Credentials!.AccessKeyId!,
  secretAccessKey: out.Credentials!.SecretAccessKey!,
  sessionToken: out.Credentials!.SessionToken!,
});

/**
 * In the sandbox's first account: user `u`, allowed sts:AssumeRole, and role `roleName` trusting that user.
 * Returns the account's ID, clients signed as the account's root, and an STS client signed with `u`'s key.
 */
async function roleTrustingUser(sb: Sandbox, roleName: string) {
  const id = sb.accounts[0]!.accountId;
  const root = clients(sb.endpoint, sb.region, sb.accounts[0]!);
  const key = await createUserWithKey(sb, {
    root: sb.accounts[0]!,
    name: 'u',
    policy: allowPolicy(['sts:AssumeRole']),
  });
  await root.iam.send(
    new CreateRoleCommand({
      RoleName: roleName,
      AssumeRolePolicyDocument: trustPolicy({ AWS: `arn:aws:iam::${id}:user/u` }),
    }),
  );
  const userSts = clients(sb.endpoint, sb.region, key).sts;
  return { id, root, userSts };
}

describe('STS AssumeRole rules', () => {
  let sandbox: Sandbox;
  let a: ReturnType<typeof clients>;
  let user: Credentials;
  let acct: string;
  const roleArn = (name: string): string => `arn:aws:iam::${acct}:role/${name}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2 });
    acct = sandbox.accounts[0]!.accountId;
    a = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
    await a.iam.send(new CreateUserCommand({ UserName: 'caller', Tags: [{ Key: 'team', Value: 'blue' }] }));
    await a.iam.send(
      new PutUserPolicyCommand({
        UserName: 'caller',
        PolicyName: 'p',
        PolicyDocument: allowPolicy(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']),
      }),
    );
    const key = (await a.iam.send(new CreateAccessKeyCommand({ UserName: 'caller' }))).AccessKey!;
    user = { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
    const userArn = `arn:aws:iam::${acct}:user/caller`;
    const both = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: [userArn, `arn:aws:iam::${acct}:role/chain`] },
          Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
        },
      ],
    });
    // Principals in a trust policy must exist, so `chain` is created before `long` names it.
    await a.iam.send(
      new CreateRoleCommand({
        RoleName: 'chain',
        AssumeRolePolicyDocument: trustPolicy({ AWS: userArn }).replace(
          '"sts:AssumeRole"',
          '["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]',
        ),
        MaxSessionDuration: 43200,
      }),
    );
    await a.iam.send(
      new CreateRoleCommand({ RoleName: 'long', AssumeRolePolicyDocument: both, MaxSessionDuration: 7200 }),
    );
    await a.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'chain',
        PolicyName: 'p',
        PolicyDocument: allowPolicy(['sts:AssumeRole', 'sts:TagSession', 'iam:ListRoles', 'iam:GetRole']),
      }),
    );
    await a.iam.send(
      new CreateRoleCommand({
        RoleName: 'tagged-only',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: userArn },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } },
            },
            {
              Effect: 'Allow',
              Principal: { AWS: userArn },
              Action: 'sts:TagSession',
              Condition: { StringEquals: { 'aws:RequestTag/project': 'apollo' } },
            },
          ],
        }),
      }),
    );
  });
  afterAll(async () => sandbox.stop());

  const assume = (creds: Credentials, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }) =>
    clients(sandbox.endpoint, sandbox.region, creds).sts.send(
      new AssumeRoleCommand({ RoleSessionName: 'test-session', ...input }),
    );

  it('DurationSeconds: 900 up to the role MaxSessionDuration', async () => {
    const out = await assume(user, { RoleArn: roleArn('long'), DurationSeconds: 7200 });
    expect(Math.round((out.Credentials!.Expiration!.getTime() - Date.now()) / 1000)).toBeGreaterThan(7100);
    expect(await awsError(assume(user, { RoleArn: roleArn('long'), DurationSeconds: 7201 }))).toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    });
    expect(await awsError(assume(user, { RoleArn: roleArn('long'), DurationSeconds: 899 }))).toMatchObject({
      name: 'ValidationError',
      status: 400,
    });
  });

  it('an untrusted caller cannot tell an existing role from a missing one through DurationSeconds', async () => {
    await a.iam.send(
      new CreateRoleCommand({ RoleName: 'private', AssumeRolePolicyDocument: trustPolicy({ AWS: roleArn('chain') }) }),
    );
    const existing = await awsError(assume(user, { RoleArn: roleArn('private'), DurationSeconds: 7200 }));
    const missing = await awsError(assume(user, { RoleArn: roleArn('no-such-role'), DurationSeconds: 7200 }));
    expect(existing).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(missing).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(existing.message.replace('private', 'X')).toBe(missing.message.replace('no-such-role', 'X'));
  });

  it('role chaining is capped at one hour even when the role allows more', async () => {
    const first = sessionCreds(await assume(user, { RoleArn: roleArn('chain') }));
    const error = await awsError(assume(first, { RoleArn: roleArn('long'), DurationSeconds: 3601 }));
    expect(error.message).toBe(
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
    const chained = await assume(first, {
      RoleArn: roleArn('long'),
      DurationSeconds: 3600,
      RoleSessionName: 'chained',
    });
    const me = await clients(sandbox.endpoint, sandbox.region, sessionCreds(chained)).sts.send(
      new GetCallerIdentityCommand({}),
    );
    expect(me.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/long/chained`);
  });

  it('RoleSessionName and ExternalId follow the API patterns', async () => {
    for (const name of ['a', 'x'.repeat(65), 'has space', 'semi;colon']) {
      expect((await awsError(assume(user, { RoleArn: roleArn('long'), RoleSessionName: name }))).name).toBe(
        'ValidationError',
      );
    }
    for (const externalId of ['a', 'x'.repeat(1225), 'with space']) {
      expect((await awsError(assume(user, { RoleArn: roleArn('long'), ExternalId: externalId }))).name).toBe(
        'ValidationError',
      );
    }
    await assume(user, { RoleArn: roleArn('long'), RoleSessionName: 'ok+=,.@-_name', ExternalId: 'ok:/+=,.@-_id' });
  });

  it('a session policy scopes the session down', async () => {
    const wide = sessionCreds(await assume(user, { RoleArn: roleArn('chain') }));
    const narrow = sessionCreds(
      await assume(user, { RoleArn: roleArn('chain'), Policy: allowPolicy(['iam:GetRole']) }),
    );
    await clients(sandbox.endpoint, sandbox.region, wide).iam.send(new ListRolesCommand({}));
    const denied = await awsError(clients(sandbox.endpoint, sandbox.region, narrow).iam.send(new ListRolesCommand({})));
    expect(denied.message).toContain('because no session policy allows the iam:ListRoles action');
    await clients(sandbox.endpoint, sandbox.region, narrow).iam.send(new GetRoleCommand({ RoleName: 'chain' }));
    // A session policy cannot grant more than the role has.
    const greedy = sessionCreds(await assume(user, { RoleArn: roleArn('chain'), Policy: allowPolicy(['iam:*']) }));
    expect(
      (
        await awsError(
          clients(sandbox.endpoint, sandbox.region, greedy).iam.send(
            new TagRoleCommand({ RoleName: 'chain', Tags: [{ Key: 'a', Value: 'b' }] }),
          ),
        )
      ).name,
    ).toBe('AccessDenied');
    expect((await awsError(assume(user, { RoleArn: roleArn('chain'), Policy: '{"Statement": "nope"' }))).name).toBe(
      'MalformedPolicyDocumentException',
    );
  });

  it("trust conditions see the caller's tags as aws:PrincipalTag", async () => {
    await assume(user, { RoleArn: roleArn('tagged-only') });
    const other = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
    await other.iam.send(new CreateUserCommand({ UserName: 'untagged' }));
    await other.iam.send(
      new PutUserPolicyCommand({
        UserName: 'untagged',
        PolicyName: 'p',
        PolicyDocument: allowPolicy(['sts:AssumeRole']),
      }),
    );
    await a.iam.send(
      new CreateRoleCommand({
        RoleName: 'tag-gate',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: acct },
              Action: 'sts:AssumeRole',
              Condition: { StringEquals: { 'aws:PrincipalTag/team': 'blue' } },
            },
          ],
        }),
      }),
    );
    const k = (await other.iam.send(new CreateAccessKeyCommand({ UserName: 'untagged' }))).AccessKey!;
    expect(
      (
        await awsError(
          assume(
            { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! },
            { RoleArn: roleArn('tag-gate') },
          ),
        )
      ).name,
    ).toBe('AccessDenied');
    await assume(user, { RoleArn: roleArn('tag-gate') });
  });

  it('managed session policies (PolicyArns) scope the session down too', async () => {
    const narrow = sessionCreds(
      await assume(user, {
        RoleArn: roleArn('chain'),
        PolicyArns: [{ arn: 'arn:aws:iam::aws:policy/IAMReadOnlyAccess' }],
      }),
    );
    const c = clients(sandbox.endpoint, sandbox.region, narrow);
    await c.iam.send(new GetRoleCommand({ RoleName: 'chain' }));
    const e = await awsError(
      c.sts.send(new AssumeRoleCommand({ RoleArn: roleArn('long'), RoleSessionName: 'chained-read' })),
    );
    expect(e).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('revoking active sessions (deny on aws:TokenIssueTime) denies old sessions and not new ones', async () => {
    let offsetMs = 0;
    const sb = await startSandbox({ accounts: 1, clock: () => new Date(Date.now() + offsetMs) });
    try {
      const { id, root, userSts } = await roleTrustingUser(sb, 'revocable');
      await root.iam.send(
        new PutRolePolicyCommand({
          RoleName: 'revocable',
          PolicyName: 'read',
          PolicyDocument: allowPolicy(['iam:GetRole']),
        }),
      );
      const input = { RoleArn: `arn:aws:iam::${id}:role/revocable`, RoleSessionName: 'session' };
      const old = clients(sb.endpoint, sb.region, sessionCreds(await userSts.send(new AssumeRoleCommand(input))));
      offsetMs = 60_000;
      const revokedBefore = new Date(Date.now() + 30_000).toISOString();
      await root.iam.send(
        new PutRolePolicyCommand({
          RoleName: 'revocable',
          PolicyName: 'AWSRevokeOlderSessions',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Deny',
                Action: '*',
                Resource: '*',
                Condition: { DateLessThan: { 'aws:TokenIssueTime': revokedBefore } },
              },
            ],
          }),
        }),
      );
      expect((await awsError(old.iam.send(new GetRoleCommand({ RoleName: 'revocable' })))).message).toContain(
        'with an explicit deny in an identity-based policy',
      );
      const fresh = clients(sb.endpoint, sb.region, sessionCreds(await userSts.send(new AssumeRoleCommand(input))));
      await fresh.iam.send(new GetRoleCommand({ RoleName: 'revocable' }));
    } finally {
      await sb.stop();
    }
  });

  it('a session of a deleted role gains nothing from a new role recreated with the same name', async () => {
    const sb = await startSandbox({ accounts: 1 });
    try {
      const { id, root, userSts } = await roleTrustingUser(sb, 'reborn');
      const old = clients(
        sb.endpoint,
        sb.region,
        sessionCreds(
          await userSts.send(
            new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${id}:role/reborn`, RoleSessionName: 'old' }),
          ),
        ),
      );
      await root.iam.send(new DeleteRoleCommand({ RoleName: 'reborn' }));
      await root.iam.send(
        new CreateRoleCommand({
          RoleName: 'reborn',
          AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }),
        }),
      );
      await root.iam.send(
        new PutRolePolicyCommand({ RoleName: 'reborn', PolicyName: 'admin', PolicyDocument: allowPolicy(['*']) }),
      );
      expect(await awsError(old.iam.send(new GetRoleCommand({ RoleName: 'reborn' })))).toMatchObject({
        name: 'AccessDenied',
        status: 403,
      });
    } finally {
      await sb.stop();
    }
  });

  it('session tags: allowed tag passes, other tags are denied by the TagSession condition', async () => {
    await assume(user, { RoleArn: roleArn('tagged-only'), Tags: [{ Key: 'project', Value: 'apollo' }] });
    expect(
      (await awsError(assume(user, { RoleArn: roleArn('tagged-only'), Tags: [{ Key: 'project', Value: 'gemini' }] })))
        .name,
    ).toBe('AccessDenied');
  });

  it('a source identity, once set, carries through role chaining and cannot be changed', async () => {
    const first = sessionCreds(await assume(user, { RoleArn: roleArn('chain'), SourceIdentity: 'alice' }));
    const second = await assume(first, { RoleArn: roleArn('long') });
    expect(second.SourceIdentity).toBe('alice');
    expect((await awsError(assume(first, { RoleArn: roleArn('long'), SourceIdentity: 'mallory' }))).name).toBe(
      'AccessDenied',
    );
  });

  it('a role that does not exist is denied like one that does not trust the caller', async () => {
    const missing = await awsError(assume(user, { RoleArn: roleArn('does-not-exist') }));
    expect(missing).toMatchObject({
      name: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:iam::${acct}:user/caller is not authorized to perform: sts:AssumeRole on resource: ${roleArn('does-not-exist')}`,
    });
  });

  it('cross-account: the trust policy naming the account is not enough without the caller identity policy', async () => {
    const b = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[1]!);
    const bAcct = sandbox.accounts[1]!.accountId;
    await a.iam.send(
      new CreateRoleCommand({ RoleName: 'for-b', AssumeRolePolicyDocument: trustPolicy({ AWS: bAcct }) }),
    );
    await b.iam.send(new CreateUserCommand({ UserName: 'no-rights' }));
    const k1 = (await b.iam.send(new CreateAccessKeyCommand({ UserName: 'no-rights' }))).AccessKey!;
    await b.iam.send(new CreateUserCommand({ UserName: 'with-rights' }));
    await b.iam.send(
      new PutUserPolicyCommand({
        UserName: 'with-rights',
        PolicyName: 'p',
        PolicyDocument: allowPolicy(['sts:AssumeRole'], [roleArn('for-b')]),
      }),
    );
    const k2 = (await b.iam.send(new CreateAccessKeyCommand({ UserName: 'with-rights' }))).AccessKey!;
    expect(
      (
        await awsError(
          assume({ accessKeyId: k1.AccessKeyId!, secretAccessKey: k1.SecretAccessKey! }, { RoleArn: roleArn('for-b') }),
        )
      ).name,
    ).toBe('AccessDenied');
    const ok = await assume(
      { accessKeyId: k2.AccessKeyId!, secretAccessKey: k2.SecretAccessKey! },
      { RoleArn: roleArn('for-b') },
    );
    expect(ok.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${acct}:assumed-role/for-b/test-session`);
  });

  it('an invalid principal in a trust policy is refused when the role is created', async () => {
    const error = await awsError(
      a.iam.send(
        new CreateRoleCommand({
          RoleName: 'bad-principal',
          AssumeRolePolicyDocument: trustPolicy({ AWS: `arn:aws:iam::${acct}:role/ghost` }),
        }),
      ),
    );
    expect(error).toMatchObject({
      name: 'MalformedPolicyDocumentException',
      message: `Invalid principal in policy: "AWS":"arn:aws:iam::${acct}:role/ghost"`,
    });
  });
});

describe('modelled IAM propagation delay', () => {
  it("a new role is denied until the delay has passed, as AWS's eventual consistency does", async () => {
    let offsetMs = 0;
    const sandbox = await startSandbox({
      accounts: 1,
      propagationDelayMs: 10_000,
      clock: () => new Date(Date.now() + offsetMs),
    });
    try {
      const { id: acct, userSts: sts } = await roleTrustingUser(sandbox, 'fresh');
      const input = { RoleArn: `arn:aws:iam::${acct}:role/fresh`, RoleSessionName: 'early' };
      expect((await awsError(sts.send(new AssumeRoleCommand(input)))).name).toBe('AccessDenied');
      offsetMs = 10_001;
      expect((await sts.send(new AssumeRoleCommand(input))).AssumedRoleUser?.Arn).toContain('assumed-role/fresh/early');
    } finally {
      await sandbox.stop();
    }
  });
});

describe('deleted principals', () => {
  it('a trust policy naming a deleted user keeps its unique ID: a recreated user of the same name is not trusted', async () => {
    const sandbox = await startSandbox({ accounts: 2 });
    try {
      const [platform, customer] = sandbox.accounts;
      const p = clients(sandbox.endpoint, sandbox.region, platform!);
      const makeBroker = async (): Promise<Credentials> => {
        return createUserWithKey(sandbox, { root: platform!, name: 'broker', policy: allowPolicy(['sts:AssumeRole']) });
      };
      const first = await makeBroker();
      const userArn = `arn:aws:iam::${platform!.accountId}:user/broker`;
      const userId = (await p.iam.send(new GetUserCommand({ UserName: 'broker' }))).User!.UserId!;
      const c = clients(sandbox.endpoint, sandbox.region, customer!);
      const roleArn = (
        await c.iam.send(
          new CreateRoleCommand({ RoleName: 'trusts-broker', AssumeRolePolicyDocument: trustPolicy({ AWS: userArn }) }),
        )
      ).Role!.Arn!;
      await clients(sandbox.endpoint, sandbox.region, first).sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'before' }),
      );
      await p.iam.send(new DeleteAccessKeyCommand({ UserName: 'broker', AccessKeyId: first.accessKeyId }));
      await p.iam.send(new DeleteUserPolicyCommand({ UserName: 'broker', PolicyName: 'p' }));
      await p.iam.send(new DeleteUserCommand({ UserName: 'broker' }));
      const trust = JSON.parse(
        decodeURIComponent(
          (await c.iam.send(new GetRoleCommand({ RoleName: 'trusts-broker' }))).Role!.AssumeRolePolicyDocument!,
        ),
      ) as { Statement: Array<{ Principal: { AWS: string } }> };
      expect(trust.Statement[0]!.Principal.AWS).toBe(userId);
      const second = await makeBroker();
      expect(
        (
          await awsError(
            clients(sandbox.endpoint, sandbox.region, second).sts.send(
              new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'after' }),
            ),
          )
        ).name,
      ).toBe('AccessDenied');
    } finally {
      await sandbox.stop();
    }
  });
});
