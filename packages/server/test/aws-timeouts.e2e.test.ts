import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { applyStack, startTestService, type TestService } from './service-harness.ts';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';

/**
 * An AWS endpoint that accepts the connection and never answers (the sandbox's `timeout` fault) must not hold a
 * verification — and the API call waiting for it — forever: each attempt is given up after the configured
 * request timeout, the SDK retries, and the service answers 502 AWS_ERROR without a verdict on the customer's
 * role. Once AWS answers again, the same connection verifies.
 */
describe('AWS calls that never answer', () => {
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  const creds = (a: Sandbox['accounts'][number]) => ({
    accessKeyId: a.accessKeyId,
    secretAccessKey: a.secretAccessKey,
  });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2 });
    const [platform] = sandbox.accounts as [Sandbox['accounts'][number]];
    const platformUser = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: creds(platform),
    });
    t = await startTestService({
      dialect: 'sqlite',
      partitions: {
        aws: {
          endpoint: sandbox.endpoint,
          region: sandbox.region,
          credentials: platformUser.credentials,
          accountId: platform.accountId,
          requestTimeoutMs: 300,
          maxAttempts: 2,
        },
      },
    });
    token = (await t.newOrganization('Hang')).adminToken;
  });
  afterAll(async () => {
    sandbox?.faults.clear();
    await t?.close();
    await sandbox?.stop();
  });

  it('verification gives up on a hanging AssumeRole with 502 AWS_ERROR, stores no verdict, and verifies once AWS answers', async () => {
    const customer = sandbox.accounts[1]!;
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: 'hang',
        scope: { kind: 'account', accountId: customer.accountId },
        roleName: 'TgHang',
        selection: { mode: 'custom', products: ['cost-inventory'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-hang',
      templateBody: created.body.deliverables.formats['cloudformation-json'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const roleArn = stack.outputs.RoleArn;

    sandbox.faults.inject({ service: 'sts', action: 'AssumeRole', kind: 'timeout', count: Infinity });
    const hung = await t.api('POST', `/v1/connections/${created.body.connection.id}/verify`, {
      token,
      body: { roleArn },
    });
    expect(hung.status, hung.text).toBe(502);
    expect(hung.body.error.code).toBe('AWS_ERROR');
    // The SDK retried: every attempt reached the sandbox and was given up.
    expect(
      sandbox.faults.injected.filter((f) => f.action === 'AssumeRole' && f.kind === 'timeout').length,
    ).toBeGreaterThanOrEqual(2);
    const after = await t.api('GET', `/v1/connections/${created.body.connection.id}`, { token });
    expect(after.body.status).toBe('pending');

    sandbox.faults.clear();
    const verified = await t.api('POST', `/v1/connections/${created.body.connection.id}/verify`, {
      token,
      body: { roleArn },
    });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.status, verified.body.statusReason).toBe('connected');
  });
});
