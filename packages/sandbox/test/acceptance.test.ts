import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { GetRoleCommand, ListRolesCommand, DeleteRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { crossAccountRoleBlueprint, renderDeliverable } from '@trustgate/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import {
  allowPolicy,
  awsError,
  clients,
  createUserWithKey,
  waitForStack,
  type Credentials,
} from './sandbox-clients.ts';

/**
 * The acceptance scenario, driven only over HTTP with the real SDK v3 clients: a customer applies
 * the CloudFormation template of trustgate's default blueprint; the platform assumes the created role with
 * the right external ID and is denied without it, with a wrong one, from another account, after expiry, and
 * for an action the role's policy does not allow.
 */
describe('acceptance: blueprint template, external ID, denials', () => {
  let sandbox: Sandbox;
  let offsetMs = 0;
  let roleArn: string;
  let platformUser: Credentials;
  let strangerUser: Credentials;
  const externalId = 'tg-ext-2f9c1d7e5a3b4c6d8e0f1a2b3c4d5e6f';

  async function userWithAssumeRight(root: Credentials, name: string): Promise<Credentials> {
    return createUserWithKey(sandbox, { root, name, policy: allowPolicy(['sts:AssumeRole']), policyName: 'assume' });
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 3, clock: () => new Date(Date.now() + offsetMs) });
    const [platform, customer, stranger] = sandbox.accounts;
    platformUser = await userWithAssumeRight(platform!, 'platform-broker');
    strangerUser = await userWithAssumeRight(stranger!, 'someone-else');
    const model = crossAccountRoleBlueprint({
      partition: 'aws',
      platform: { aws: { accountId: platform!.accountId } },
      externalIds: [externalId],
      policies: [
        {
          name: 'TrustgateRead',
          document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:GetRole'], Resource: '*' }] },
        },
      ],
    });
    const { cfn } = clients(sandbox.endpoint, sandbox.region, customer!);
    await cfn.send(
      new CreateStackCommand({
        StackName: 'trustgate-connection',
        TemplateBody: renderDeliverable(model, 'cloudformation-yaml'),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    const stack = await waitForStack(cfn, 'trustgate-connection');
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    roleArn = stack.Outputs!.find((o) => o.OutputKey === 'RoleArn')!.OutputValue!;
  });
  afterAll(async () => sandbox.stop());

  it('the platform assumes the role with the right external ID and get-caller-identity shows the assumed role', async () => {
    const { sts } = clients(sandbox.endpoint, sandbox.region, platformUser);
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'trustgate-run-1', ExternalId: externalId }),
    );
    expect(out.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    const session = clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    const me = await session.sts.send(new GetCallerIdentityCommand({}));
    expect(me.Arn).toBe(`arn:aws:sts::${sandbox.accounts[1]!.accountId}:assumed-role/TrustgateAccess/trustgate-run-1`);
    expect(me.Account).toBe(sandbox.accounts[1]!.accountId);
    // The role's policy allows iam:GetRole ...
    expect((await session.iam.send(new GetRoleCommand({ RoleName: 'TrustgateAccess' }))).Role?.Arn).toBe(roleArn);
  });

  it('is denied without an external ID and with a wrong one', async () => {
    const { sts } = clients(sandbox.endpoint, sandbox.region, platformUser);
    for (const ExternalId of [undefined, 'tg-ext-wrong-value', externalId.toUpperCase(), `${externalId}x`]) {
      const error = await awsError(
        sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: 'attacker',
            ...(ExternalId ? { ExternalId } : {}),
          }),
        ),
      );
      expect(error).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(error.message).toContain('is not authorized to perform: sts:AssumeRole');
    }
  });

  it('is denied to another account that knows the external ID', async () => {
    const { sts } = clients(sandbox.endpoint, sandbox.region, strangerUser);
    const error = await awsError(
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'stranger', ExternalId: externalId })),
    );
    expect(error).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('is denied to the account root, as AWS refuses root credentials for AssumeRole', async () => {
    const { sts } = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
    const error = await awsError(
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'root', ExternalId: externalId })),
    );
    expect(error.name).toBe('AccessDenied');
  });

  it('denies an action the role policy does not allow', async () => {
    const { sts } = clients(sandbox.endpoint, sandbox.region, platformUser);
    const out = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'limited', ExternalId: externalId }),
    );
    const session = clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    const list = await awsError(session.iam.send(new ListRolesCommand({})));
    expect(list).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(list.message).toContain('is not authorized to perform: iam:ListRoles');
    const del = await awsError(session.iam.send(new DeleteRoleCommand({ RoleName: 'TrustgateAccess' })));
    expect(del.message).toBe(
      `User: arn:aws:sts::${sandbox.accounts[1]!.accountId}:assumed-role/TrustgateAccess/limited is not authorized to perform: iam:DeleteRole on resource: ${roleArn} because no identity-based policy allows the iam:DeleteRole action`,
    );
  });

  it('rejects the session after it expires', async () => {
    const { sts } = clients(sandbox.endpoint, sandbox.region, platformUser);
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: 'short',
        ExternalId: externalId,
        DurationSeconds: 900,
      }),
    );
    expect(out.Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000 + 5_000);
    const session = clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: out.Credentials!.AccessKeyId!,
      secretAccessKey: out.Credentials!.SecretAccessKey!,
      sessionToken: out.Credentials!.SessionToken!,
    });
    expect((await session.sts.send(new GetCallerIdentityCommand({}))).Arn).toContain(
      'assumed-role/TrustgateAccess/short',
    );
    offsetMs = 901_000;
    try {
      const error = await awsError(session.sts.send(new GetCallerIdentityCommand({})));
      expect(error).toMatchObject({ name: 'ExpiredToken', status: 403 });
      expect(error.message).toBe('The security token included in the request is expired');
    } finally {
      offsetMs = 0;
    }
  });
});
