import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import { applyStack, startTestService, type TestService } from './service-harness.ts';

/**
 * One platform identity per partition: a role cannot be assumed across partitions, so a GovCloud connection
 * is verified with the GovCloud identity at the GovCloud endpoint, and a commercial one with the commercial
 * identity — two sandboxes stand in for the two partitions.
 */
describe('one platform identity per partition', () => {
  let commercial: Sandbox;
  let govcloud: Sandbox;
  let t: TestService;
  let token: string;

  beforeAll(async () => {
    [commercial, govcloud] = await Promise.all([
      startSandbox({ accounts: 2 }),
      startSandbox({ accounts: 2, partition: 'aws-us-gov' }),
    ]);
    const identity = async (s: Sandbox) => {
      const admin = s.accounts[0]!;
      return createPlatformUser({
        endpoint: s.endpoint,
        region: s.region,
        adminCredentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
      });
    };
    const [c, g] = await Promise.all([identity(commercial), identity(govcloud)]);
    t = await startTestService({
      dialect: 'sqlite',
      partitions: {
        aws: {
          endpoint: commercial.endpoint,
          region: commercial.region,
          credentials: c.credentials,
          accountId: c.accountId,
        },
        'aws-us-gov': {
          endpoint: govcloud.endpoint,
          region: govcloud.region,
          credentials: g.credentials,
          accountId: g.accountId,
        },
      },
    });
    token = (await t.newOrganization('Gov')).adminToken;
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([commercial?.stop(), govcloud?.stop()]);
  });

  it.each([['aws'], ['aws-us-gov']] as const)(
    "connects a role in %s with that partition's identity and ARNs",
    async (partition) => {
      const sandbox = partition === 'aws' ? commercial : govcloud;
      const customer = sandbox.accounts[1]!;
      const created = await t.api('POST', '/v1/connections', {
        token,
        body: {
          name: `p-${partition}`,
          partition,
          scope: { kind: 'account', accountId: customer.accountId },
          selection: { mode: 'custom', products: ['cost-inventory'] },
        },
      });
      expect(created.status, created.text).toBe(201);
      const trust = JSON.stringify(created.body.deliverables.trustPolicy);
      expect(trust).toContain(`arn:${partition}:iam::${sandbox.accounts[0]!.accountId}:root`);
      if (partition === 'aws-us-gov')
        expect(created.body.deliverables.formats['quick-create-link']).toContain('console.amazonaws-us-gov.com');
      const stack = await applyStack({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
        stackName: 'tg-partition',
        templateBody: created.body.deliverables.formats['cloudformation-json'],
      });
      expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
      expect(stack.outputs.RoleArn).toMatch(new RegExp(`^arn:${partition}:iam::`));
      const verified = await t.api('POST', `/v1/connections/${created.body.connection.id}/verify`, {
        token,
        body: { roleArn: stack.outputs.RoleArn },
      });
      expect(verified.body.status, verified.body.statusReason).toBe('connected');
      // The role ARN of the other partition is refused before any AWS call.
      const other = partition === 'aws' ? 'aws-us-gov' : 'aws';
      const cross = await t.api('POST', `/v1/connections/${created.body.connection.id}/verify`, {
        token,
        body: { roleArn: `arn:${other}:iam::${customer.accountId}:role/TrustgateAccess` },
      });
      expect(cross.body.error.code).toBe('INVALID_PARTITION');
    },
  );

  it('refuses a connection in a partition the service has no identity in', async () => {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'china', partition: 'aws-cn', scope: { kind: 'account', accountId: '222222222222' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_PARTITION', field: 'partition' });
  });
});
