import { randomBytes } from 'node:crypto';
import { CreateRoleCommand, GetOpenIDConnectProviderCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrustPolicy, oidcSubjectPattern } from '@trustgate/core';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { applyStack, startTestService, type TestService } from './service-harness.ts';

/** The issuer as AWS requires it; the sandbox fetches its discovery document and JWKS from the service on loopback. */
const ISSUER = 'https://id.trustgate.test';

describe('connecting an account in OIDC mode against the sandbox, with no platform AWS credentials', () => {
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let org: string;
  let stackA: string;
  let iam: IAMClient;
  let customer: { accountId: string; accessKeyId: string; secretAccessKey: string };
  let providerArn: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1 });
    customer = sandbox.accounts[0]!;
    t = await startTestService({
      dialect: 'sqlite',
      // The platform's partition has an endpoint and an account but no credentials: nothing can sign a call.
      partitions: { aws: { endpoint: sandbox.endpoint, region: sandbox.region, accountId: '111111111111' } },
      identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) },
    });
    sandbox.routeOidcIssuer(ISSUER, t.url);
    ({ adminToken: token, organizationId: org } = await t.newOrganization('Acme'));
    stackA = (await t.api('POST', '/v1/stacks', { token, body: { slug: 'alpha', name: 'alpha' } })).body.id;
    iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: customer });
    providerArn = `arn:aws:iam::${customer.accountId}:oidc-provider/id.trustgate.test`;
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  const connect = async (trust: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: `c-${randomBytes(4).toString('hex')}`,
        scope: { kind: 'account', accountId: customer.accountId },
        trust: { kind: 'oidc', ...trust },
        ...extra,
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.body as { connection: { id: string }; deliverables: { formats: Record<string, string> } };
  };
  const verify = (id: string, roleArn: string) =>
    t.api('POST', `/v1/connections/${id}/verify`, { token, body: { roleArn } });
  /** A role trusting the provider with these sub patterns, made by hand (as a customer might widen it). */
  const handMadeRole = async (name: string, subjects: string[]) => {
    const trust = buildTrustPolicy({
      partition: 'aws',
      principals: [
        { type: 'oidc', accountId: customer.accountId, issuer: ISSUER, audiences: ['sts.amazonaws.com'], subjects },
      ],
    });
    const out = await iam.send(
      new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: JSON.stringify(trust.document) }),
    );
    return out.Role!.Arn!;
  };

  it("applies the CloudFormation template as the customer (it creates the OIDC provider), verifies connected with trustgate's tokens", async () => {
    const created = await connect({ stackIds: [stackA], phases: ['read', 'write'] });
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: customer,
      stackName: 'trustgate-oidc',
      templateBody: created.deliverables.formats['cloudformation-yaml']!,
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }));
    expect(provider).toMatchObject({
      Url: 'id.trustgate.test',
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: [],
    });
    const verified = await verify(created.connection.id, stack.outputs.RoleArn!);
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.status, verified.body.statusReason).toBe('connected');
    expect(verified.body.roles[0].statusReason).toMatch(/OIDC token/);
    expect(verified.text).not.toMatch(/eyJ[\w-]+\.eyJ/); // no JWT in the answer
  });

  it("a second connection's template reuses the provider through OidcProviderArn (an account has one per URL)", async () => {
    const created = await connect({ phases: ['read'] }, { roleName: 'TrustgateRead' });
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: customer,
      stackName: 'trustgate-oidc-read',
      templateBody: created.deliverables.formats['cloudformation-json']!,
      parameters: { OidcProviderArn: providerArn },
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const verified = await verify(created.connection.id, stack.outputs.RoleArn!);
    expect(verified.body.status, verified.body.statusReason).toBe('connected');
  });

  it("a role that accepts another organization's token is insecure, with what to fix", async () => {
    const created = await connect({ stackIds: [stackA], phases: ['read', 'write'] });
    const roleArn = await handMadeRole('WideOidc', ['org:*']);
    const res = await verify(created.connection.id, roleArn);
    expect(res.body.status).toBe('insecure');
    const role = res.body.roles[0];
    expect(role.statusReason).toMatch(/another organization's token/);
    expect(role.statusReason).toMatch(/another stack's token/);
    expect(role.fixHint).toContain('id.trustgate.test:sub');
    expect(role.fixHint).toContain(oidcSubjectPattern({ org, stack: stackA }));
  });

  it('a read-only connection whose role also admits the write phase is insecure', async () => {
    const created = await connect({ stackIds: [stackA], phases: ['read'] });
    const roleArn = await handMadeRole('BothPhases', [oidcSubjectPattern({ org, stack: stackA })]);
    const res = await verify(created.connection.id, roleArn);
    expect(res.body.status).toBe('insecure');
    expect(res.body.roles[0].statusReason).toMatch(/a write-phase token/);
    expect(res.body.roles[0].statusReason).not.toMatch(/another stack|organization|audience|expired|key not in/);
  });

  it('a role trusting another stack only refuses the token verification mints: broken, not connected', async () => {
    const created = await connect({ stackIds: [stackA], phases: ['read', 'write'] });
    const roleArn = await handMadeRole('OtherStack', [oidcSubjectPattern({ org, stack: 'stk_other' })]);
    const res = await verify(created.connection.id, roleArn);
    expect(res.body.status).toBe('broken');
    expect(res.body.roles[0].statusReason).toMatch(/could not be assumed with trustgate's OIDC token/);
  });
});
