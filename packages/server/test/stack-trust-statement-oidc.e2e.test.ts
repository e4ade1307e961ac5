import { randomBytes } from 'node:crypto';
import { IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { applyStack, startTestService, type TestService } from './service-harness.ts';

/** The issuer as AWS requires it; the sandbox fetches its discovery document and JWKS from the service on loopback. */
const ISSUER = 'https://id.trustgate.test';

/**
 * The stack page's example trust statement of an OIDC connection (issue 14) is the one STS enforces: a role whose
 * trust policy is that statement alone is assumed with the run tokens of that stack and phase
 * (AssumeRoleWithWebIdentity in the sandbox, which checks `aud` and `sub`) and refuses another phase's and another
 * stack's.
 */
describe('the OIDC trust statement of a stack and phase, enforced by the sandbox', () => {
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let org: string;
  let connectionId: string;
  let roleName: string;
  let alpha: string;
  const api = (method: string, path: string, body?: unknown) =>
    t.api(method, path, { token, ...(body === undefined ? {} : { body }) });
  const issue = (stack: string, phase: string, runId: string) =>
    api('POST', '/v1/issuances', { stack, phase, runId, connectionId });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1 });
    const customer = sandbox.accounts[0]!;
    t = await startTestService({
      dialect: 'sqlite',
      partitions: { aws: { endpoint: sandbox.endpoint, region: sandbox.region, accountId: '111111111111' } },
      identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) },
    });
    sandbox.routeOidcIssuer(ISSUER, t.url);
    ({ adminToken: token, organizationId: org } = await t.newOrganization('Acme'));
    const ids: string[] = [];
    for (const slug of ['alpha', 'beta']) {
      const made = await api('POST', '/v1/stacks', { slug, name: slug });
      expect(made.status, made.text).toBe(201);
      ids.push(made.body.id);
    }
    alpha = ids[0]!;
    const created = await api('POST', '/v1/connections', {
      name: 'oidc-any',
      scope: { kind: 'account', accountId: customer.accountId },
      trust: { kind: 'oidc', phases: ['read', 'write'] },
    });
    expect(created.status, created.text).toBe(201);
    connectionId = created.body.connection.id;
    roleName = created.body.connection.roleName;
    const applied = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: customer,
      stackName: 'trustgate-oidc-any',
      templateBody: created.body.deliverables.formats['cloudformation-json'],
    });
    expect(applied.status, applied.reason).toBe('CREATE_COMPLETE');
    const verified = await api('POST', `/v1/connections/${connectionId}/verify`, { roleArn: applied.outputs.RoleArn });
    expect(verified.body.status, verified.text).toBe('connected');
    for (const id of ids) {
      const attached = await api('POST', `/v1/stacks/${id}/attachments`, { connectionId, phases: ['read', 'write'] });
      expect(attached.status, attached.text).toBe(201);
    }
    // The connection's own (wide) trust serves every stack and phase before the statement replaces it.
    expect((await issue('beta', 'write', 'run-before')).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  it("names the provider, the audience and the exact sub of the stack's read runs", async () => {
    const res = await api('POST', `/v1/stacks/${alpha}/trust-statement`, { connectionId, phase: 'read' });
    expect(res.status, res.text).toBe(200);
    const subject = `org:${org}:space:none:stack:${alpha}:phase:read`;
    expect(res.body).toMatchObject({ trust: 'oidc', subject, scopedToStack: true, notes: [] });
    expect(res.body.statement).toMatchObject({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${sandbox.accounts[0]!.accountId}:oidc-provider/id.trustgate.test` },
      Action: 'sts:AssumeRoleWithWebIdentity',
    });
    expect(JSON.stringify(res.body.statement.Condition)).toContain(subject);
    expect(JSON.stringify(res.body.statement.Condition)).toContain('sts.amazonaws.com');
    const custom = await api('POST', `/v1/stacks/${alpha}/trust-statement`, {
      connectionId,
      phase: 'read',
      assumeOnWorker: true,
      customExternalId: 'worker-1',
    });
    expect(custom.status).toBe(400);
    expect(custom.body.error.field).toBe('customExternalId');
  });

  it('applied alone, the statement admits that stack in that phase and STS refuses another phase and stack', async () => {
    const res = await api('POST', `/v1/stacks/${alpha}/trust-statement`, { connectionId, phase: 'read' });
    expect(res.status, res.text).toBe(200);
    const iam = new IAMClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: sandbox.accounts[0]!,
    });
    await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(res.body.policy) }),
    );
    const served = await issue('alpha', 'read', 'run-locked');
    expect(served.status, served.text).toBe(201);
    expect(served.body.source).toBe('sts');
    for (const [stack, phase] of [
      ['alpha', 'write'],
      ['beta', 'read'],
    ] as const) {
      const refused = await issue(stack, phase, `run-${stack}-${phase}`);
      expect(refused.status, `${stack} ${phase}: ${refused.text}`).toBe(422);
      expect(refused.body.error.code).toBe('ROLE_REFUSED');
    }
  });
});
