import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxAccount } from '@trustgate/sandbox';
import { isCertificateUrl } from '../src/aws/verify-sns-message.ts';
import { applyStack, callbackTopicArn, startTestService, type TestService } from './service-harness.ts';

const ISSUER = 'https://id.trustgate.test';

/**
 * Automatic mode for OIDC connections against the sandbox: the template's custom resource reports the role (RoleArn,
 * AccountId; no ExternalId) through SNS, and the callback verifies it with trustgate's tokens before CloudFormation is
 * answered. The service holds no AWS credentials: its partition names only the account of the callback topic.
 */
describe('automatic-mode OIDC connections against the sandbox', () => {
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let stackA: string;
  let customer: SandboxAccount;
  let other: SandboxAccount;
  const creds = (a: SandboxAccount) => ({ accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 3, customResourceTimeoutMs: 20_000 });
    const [platform, c, o] = sandbox.accounts;
    customer = c!;
    other = o!;
    const topicArn = callbackTopicArn(platform!.accountId);
    const origin = new URL(sandbox.endpoint).origin;
    t = await startTestService({
      dialect: 'sqlite',
      partitions: {
        aws: {
          endpoint: sandbox.endpoint,
          region: sandbox.region,
          accountId: platform!.accountId,
          callbackTopicArn: topicArn,
        },
      },
      isAllowedResponseUrl: (url) => url.origin === origin,
      snsMessages: { isTrustedCertificateUrl: isCertificateUrl(sandbox.snsSigningCertificateUrl) },
      identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) },
    });
    sandbox.routeOidcIssuer(ISSUER, t.url);
    await sandbox.subscribe(topicArn, `${t.url}/v1/callbacks/cloudformation`);
    ({ adminToken: token } = await t.newOrganization('Acme'));
    stackA = (await t.api('POST', '/v1/stacks', { token, body: { slug: 'alpha', name: 'alpha' } })).body.id;
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  const connect = async (roleName: string, accountId = customer.accountId) => {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: `c-${randomBytes(4).toString('hex')}`,
        roleName,
        mode: 'automatic',
        scope: { kind: 'account', accountId },
        trust: { kind: 'oidc', stackIds: [stackA], phases: ['read', 'write'] },
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.body as { connection: { id: string }; deliverables: { formats: Record<string, string> } };
  };
  const statusOf = async (id: string) => (await t.api('GET', `/v1/connections/${id}`, { token })).body;
  const callbackAnswers = async (id: string) =>
    (await t.api('GET', `/v1/audit?connectionId=${id}`, { token })).body
      .filter((e: { action: string }) => e.action === 'connection.callback')
      .map((e: { details: { answer: string } }) => e.details.answer);

  it('the stack reports its role, trustgate verifies it with tokens and answers SUCCESS: connected', async () => {
    const created = await connect('TrustgateAuto');
    const template = JSON.parse(created.deliverables.formats['cloudformation-json']!);
    const custom = template.Resources.TrustgateConnection;
    expect(custom.Type).toBe('Custom::TrustgateConnection');
    expect(Object.keys(custom.Properties).sort()).toEqual([
      'AccountId',
      'CallbackToken',
      'ConnectionId',
      'RoleArn',
      'ServiceToken',
    ]);
    expect(template.Parameters.ExternalId).toBeUndefined();
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-oidc-auto',
      templateBody: created.deliverables.formats['cloudformation-yaml']!,
    });
    await t.service.background.idle();
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const got = await statusOf(created.connection.id);
    expect(got.status, got.statusReason).toBe('connected');
    expect(got.roles[0].statusReason).toMatch(/OIDC token/);
    expect(await callbackAnswers(created.connection.id)).toEqual(['SUCCESS']);
    const audit = await t.api('GET', `/v1/audit?connectionId=${created.connection.id}`, { token });
    expect(audit.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('a template whose trust was widened to any organization fails the stack: insecure, answered FAILED', async () => {
    const created = await connect('TrustgateAutoWide');
    const wide = created.deliverables.formats['cloudformation-json']!.replace(
      /"id\.trustgate\.test:sub": "org:[^"]+"/,
      '"id.trustgate.test:sub": "org:*"',
    );
    expect(wide).toContain('"org:*"');
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-oidc-auto-wide',
      templateBody: wide,
      // The first stack created the account's provider for the issuer (one per URL): reuse it.
      parameters: { OidcProviderArn: `arn:aws:iam::${customer.accountId}:oidc-provider/id.trustgate.test` },
    });
    await t.service.background.idle();
    expect(stack.status).toMatch(/ROLLBACK_COMPLETE|CREATE_FAILED/);
    const got = await statusOf(created.connection.id);
    expect(got.status).toBe('insecure');
    expect(got.roles[0].statusReason).toMatch(/another organization's token/);
    expect(await callbackAnswers(created.connection.id)).toEqual(['FAILED']);
  });

  it('a stack in an account outside the scope fails with the reason and the connection stays pending', async () => {
    const created = await connect('TrustgateAutoOther');
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(other),
      stackName: 'tg-oidc-auto-other',
      templateBody: created.deliverables.formats['cloudformation-json']!,
    });
    await t.service.background.idle();
    expect(stack.status).toMatch(/ROLLBACK_COMPLETE|CREATE_FAILED/);
    expect((await statusOf(created.connection.id)).status).toBe('pending');
  });
});
