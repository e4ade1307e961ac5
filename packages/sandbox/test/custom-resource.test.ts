import { createServer, type Server } from 'node:http';
import {
  UpdateStackCommand,
  CreateStackCommand,
  CreateStackInstancesCommand,
  DeleteStackInstancesCommand,
  DeleteStackSetCommand,
  CreateStackSetCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackSetOperationCommand,
  DescribeStacksCommand,
  ListStackInstancesCommand,
} from '@aws-sdk/client-cloudformation';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { awsError, clients, waitForStack } from './sandbox-clients.ts';

interface Received {
  headers: Record<string, string | string[] | undefined>;
  envelope: Record<string, string>;
  message: Record<string, unknown>;
}

/** An HTTP endpoint subscribed to the topic: records notifications and answers them as the test says. */
async function subscriber(
  answer: (m: Record<string, unknown>) => Record<string, unknown> | undefined,
): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const envelope = JSON.parse(body) as Record<string, string>;
      const message = JSON.parse(envelope.Message!) as Record<string, unknown>;
      received.push({ headers: req.headers, envelope, message });
      res.writeHead(200).end();
      const reply = answer(message);
      if (reply)
        void fetch(String(message.ResponseURL), {
          method: 'PUT',
          body: JSON.stringify({
            StackId: message.StackId,
            RequestId: message.RequestId,
            LogicalResourceId: message.LogicalResourceId,
            ...reply,
          }),
        });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}/sns`, received, server };
}

describe('custom resources through an SNS topic', () => {
  let sandbox: Sandbox;
  const servers: Server[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2, customResourceTimeoutMs: 1500 });
  });
  afterAll(async () => {
    await sandbox.stop();
    for (const s of servers) s.close();
  });

  const topic = (name: string): string => `arn:aws:sns:${sandbox.region}:${sandbox.accounts[0]!.accountId}:${name}`;
  const template = (topicArn: string) =>
    JSON.stringify({
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'connected-role',
            AssumeRolePolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
            },
          },
        },
        Connect: {
          Type: 'Custom::TrustgateConnect',
          Properties: { ServiceToken: topicArn, RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, ConnectionId: 'conn-42' },
        },
      },
      Outputs: { Token: { Value: { 'Fn::GetAtt': ['Connect', 'Token'] } }, Physical: { Value: { Ref: 'Connect' } } },
    });

  /**
   * Subscribes a {@link subscriber} that answers with `answer` to topic `topicName`, creates stack `stackName`
   * (a role and a custom resource notifying that topic) in the first account and waits until the stack settles.
   */
  async function createStackNotifying(stackName: string, topicName: string, answer: Parameters<typeof subscriber>[0]) {
    const sub = await subscriber(answer);
    servers.push(sub.server);
    sandbox.subscribe(topic(topicName), sub.url);
    const c = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
    await c.cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: template(topic(topicName)),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    return { sub, c, stack: await waitForStack(c.cfn, stackName) };
  }

  it('delivers the request as an SNS notification and waits for the PUT to the ResponseURL', async () => {
    const { sub, c, stack } = await createStackNotifying('auto-connect', 'connect', () => ({
      Status: 'SUCCESS',
      PhysicalResourceId: 'connection-conn-42',
      Data: { Token: 'tok-123' },
    }));
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]))).toEqual({
      Token: 'tok-123',
      Physical: 'connection-conn-42',
    });
    const { headers, envelope, message } = sub.received[0]!;
    expect(headers['x-amz-sns-message-type']).toBe('Notification');
    expect(envelope).toMatchObject({ Type: 'Notification', TopicArn: topic('connect') });
    const roleArn = (await c.iam.send(new GetRoleCommand({ RoleName: 'connected-role' }))).Role!.Arn;
    expect(message).toMatchObject({
      RequestType: 'Create',
      StackId: stack.StackId,
      LogicalResourceId: 'Connect',
      ResourceType: 'Custom::TrustgateConnect',
      ResourceProperties: { ServiceToken: topic('connect'), RoleArn: roleArn, ConnectionId: 'conn-42' },
    });
    expect(String(message.ResponseURL)).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/cloudformation-custom-resource-response\/.+Signature=/,
    );
    // Deleting the stack sends Delete with the physical ID.
    await c.cfn.send(new DeleteStackCommand({ StackName: 'auto-connect' }));
    const deadline = Date.now() + 5000;
    while (sub.received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(sub.received[1]!.message).toMatchObject({ RequestType: 'Delete', PhysicalResourceId: 'connection-conn-42' });
  });

  it('a FAILED response fails the resource with its reason and rolls the stack back', async () => {
    const { sub, c, stack } = await createStackNotifying('rejected', 'reject', (m) =>
      m.RequestType === 'Create'
        ? { Status: 'FAILED', Reason: 'role not assumable yet', PhysicalResourceId: 'x' }
        : { Status: 'SUCCESS', PhysicalResourceId: 'x' },
    );
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: 'rejected' }))).StackEvents!;
    expect(events.find((e) => e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toMatch(
      /^Received response status \[FAILED\] from custom resource\. Message returned: role not assumable yet/,
    );
    // The rollback sends the failed custom resource a Delete with the physical ID it answered.
    expect(sub.received.map((r) => [r.message.RequestType, r.message.PhysicalResourceId])).toEqual([
      ['Create', undefined],
      ['Delete', 'x'],
    ]);
  });

  it('a forged ResponseURL is refused and a silent endpoint times the resource out', async () => {
    const { c, stack } = await createStackNotifying('silent', 'silent', (m) => {
      const url = new URL(String(m.ResponseURL));
      url.searchParams.set('Signature', '0'.repeat(64));
      void fetch(url, {
        method: 'PUT',
        body: JSON.stringify({
          Status: 'SUCCESS',
          PhysicalResourceId: 'forged',
          StackId: m.StackId,
          RequestId: m.RequestId,
          LogicalResourceId: m.LogicalResourceId,
        }),
      }).then((r) => expect(r.status).toBe(403));
      return undefined;
    });
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: 'silent' }))).StackEvents!;
    expect(events.find((e) => e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toContain(
      'CloudFormation did not receive a response from your Custom Resource',
    );
  });
});

describe('StackSets across the sandbox accounts', () => {
  it('creates a stack instance in each target account', async () => {
    const sandbox = await startSandbox({ accounts: 3, organization: true });
    try {
      const [admin, m1, m2] = sandbox.accounts;
      const c = clients(sandbox.endpoint, sandbox.region, admin!);
      const body = JSON.stringify({
        Resources: {
          Role: {
            Type: 'AWS::IAM::Role',
            Properties: {
              RoleName: 'org-role',
              AssumeRolePolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Principal: { AWS: `arn:aws:iam::${admin!.accountId}:root` },
                    Action: 'sts:AssumeRole',
                  },
                ],
              },
            },
          },
        },
      });
      await c.cfn.send(
        new CreateStackSetCommand({
          StackSetName: 'org-onboarding',
          TemplateBody: body,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          PermissionModel: 'SERVICE_MANAGED',
          AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
        }),
      );
      const { OperationId } = await c.cfn.send(
        new CreateStackInstancesCommand({
          StackSetName: 'org-onboarding',
          DeploymentTargets: { OrganizationalUnitIds: ['ou-root-members'] },
          Regions: [sandbox.region],
        }),
      );
      let status = 'RUNNING';
      for (let i = 0; i < 200 && status === 'RUNNING'; i++) {
        status = (
          await c.cfn.send(new DescribeStackSetOperationCommand({ StackSetName: 'org-onboarding', OperationId }))
        ).StackSetOperation!.Status!;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe('SUCCEEDED');
      const instances = (await c.cfn.send(new ListStackInstancesCommand({ StackSetName: 'org-onboarding' })))
        .Summaries!;
      expect(instances.map((i) => i.Account).sort()).toEqual([m1!.accountId, m2!.accountId].sort());
      expect(
        instances.every((i) => i.Status === 'CURRENT' && i.StackInstanceStatus?.DetailedStatus === 'SUCCEEDED'),
      ).toBe(true);
      for (const member of [m1!, m2!]) {
        const mc = clients(sandbox.endpoint, sandbox.region, member);
        expect((await mc.iam.send(new GetRoleCommand({ RoleName: 'org-role' }))).Role?.Arn).toBe(
          `arn:aws:iam::${member.accountId}:role/org-role`,
        );
        expect((await mc.cfn.send(new DescribeStacksCommand({}))).Stacks?.[0]?.StackName).toMatch(
          /^StackSet-org-onboarding-/,
        );
      }
      // Service-managed StackSets do not deploy to the management account.
      expect((await awsError(c.iam.send(new GetRoleCommand({ RoleName: 'org-role' })))).name).toBe(
        'NoSuchEntityException',
      );
      // Offboarding: a non-empty StackSet cannot be deleted; deleting the instances removes the stacks' roles.
      expect((await awsError(c.cfn.send(new DeleteStackSetCommand({ StackSetName: 'org-onboarding' })))).name).toBe(
        'StackSetNotEmptyException',
      );
      const del = await c.cfn.send(
        new DeleteStackInstancesCommand({
          StackSetName: 'org-onboarding',
          DeploymentTargets: { OrganizationalUnitIds: ['ou-root-members'] },
          Regions: [sandbox.region],
          RetainStacks: false,
        }),
      );
      status = 'RUNNING';
      for (let i = 0; i < 200 && status === 'RUNNING'; i++) {
        status = (
          await c.cfn.send(
            new DescribeStackSetOperationCommand({ StackSetName: 'org-onboarding', OperationId: del.OperationId }),
          )
        ).StackSetOperation!.Status!;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe('SUCCEEDED');
      expect((await c.cfn.send(new ListStackInstancesCommand({ StackSetName: 'org-onboarding' }))).Summaries).toEqual(
        [],
      );
      expect(
        (
          await awsError(
            clients(sandbox.endpoint, sandbox.region, m1!).iam.send(new GetRoleCommand({ RoleName: 'org-role' })),
          )
        ).name,
      ).toBe('NoSuchEntityException');
      await c.cfn.send(new DeleteStackSetCommand({ StackSetName: 'org-onboarding' }));
    } finally {
      await sandbox.stop();
    }
  });
});

describe('stopping while a custom resource waits', () => {
  it('stop() does not wait for the custom resource timeout', async () => {
    const sandbox = await startSandbox({ accounts: 1 });
    const c = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
    const topicArn = `arn:aws:sns:${sandbox.region}:${sandbox.accounts[0]!.accountId}:nobody-listens`;
    await c.cfn.send(
      new CreateStackCommand({
        StackName: 'waiting',
        TemplateBody: JSON.stringify({
          Resources: { C: { Type: 'Custom::Wait', Properties: { ServiceToken: topicArn } } },
        }),
      }),
    );
    expect((await c.cfn.send(new DescribeStacksCommand({ StackName: 'waiting' }))).Stacks?.[0]?.StackStatus).toBe(
      'CREATE_IN_PROGRESS',
    );
    await sandbox.stop(); // the default timeout is one hour: this returns only because stop() ends the wait
  });
});

describe('snsEndpoints option', () => {
  it('delivers to a topic configured at start, with the Update request carrying the old properties', async () => {
    const sub = await subscriber(() => ({ Status: 'SUCCESS', PhysicalResourceId: 'fixed-id', Data: { V: '1' } }));
    const topicArn = 'arn:aws:sns:us-east-1:111122223333:configured-at-start';
    const sandbox = await startSandbox({ accounts: 1, snsEndpoints: { [topicArn]: sub.url } });
    try {
      const c = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
      const body = (value: string) =>
        JSON.stringify({
          Resources: { C: { Type: 'Custom::Thing', Properties: { ServiceToken: topicArn, Value: value } } },
        });
      await c.cfn.send(new CreateStackCommand({ StackName: 'configured', TemplateBody: body('a') }));
      expect((await waitForStack(c.cfn, 'configured')).StackStatus).toBe('CREATE_COMPLETE');
      await c.cfn.send(new UpdateStackCommand({ StackName: 'configured', TemplateBody: body('b') }));
      expect((await waitForStack(c.cfn, 'configured')).StackStatus).toBe('UPDATE_COMPLETE');
      expect(sub.received[1]!.message).toMatchObject({
        RequestType: 'Update',
        PhysicalResourceId: 'fixed-id',
        ResourceProperties: { Value: 'b' },
        OldResourceProperties: { Value: 'a' },
      });
    } finally {
      await sandbox.stop();
      sub.server.close();
    }
  });
});
