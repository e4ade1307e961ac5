import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from '../../../test/support/moto-server.ts';
import { applyStack, startTestService, type TestService } from './service-harness.ts';
import { readPlatformAccount } from '../src/aws/read-platform-identity.ts';

/**
 * The manual-connect flow against moto, an AWS emulator trustgate did not write: proves the SDK adapters
 * (AssumeRole, GetCallerIdentity, IAM policy reads with URL-encoded documents, pagination) against another
 * implementation. moto enforces neither trust policies nor external IDs, so the probes without / with a wrong
 * external ID succeed there and the connection is (rightly) judged `insecure`; the secure cases run against
 * the sandbox.
 */
describe('manual connect against moto', () => {
  let moto: MotoServer;
  let t: TestService;
  const account = '123456789012'; // moto's default account
  const credentials = { accessKeyId: 'AKIAMOTOTESTING00001', secretAccessKey: 'moto-secret' };

  beforeAll(async () => {
    moto = await startMoto();
    t = await startTestService({
      dialect: 'sqlite',
      partitions: { aws: { endpoint: moto.endpoint, region: 'us-east-1', credentials, accountId: account } },
    });
  });
  afterAll(async () => {
    await t?.close();
    await moto?.stop();
  });

  it('creates, applies the template in moto, and verifies: assumed, policies read and evaluated, insecure because moto ignores external IDs', async () => {
    const { adminToken: token } = await t.newOrganization('Moto');
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: 'moto',
        scope: { kind: 'account', accountId: account },
        roleName: 'TgMoto',
        selection: { mode: 'custom', products: ['cost-inventory'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    const stack = await applyStack({
      endpoint: moto.endpoint,
      credentials,
      stackName: 'tg-moto',
      templateBody: created.body.deliverables.formats['cloudformation-json'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const roleArn = stack.outputs.RoleArn ?? `arn:aws:iam::${account}:role/TgMoto`;
    const verified = await t.api('POST', `/v1/connections/${created.body.connection.id}/verify`, {
      token,
      body: { roleArn },
    });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.roles[0].roleArn).toBe(roleArn);
    expect(verified.body.roles[0].missing).toEqual([]);
    expect(verified.body.status).toBe('insecure');
    expect(verified.body.roles[0].fixHint).toContain(created.body.connection.externalId);
  });

  it('reads the platform account through the SDK default credential chain (--aws default)', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    try {
      const identity = await readPlatformAccount({ partition: 'aws', region: 'eu-west-1', endpoint: moto.endpoint });
      expect(identity).toMatchObject({ accountId: account, region: 'eu-west-1' });
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });

  it('a role in moto that lacks the policies is listed as missing actions', async () => {
    const { adminToken: token } = await t.newOrganization('Moto2');
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: 'moto-bare',
        scope: { kind: 'account', accountId: account },
        roleName: 'TgMotoBare',
        selection: { mode: 'custom', integrations: ['cost-inventory/cost-explorer'] },
      },
    });
    const body = JSON.parse(created.body.deliverables.formats['cloudformation-json']) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    // Keep only the role (with its trust policy): no permissions at all.
    body.Resources = Object.fromEntries(
      Object.entries(body.Resources)
        .filter(([, r]) => r.Type === 'AWS::IAM::Role')
        .map(([k, r]) => [k, { ...r, Properties: { ...r.Properties, ManagedPolicyArns: [] } }]),
    );
    const stack = await applyStack({
      endpoint: moto.endpoint,
      credentials,
      stackName: 'tg-moto-bare',
      templateBody: JSON.stringify(body),
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const verified = await t.api('POST', `/v1/connections/${created.body.connection.id}/verify`, {
      token,
      body: { roleArn: `arn:aws:iam::${account}:role/TgMotoBare` },
    });
    expect(verified.status, verified.text).toBe(200);
    // moto lets the session read nothing-granted policies (it does not authorize IAM calls), so the local check runs and finds every action missing.
    expect(verified.body.roles[0].missing.map((m: { integrationId: string }) => m.integrationId)).toEqual([
      'cost-explorer',
    ]);
  });
});
