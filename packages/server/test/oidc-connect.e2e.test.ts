import { randomBytes } from 'node:crypto';
import {
  CreateRoleCommand,
  GetOpenIDConnectProviderCommand,
  IAMClient,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrustPolicy, oidcSubjectPattern } from '@trustgate/core';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { applyStack, startTestService, type TestService } from './service-harness.ts';
import { awsCliCallerArn } from './issuance-tools.ts';

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
  /** Connected connections: locked to stack A (both phases), and read only for any stack. */
  const connected: Record<'lockedA' | 'readAny', { id: string; roleArn: string }> = {} as never;

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
    connected.lockedA = { id: created.connection.id, roleArn: stack.outputs.RoleArn! };
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
    connected.readAny = { id: created.connection.id, roleArn: stack.outputs.RoleArn! };
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

  describe('the broker', () => {
    let issuer: string;
    let stackB: string;
    const attach = (stackId: string, body: Record<string, unknown>) =>
      t.api('POST', `/v1/stacks/${stackId}/attachments`, { token, body });
    const issue = (body: Record<string, unknown>) => t.api('POST', '/v1/issuances', { token: issuer, body });
    beforeAll(async () => {
      const minted = await t.api('POST', '/v1/tokens', {
        token,
        body: { name: 'runs', scopes: ['credentials:issue'] },
      });
      expect(minted.status, minted.text).toBe(201);
      issuer = minted.body.secret ?? minted.body.token?.secret;
      stackB = (await t.api('POST', '/v1/stacks', { token, body: { slug: 'beta', name: 'beta' } })).body.id;
    });

    it("attaches stack A and issues: trustgate exchanges the run's token itself, and the AWS CLI with the env format is the role", async () => {
      const attached = await attach(stackA, { connectionId: connected.lockedA.id, phases: ['read', 'write'] });
      expect(attached.status, attached.text).toBe(201);
      const res = await issue({ stack: 'alpha', phase: 'write', runId: 'run-1', connectionId: connected.lockedA.id });
      expect(res.status, res.text).toBe(201);
      expect(res.body.assumedRoleArn).toMatch(/^arn:aws:sts::\d{12}:assumed-role\/TrustgateAccess\//);
      expect(Object.keys(res.body.formats).sort()).toEqual(
        expect.arrayContaining(['env', 'credentialProcess', 'container']),
      );
      const cli = await awsCliCallerArn(sandbox.endpoint, res.body.formats.env);
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout).Arn).toBe(res.body.assumedRoleArn);
      expect(res.text).not.toMatch(/eyJ[\w-]+\.eyJ/); // the OIDC token never leaves trustgate
    });

    it('a role locked to stack A refuses stack B at attach time (422, what to change) and nothing is stored', async () => {
      const res = await attach(stackB, { connectionId: connected.lockedA.id, phases: ['read'] });
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.code).toBe('VERIFICATION_FAILED');
      expect(JSON.stringify(res.body.error)).toContain('trust.stackIds');
      const none = await issue({ stack: 'beta', phase: 'read', runId: 'run-2', connectionId: connected.lockedA.id });
      expect(none.status).toBeGreaterThanOrEqual(400);
    });

    it('a role the customer locks to stack A after stack B was attached refuses B at run time: ROLE_REFUSED, what to change', async () => {
      const attached = await attach(stackB, { connectionId: connected.readAny.id, phases: ['read'] });
      expect(attached.status, attached.text).toBe(201);
      const ok = await issue({ stack: 'beta', phase: 'read', runId: 'run-3', connectionId: connected.readAny.id });
      expect(ok.status, ok.text).toBe(201);
      const locked = buildTrustPolicy({
        partition: 'aws',
        principals: [
          {
            type: 'oidc',
            accountId: customer.accountId,
            issuer: ISSUER,
            audiences: ['sts.amazonaws.com'],
            subjects: [oidcSubjectPattern({ org, stack: stackA, phase: 'read' })],
          },
        ],
      });
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'TrustgateRead',
          PolicyDocument: JSON.stringify(locked.document),
        }),
      );
      const refused = await issue({ stack: 'beta', phase: 'read', runId: 'run-4', connectionId: connected.readAny.id });
      expect(refused.status, refused.text).toBe(422);
      expect(refused.body.error.code).toBe('ROLE_REFUSED');
      expect(refused.body.error.message).toMatch(/OIDC provider/);
      expect(refused.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    });
  });
});
