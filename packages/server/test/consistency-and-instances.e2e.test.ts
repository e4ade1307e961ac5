import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { createTrustgateService, type TrustgateService } from '../src/create-service.ts';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import { reverifyDueConnections } from '../src/app/jobs/reverify-connections.ts';
import { seedDemoOrganization } from '../src/app/directory/seed-demo-organization.ts';
import { dropSchema, TEST_POSTGRES_URL } from './test-stores.ts';
import { startTestService, type TestService } from './service-harness.ts';

describe('eventual consistency and several instances', () => {
  let sandbox: Sandbox;
  let platformCredentials: { accessKeyId: string; secretAccessKey: string };
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2 });
    const admin = sandbox.accounts[0]!;
    platformCredentials = (
      await createPlatformUser({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        adminCredentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
      })
    ).credentials;
  });
  afterAll(async () => sandbox?.stop());

  const partitions = () => ({
    aws: {
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: platformCredentials,
      accountId: sandbox.accounts[0]!.accountId,
    },
  });

  it('retries with backoff while a new role is not assumable yet, says so while it waits, then connects', async () => {
    const t: TestService = await startTestService({
      dialect: 'sqlite',
      partitions: partitions(),
      verifyRetry: { baseDelayMs: 200, maxDelayMs: 400, maxWaitMs: 20_000 },
    });
    try {
      const { adminToken: token } = await t.newOrganization('Slow');
      const customer = sandbox.accounts[1]!;
      const created = (
        await t.api('POST', '/v1/connections', {
          token,
          body: {
            name: 'slow',
            scope: { kind: 'account', accountId: customer.accountId },
            roleName: 'TgSlow',
            selection: { mode: 'custom', integrations: ['cost-inventory/savings-plans'] },
          },
        })
      ).body;
      const roleArn = `arn:aws:iam::${customer.accountId}:role/TgSlow`;
      const verifying = t.api('POST', `/v1/connections/${created.connection.id}/verify`, { token, body: { roleArn } });
      // While verification waits, the connection says why.
      let waiting = '';
      for (let i = 0; i < 400 && waiting === ''; i++) {
        await new Promise((r) => setTimeout(r, 50));
        const got = (await t.api('GET', `/v1/connections/${created.connection.id}`, { token })).body;
        waiting = got.roles[0]?.statusReason ?? '';
      }
      expect(waiting).toMatch(/Waiting for AWS/);
      // The customer's role appears only now.
      const iam = new IAMClient({
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
      });
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'TgSlow',
          AssumeRolePolicyDocument: JSON.stringify(created.deliverables.trustPolicy),
        }),
      );
      for (const p of created.deliverables.permissionPolicies)
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: 'TgSlow',
            PolicyName: p.name,
            PolicyDocument: JSON.stringify(p.document),
          }),
        );
      const result = await verifying;
      expect(result.body.status, result.body.statusReason).toBe('connected');
    } finally {
      await t.close();
    }
  }, 90_000);

  it('gives up after the bounded time and calls the connection broken, naming the attempts', async () => {
    const t = await startTestService({
      dialect: 'sqlite',
      partitions: partitions(),
      verifyRetry: { baseDelayMs: 50, maxWaitMs: 200 },
    });
    try {
      const { adminToken: token } = await t.newOrganization('Never');
      const customer = sandbox.accounts[1]!;
      const created = (
        await t.api('POST', '/v1/connections', {
          token,
          body: { name: 'never', scope: { kind: 'account', accountId: customer.accountId }, roleName: 'TgNever' },
        })
      ).body;
      const res = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, {
        token,
        body: { roleArn: `arn:aws:iam::${customer.accountId}:role/TgNever` },
      });
      expect(res.body.status).toBe('broken');
      expect(res.body.statusReason).toMatch(/after [2-9] attempt/);
    } finally {
      await t.close();
    }
  });

  it("the scheduler re-verifies connected connections by itself and finds a role removed from the customer's account", async () => {
    const service = await createTrustgateService({
      databaseUrl: ':memory:',
      partitions: partitions(),
      publicUrl: 'http://127.0.0.1',
      reverify: { intervalMs: 300, tickMs: 100 },
      verifyRetry: { maxWaitMs: 0 },
    });
    try {
      const url = await service.listen({ port: 0 });
      const { adminToken } = await seedDemoOrganization(service.store);
      const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      const customer = sandbox.accounts[1]!;
      const created = await (
        await fetch(`${url}/v1/connections`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            name: 'watched',
            roleName: 'TgWatched',
            scope: { kind: 'account', accountId: customer.accountId },
            selection: { mode: 'custom', integrations: ['cost-inventory/savings-plans'] },
          }),
        })
      ).json();
      const iam = new IAMClient({
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
      });
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'TgWatched',
          AssumeRolePolicyDocument: JSON.stringify(created.deliverables.trustPolicy),
        }),
      );
      for (const p of created.deliverables.permissionPolicies)
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: 'TgWatched',
            PolicyName: p.name,
            PolicyDocument: JSON.stringify(p.document),
          }),
        );
      const verified = await (
        await fetch(`${url}/v1/connections/${created.connection.id}/verify`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ roleArn: `arn:aws:iam::${customer.accountId}:role/TgWatched` }),
        })
      ).json();
      expect(verified.status).toBe('connected');
      // The customer breaks the trust: the role no longer trusts the platform at all.
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'TgWatched',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      let status = 'connected';
      for (let i = 0; i < 300 && status === 'connected'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (await (await fetch(`${url}/v1/connections/${created.connection.id}`, { headers })).json()).status;
      }
      expect(status).toBe('broken');
      const audit = await (await fetch(`${url}/v1/audit?connectionId=${created.connection.id}`, { headers })).json();
      expect(audit.find((e: { action: string }) => e.action === 'connection.reverify')).toMatchObject({
        actorUserId: null,
        details: { from: 'connected', to: 'broken' },
      });
    } finally {
      await service.close();
    }
  }, 90_000);

  it('two instances on one PostgreSQL serve the same data and run the re-verification once', async () => {
    const schema = `tg_${randomBytes(6).toString('hex')}`;
    const start = () =>
      createTrustgateService({
        databaseUrl: TEST_POSTGRES_URL,
        databaseSchema: schema,
        databasePoolSize: 3,
        partitions: partitions(),
        publicUrl: 'http://127.0.0.1',
        reverify: false,
        verifyRetry: { maxWaitMs: 0 },
      });
    const [one, two]: [TrustgateService, TrustgateService] = await Promise.all([start(), start()]);
    try {
      expect(one.deps.callbackSecret).toBe(two.deps.callbackSecret);
      const urlOne = await one.listen({ port: 0 });
      const urlTwo = await two.listen({ port: 0 });
      const { adminToken } = await seedDemoOrganization(one.store);
      const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      const created = await (
        await fetch(`${urlOne}/v1/connections`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            name: 'shared',
            scope: { kind: 'account', accountId: sandbox.accounts[1]!.accountId },
          }),
        })
      ).json();
      const seen = await (await fetch(`${urlTwo}/v1/connections/${created.connection.id}`, { headers })).json();
      expect(seen.externalId).toBe(created.connection.externalId);
      const now = new Date(Date.now() + 3_600_000);
      const runs = await Promise.all(
        ([one, two, one, two] as TrustgateService[]).map((s, i) =>
          reverifyDueConnections(s.deps, { holder: `instance-${i}`, intervalMs: 60_000, now }),
        ),
      );
      expect(runs.filter((r) => r.ran)).toHaveLength(1);
    } finally {
      await one.close();
      await two.close();
      await dropSchema(schema);
    }
  });
});
