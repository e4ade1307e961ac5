import {
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  GetRoleCommand,
  ListRolesCommand,
  PutRolePolicyCommand,
  PutUserPermissionsBoundaryCommand,
  PutUserPolicyCommand,
  SimulatePrincipalPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateAssumeRolePolicyCommand,
  AttachUserPolicyCommand,
  ListUsersCommand,
  GetUserCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { allowPolicy, awsError, clients, createUserWithKey, trustPolicy, type Credentials } from './sandbox-clients.ts';

describe('IAM as AWS validates and authorizes it', () => {
  let sandbox: Sandbox;
  let root: ReturnType<typeof clients>;
  let acct: string;
  const trust = () => trustPolicy({ Service: 'ec2.amazonaws.com' });

  async function userClients(
    name: string,
    policy?: string,
  ): Promise<{ c: ReturnType<typeof clients>; creds: Credentials }> {
    const creds = await createUserWithKey(sandbox, { root: sandbox.accounts[0]!, name, ...(policy ? { policy } : {}) });
    return { c: clients(sandbox.endpoint, sandbox.region, creds), creds };
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1 });
    acct = sandbox.accounts[0]!.accountId;
    root = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
  });
  afterAll(async () => sandbox.stop());

  it("validates policy documents with AWS's messages and accepts unknown actions", async () => {
    const cases: Array<[string, string]> = [
      [
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"',
        'Syntax errors in policy.',
      ],
      [
        '{"Version":"2012-10-17","Statement":[{"Effect":"Permit","Action":"s3:GetObject","Resource":"*"}]}',
        'Syntax errors in policy.',
      ],
      [
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}',
        'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
      ],
      [
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"bucket"}]}',
        'Resource bucket must be in ARN format or "*".',
      ],
      [
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}',
        'Policy statement must contain resources.',
      ],
      [
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}',
        'Policy document should not specify a principal.',
      ],
      [
        '{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"a","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}',
        'Statement IDs (SID) in a single policy must be unique.',
      ],
    ];
    for (const [document, message] of cases) {
      expect(
        await awsError(root.iam.send(new CreatePolicyCommand({ PolicyName: 'p1', PolicyDocument: document }))),
      ).toEqual({ name: 'MalformedPolicyDocumentException', status: 400, message });
    }
    await root.iam.send(
      new CreatePolicyCommand({ PolicyName: 'future', PolicyDocument: allowPolicy(['newservice:DoSomethingNew']) }),
    );
    expect(
      await awsError(
        root.iam.send(
          new CreateRoleCommand({
            RoleName: 'r',
            AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }).replace(
              '"Action"',
              '"Resource":"*","Action"',
            ),
          }),
        ),
      ),
    ).toMatchObject({ message: 'Has prohibited field Resource.' });
  });

  it('enforces the size quotas (white space not counted)', async () => {
    const statement = (i: number) => ({
      Sid: `S${i}`,
      Effect: 'Allow',
      Action: `s3:GetObject${i}`,
      Resource: `arn:aws:s3:::bucket-${'x'.repeat(40)}/${i}/*`,
    });
    const big = (n: number) =>
      JSON.stringify({ Version: '2012-10-17', Statement: Array.from({ length: n }, (_, i) => statement(i)) }, null, 8);
    const fits = big(40);
    expect(JSON.stringify(JSON.parse(fits)).length).toBeLessThan(6144);
    expect(fits.length).toBeGreaterThan(6144); // pretty-printed it would not fit if white space counted
    await root.iam.send(new CreatePolicyCommand({ PolicyName: 'fits', PolicyDocument: fits }));
    expect(
      await awsError(root.iam.send(new CreatePolicyCommand({ PolicyName: 'too-big', PolicyDocument: big(80) }))),
    ).toEqual({ name: 'LimitExceededException', status: 409, message: 'Cannot exceed quota for PolicySize: 6144' });
    const longTrust = JSON.stringify({
      Version: '2012-10-17',
      Statement: Array.from({ length: 30 }, (_, i) => ({
        Sid: `T${i}`,
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
      })),
    });
    expect(
      await awsError(
        root.iam.send(new CreateRoleCommand({ RoleName: 'long-trust', AssumeRolePolicyDocument: longTrust })),
      ),
    ).toMatchObject({ name: 'LimitExceededException', message: 'Cannot exceed quota for ACLSizePerRole: 2048' });
    await root.iam.send(new CreateRoleCommand({ RoleName: 'inline-full', AssumeRolePolicyDocument: trust() }));
    await root.iam.send(
      new PutRolePolicyCommand({ RoleName: 'inline-full', PolicyName: 'a', PolicyDocument: big(40) }),
    );
    expect(
      await awsError(
        root.iam.send(new PutRolePolicyCommand({ RoleName: 'inline-full', PolicyName: 'b', PolicyDocument: big(40) })),
      ),
    ).toMatchObject({
      name: 'LimitExceededException',
      message: 'Maximum policy size of 10240 bytes exceeded for role inline-full',
    });
  });

  it('validates names, paths and MaxSessionDuration', async () => {
    expect(
      (
        await awsError(
          root.iam.send(new CreateRoleCommand({ RoleName: 'x'.repeat(65), AssumeRolePolicyDocument: trust() })),
        )
      ).name,
    ).toBe('ValidationError');
    expect(
      (
        await awsError(
          root.iam.send(new CreateRoleCommand({ RoleName: 'bad/name', AssumeRolePolicyDocument: trust() })),
        )
      ).name,
    ).toBe('ValidationError');
    expect(
      (
        await awsError(
          root.iam.send(
            new CreateRoleCommand({ RoleName: 'p', Path: 'no-slashes', AssumeRolePolicyDocument: trust() }),
          ),
        )
      ).name,
    ).toBe('ValidationError');
    expect(
      (
        await awsError(
          root.iam.send(
            new CreateRoleCommand({ RoleName: 'd', MaxSessionDuration: 43201, AssumeRolePolicyDocument: trust() }),
          ),
        )
      ).name,
    ).toBe('ValidationError');
    await root.iam.send(new CreateRoleCommand({ RoleName: 'Case', AssumeRolePolicyDocument: trust() }));
    expect(
      (await awsError(root.iam.send(new CreateRoleCommand({ RoleName: 'case', AssumeRolePolicyDocument: trust() }))))
        .name,
    ).toBe('EntityAlreadyExistsException');
  });

  it('authorizes IAM users by their policies: explicit deny wins, boundaries intersect', async () => {
    const { c } = await userClients(
      'reader',
      JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
          { Effect: 'Deny', Action: 'iam:GetRole', Resource: `arn:aws:iam::${acct}:role/Case` },
        ],
      }),
    );
    await c.iam.send(new ListRolesCommand({}));
    const denied = await awsError(c.iam.send(new GetRoleCommand({ RoleName: 'Case' })));
    expect(denied).toMatchObject({
      name: 'AccessDenied',
      status: 403,
      message: `User: arn:aws:iam::${acct}:user/reader is not authorized to perform: iam:GetRole on resource: arn:aws:iam::${acct}:role/Case with an explicit deny in an identity-based policy`,
    });
    const created = await awsError(
      c.iam.send(new CreateRoleCommand({ RoleName: 'nope', AssumeRolePolicyDocument: trust() })),
    );
    expect(created.message).toContain('because no identity-based policy allows the iam:CreateRole action');
    const boundary = (
      await root.iam.send(
        new CreatePolicyCommand({ PolicyName: 'boundary', PolicyDocument: allowPolicy(['iam:ListRoles']) }),
      )
    ).Policy!.Arn!;
    await root.iam.send(new PutUserPermissionsBoundaryCommand({ UserName: 'reader', PermissionsBoundary: boundary }));
    await c.iam.send(new ListRolesCommand({}));
    expect((await awsError(c.iam.send(new ListUsersCommand({})))).message).toContain(
      'because no permissions boundary allows the iam:ListUsers action',
    );
    // GetCallerIdentity needs no permission.
    expect((await c.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(`arn:aws:iam::${acct}:user/reader`);
  });

  it('an inactive access key is refused', async () => {
    const { c, creds } = await userClients('inactive', allowPolicy(['iam:*']));
    await c.iam.send(new GetUserCommand({}));
    await root.iam.send(
      new UpdateAccessKeyCommand({ UserName: 'inactive', AccessKeyId: creds.accessKeyId, Status: 'Inactive' }),
    );
    expect((await awsError(c.iam.send(new GetUserCommand({})))).name).toBe('InvalidClientTokenId');
  });

  it('attaches AWS managed policies, and refuses unknown ones', async () => {
    await root.iam.send(new CreateUserCommand({ UserName: 'admin' }));
    await root.iam.send(
      new AttachUserPolicyCommand({ UserName: 'admin', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
    );
    const unknown = await awsError(
      root.iam.send(
        new AttachRolePolicyCommand({ RoleName: 'Case', PolicyArn: 'arn:aws:iam::aws:policy/NotARealPolicy' }),
      ),
    );
    expect(unknown).toEqual({
      name: 'NoSuchEntityException',
      status: 404,
      message: 'Policy arn:aws:iam::aws:policy/NotARealPolicy does not exist or is not attachable.',
    });
  });

  it('service-linked roles are created at their service path and protected from change', async () => {
    const role = (await root.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'spot.amazonaws.com' })))
      .Role!;
    expect([role.RoleName, role.Path]).toEqual(['AWSServiceRoleForEC2Spot', '/aws-service-role/spot.amazonaws.com/']);
    expect((await awsError(root.iam.send(new DeleteRoleCommand({ RoleName: 'AWSServiceRoleForEC2Spot' })))).name).toBe(
      'UnmodifiableEntityException',
    );
    expect(
      (
        await awsError(
          root.iam.send(
            new UpdateAssumeRolePolicyCommand({ RoleName: 'AWSServiceRoleForEC2Spot', PolicyDocument: trust() }),
          ),
        )
      ).name,
    ).toBe('UnmodifiableEntityException');
    expect(
      (await awsError(root.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'spot.amazonaws.com' }))))
        .name,
    ).toBe('InvalidInputException');
  });

  it("SimulatePrincipalPolicy answers with core's engine", async () => {
    await root.iam.send(new CreateRoleCommand({ RoleName: 'sim', AssumeRolePolicyDocument: trust() }));
    await root.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'sim',
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:*', Resource: '*' },
            { Effect: 'Deny', Action: 's3:DeleteBucket', Resource: '*' },
          ],
        }),
      }),
    );
    const out = await root.iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: `arn:aws:iam::${acct}:role/sim`,
        ActionNames: ['s3:GetObject', 's3:DeleteBucket', 'ec2:RunInstances'],
      }),
    );
    expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([
      ['s3:GetObject', 'allowed'],
      ['s3:DeleteBucket', 'explicitDeny'],
      ['ec2:RunInstances', 'implicitDeny'],
    ]);
  });
});

describe('IAM condition keys', () => {
  it('delegated administration: CreateRole only with the required permissions boundary, tags and resource tags decide', async () => {
    const sandbox = await startSandbox({ accounts: 1 });
    try {
      const acct = sandbox.accounts[0]!.accountId;
      const root = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
      const boundaryArn = (
        await root.iam.send(
          new CreatePolicyCommand({ PolicyName: 'dev-boundary', PolicyDocument: allowPolicy(['s3:*']) }),
        )
      ).Policy!.Arn!;
      await root.iam.send(new CreateUserCommand({ UserName: 'delegate' }));
      await root.iam.send(
        new PutUserPolicyCommand({
          UserName: 'delegate',
          PolicyName: 'p',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'iam:CreateRole',
                Resource: '*',
                Condition: { StringEquals: { 'iam:PermissionsBoundary': boundaryArn, 'aws:RequestTag/team': 'dev' } },
              },
              {
                Effect: 'Allow',
                Action: 'iam:GetRole',
                Resource: '*',
                Condition: { StringEquals: { 'aws:ResourceTag/team': 'dev' } },
              },
            ],
          }),
        }),
      );
      const key = (await root.iam.send(new CreateAccessKeyCommand({ UserName: 'delegate' }))).AccessKey!;
      const d = clients(sandbox.endpoint, sandbox.region, {
        accessKeyId: key.AccessKeyId!,
        secretAccessKey: key.SecretAccessKey!,
      });
      const trust = trustPolicy({ AWS: acct });
      expect(
        (
          await awsError(
            d.iam.send(
              new CreateRoleCommand({
                RoleName: 'no-boundary',
                AssumeRolePolicyDocument: trust,
                Tags: [{ Key: 'team', Value: 'dev' }],
              }),
            ),
          )
        ).name,
      ).toBe('AccessDenied');
      expect(
        (
          await awsError(
            d.iam.send(
              new CreateRoleCommand({
                RoleName: 'wrong-tag',
                AssumeRolePolicyDocument: trust,
                PermissionsBoundary: boundaryArn,
                Tags: [{ Key: 'team', Value: 'ops' }],
              }),
            ),
          )
        ).name,
      ).toBe('AccessDenied');
      await d.iam.send(
        new CreateRoleCommand({
          RoleName: 'ok',
          AssumeRolePolicyDocument: trust,
          PermissionsBoundary: boundaryArn,
          Tags: [{ Key: 'team', Value: 'dev' }],
        }),
      );
      await d.iam.send(new GetRoleCommand({ RoleName: 'ok' }));
      await root.iam.send(
        new CreateRoleCommand({
          RoleName: 'ops-role',
          AssumeRolePolicyDocument: trust,
          Tags: [{ Key: 'team', Value: 'ops' }],
        }),
      );
      expect((await awsError(d.iam.send(new GetRoleCommand({ RoleName: 'ops-role' })))).name).toBe('AccessDenied');
    } finally {
      await sandbox.stop();
    }
  });
});

describe('organization service control policies', () => {
  it('an SCP denies member accounts (root included) but never the management account', async () => {
    const scp = {
      Version: '2012-10-17' as const,
      Statement: [{ Effect: 'Deny' as const, Action: ['iam:CreateUser'], Resource: '*' }],
    };
    const sandbox = await startSandbox({ accounts: 2, organization: true, serviceControlPolicies: [scp] });
    try {
      const [management, member] = sandbox.accounts;
      const m = clients(sandbox.endpoint, sandbox.region, member!);
      const denied = await awsError(m.iam.send(new CreateUserCommand({ UserName: 'blocked' })));
      expect(denied).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(denied.message).toContain('with an explicit deny in a service control policy');
      await m.iam.send(
        new CreateRoleCommand({
          RoleName: 'allowed',
          AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }),
        }),
      );
      await clients(sandbox.endpoint, sandbox.region, management!).iam.send(
        new CreateUserCommand({ UserName: 'fine' }),
      );
    } finally {
      await sandbox.stop();
    }
  });
});
