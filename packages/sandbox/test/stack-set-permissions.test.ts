import {
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetOperationCommand,
  ListStackInstancesCommand,
  type CloudFormationClient,
} from '@aws-sdk/client-cloudformation';
import { AttachRolePolicyCommand, CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { awsError, clients, trustPolicy } from './sandbox-clients.ts';

async function finished(cfn: CloudFormationClient, stackSetName: string, operationId: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const status = (
      await cfn.send(new DescribeStackSetOperationCommand({ StackSetName: stackSetName, OperationId: operationId }))
    ).StackSetOperation!.Status!;
    if (status !== 'RUNNING') return status;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('operation still running');
}

/**
 * StackSets as attacks: an account must not be able to deploy a stack (here an admin backdoor role) into
 * another account that has not opted in with an execution role trusting its administration role
 * (CloudFormation User Guide, "Grant self-managed permissions"), and a member account cannot use
 * service-managed permissions.
 */
describe('StackSet permissions across accounts', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 3, organization: true });
  });
  afterAll(async () => sandbox.stop());

  const backdoor = (attacker: string): string =>
    JSON.stringify({
      Resources: {
        R: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'backdoor',
            AssumeRolePolicyDocument: JSON.parse(trustPolicy({ AWS: `arn:aws:iam::${attacker}:root` })) as unknown,
            ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
          },
        },
      },
    });

  it('a self-managed StackSet cannot deploy into an account without a trusting execution role', async () => {
    const [, attacker, victim] = sandbox.accounts;
    const a = clients(sandbox.endpoint, sandbox.region, attacker!);
    // Even with its own administration role, the attacker cannot reach an account that does not trust it.
    await a.iam.send(
      new CreateRoleCommand({
        RoleName: 'AWSCloudFormationStackSetAdministrationRole',
        AssumeRolePolicyDocument: trustPolicy({ Service: 'cloudformation.amazonaws.com' }),
      }),
    );
    await a.cfn.send(
      new CreateStackSetCommand({
        StackSetName: 'evil',
        TemplateBody: backdoor(attacker!.accountId),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    const { OperationId } = await a.cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'evil',
        Accounts: [victim!.accountId],
        Regions: [sandbox.region],
      }),
    );
    expect(await finished(a.cfn, 'evil', OperationId!)).toBe('FAILED');
    const [instance] = (await a.cfn.send(new ListStackInstancesCommand({ StackSetName: 'evil' }))).Summaries!;
    expect(instance?.StatusReason).toBe(
      `Account ${victim!.accountId} should have 'AWSCloudFormationStackSetExecutionRole' role with trust relationship to Role 'AWSCloudFormationStackSetAdministrationRole'.`,
    );
    const v = clients(sandbox.endpoint, sandbox.region, victim!);
    expect((await awsError(v.iam.send(new GetRoleCommand({ RoleName: 'backdoor' })))).name).toBe(
      'NoSuchEntityException',
    );

    // An execution role trusting someone else's administration role does not let the attacker in either.
    const [third] = sandbox.accounts;
    await clients(sandbox.endpoint, sandbox.region, third!).iam.send(
      new CreateRoleCommand({
        RoleName: 'AWSCloudFormationStackSetAdministrationRole',
        AssumeRolePolicyDocument: trustPolicy({ Service: 'cloudformation.amazonaws.com' }),
      }),
    );
    await v.iam.send(
      new CreateRoleCommand({
        RoleName: 'AWSCloudFormationStackSetExecutionRole',
        AssumeRolePolicyDocument: trustPolicy({
          AWS: `arn:aws:iam::${third!.accountId}:role/AWSCloudFormationStackSetAdministrationRole`,
        }),
      }),
    );
    await v.iam.send(
      new AttachRolePolicyCommand({
        RoleName: 'AWSCloudFormationStackSetExecutionRole',
        PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
    );
    const again = await a.cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'evil',
        Accounts: [victim!.accountId],
        Regions: [sandbox.region],
      }),
    );
    expect(await finished(a.cfn, 'evil', again.OperationId!)).toBe('FAILED');
    expect((await awsError(v.iam.send(new GetRoleCommand({ RoleName: 'backdoor' })))).name).toBe(
      'NoSuchEntityException',
    );
  });

  it('deploys, as the execution role, into an account whose execution role trusts the administration role', async () => {
    const [admin, , target] = sandbox.accounts;
    const m = clients(sandbox.endpoint, sandbox.region, admin!);
    const t = clients(sandbox.endpoint, sandbox.region, target!);
    // The administration role and the execution role trusting it were made by the previous test.
    await m.cfn.send(
      new CreateStackSetCommand({
        StackSetName: 'onboarding',
        TemplateBody: backdoor(admin!.accountId),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    const { OperationId } = await m.cfn.send(
      new CreateStackInstancesCommand({
        StackSetName: 'onboarding',
        Accounts: [target!.accountId],
        Regions: [sandbox.region],
      }),
    );
    expect(await finished(m.cfn, 'onboarding', OperationId!)).toBe('SUCCEEDED');
    expect((await t.iam.send(new GetRoleCommand({ RoleName: 'backdoor' }))).Role?.Arn).toBe(
      `arn:aws:iam::${target!.accountId}:role/backdoor`,
    );
  });

  it('a member account cannot create a service-managed StackSet', async () => {
    const member = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[1]!);
    const error = await awsError(
      member.cfn.send(
        new CreateStackSetCommand({
          StackSetName: 'org-wide',
          TemplateBody: backdoor(sandbox.accounts[1]!.accountId),
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          PermissionModel: 'SERVICE_MANAGED',
        }),
      ),
    );
    expect(error).toMatchObject({ name: 'ValidationError', status: 400 });
  });
});
