import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, IAMClient, ListUsersCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrustPolicy, oidcSubjectPattern } from '@trustgate/core';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { applyStack, startTestService, type TestService } from './service-harness.ts';
import { runClean } from './issuance-tools.ts';

const ISSUER = 'https://wid.trustgate.test';
const JWT = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/;

/**
 * ListUsers (which the template's ReadOnlyAccess grants) denied to every session but the one tagged with stack alpha
 * and the source identity of run t1: the session's tags and source identity are what AWS's policy evaluation sees.
 */
const ABAC_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Action: 'iam:ListUsers',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:PrincipalTag/trustgate:stack': 'alpha' } },
    },
    {
      Effect: 'Deny',
      Action: 'iam:ListUsers',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:SourceIdentity': 'tg-alpha-run-t1' } },
    },
  ],
});

/**
 * The second delivery of OIDC connections (issue 13): an assume-on-worker attachment answers the run's web identity
 * token, and the run's own AWS tooling assumes the role from the token file against the sandbox, which fetches the
 * issuer's discovery document and JWKS over HTTP. The service holds no AWS credentials at all.
 */
describe('OIDC token-file delivery and session tags, against the sandbox', { timeout: 60_000 }, () => {
  let sandbox: Sandbox;
  let t: TestService;
  let admin: string;
  let org: string;
  let issuer: string;
  let customer: { accountId: string; accessKeyId: string; secretAccessKey: string };
  let stackA: string;
  let dir: string;
  /** The service's log at trace level: every request of the file. */
  const log: string[] = [];
  const roles: Record<'plain' | 'tagging', { id: string; roleArn: string }> = {} as never;

  const connect = async (name: string, extra: Record<string, unknown>) => {
    const res = await t.api('POST', '/v1/connections', {
      token: admin,
      body: {
        name,
        roleName: name,
        scope: { kind: 'account', accountId: customer.accountId },
        trust: { kind: 'oidc', phases: ['read', 'write'] },
        ...extra,
      },
    });
    expect(res.status, res.text).toBe(201);
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: customer,
      stackName: name,
      templateBody: res.body.deliverables.formats['cloudformation-json'],
      ...(name === 'TgPlain' ? {} : { parameters: { OidcProviderArn: providerArn() } }),
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const verified = await t.api('POST', `/v1/connections/${res.body.connection.id}/verify`, {
      token: admin,
      body: { roleArn: stack.outputs.RoleArn },
    });
    expect(verified.body.status, verified.text).toBe('connected');
    return { id: res.body.connection.id as string, roleArn: stack.outputs.RoleArn! };
  };
  const providerArn = () => `arn:aws:iam::${customer.accountId}:oidc-provider/wid.trustgate.test`;
  const attach = (stackId: string, body: Record<string, unknown>) =>
    t.api('POST', `/v1/stacks/${stackId}/attachments`, { token: admin, body });
  const issue = (body: Record<string, unknown>) => t.api('POST', '/v1/issuances', { token: issuer, body });
  /** The AWS CLI assuming the role by itself from a token file: `aws sts get-caller-identity` (and more, if asked). */
  const awsFromTokenFile = async (webIdentity: { token: string; env: Record<string, string> }, args?: string[]) => {
    const file = join(dir, `token-${randomBytes(4).toString('hex')}`);
    writeFileSync(file, webIdentity.token, { mode: 0o600 });
    return runClean('aws', args ?? ['sts', 'get-caller-identity', '--output', 'json'], {
      ...webIdentity.env,
      AWS_WEB_IDENTITY_TOKEN_FILE: file,
      AWS_ENDPOINT_URL_STS: sandbox.endpoint,
      AWS_ENDPOINT_URL_IAM: sandbox.endpoint,
    });
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1 });
    customer = sandbox.accounts[0]!;
    t = await startTestService({
      dialect: 'sqlite',
      partitions: { aws: { endpoint: sandbox.endpoint, region: sandbox.region, accountId: '111111111111' } },
      identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) },
      logger: { level: 'trace', stream: { write: (line: string) => log.push(line) } },
    });
    sandbox.routeOidcIssuer(ISSUER, t.url);
    ({ adminToken: admin, organizationId: org } = await t.newOrganization('Acme'));
    stackA = (await t.api('POST', '/v1/stacks', { token: admin, body: { slug: 'alpha', name: 'alpha' } })).body.id;
    roles.plain = await connect('TgPlain', {});
    roles.tagging = await connect('TgTagging', { sessionTagging: true });
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: customer });
    await iam.send(
      new PutRolePolicyCommand({ RoleName: 'TgTagging', PolicyName: 'abac', PolicyDocument: ABAC_POLICY }),
    );
    const minted = await t.api('POST', '/v1/tokens', {
      token: admin,
      body: { name: 'runs', scopes: ['credentials:issue'] },
    });
    issuer = minted.body.secret;
    dir = mkdtempSync(join(tmpdir(), 'tg-wid-'));
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('an OIDC attachment with assumeOnWorker is verified and stored; a custom external ID is refused naming the field', async () => {
    const refused = await attach(stackA, {
      connectionId: roles.plain.id,
      phases: ['read'],
      assumeOnWorker: true,
      customExternalId: 'tenant-chosen-id',
    });
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body.error.field).toBe('customExternalId');
    const res = await attach(stackA, { connectionId: roles.plain.id, phases: ['read', 'write'], assumeOnWorker: true });
    expect(res.status, res.text).toBe(201);
    expect(res.body.assumeOnWorker).toBe(true);
    expect(res.body.verification.checks.every((c: { ok: boolean }) => c.ok)).toBe(true);
  });

  it('issuance answers the web identity token (bounded by the run token), no credentials; the AWS CLI assumes the role from the token file', async () => {
    const res = await issue({
      stack: 'alpha',
      phase: 'write',
      runId: 'run-w1',
      connectionId: roles.plain.id,
      runToken: { lifetimeSeconds: 600 },
    });
    expect(res.status, res.text).toBe(201);
    const { webIdentity, runToken, runTokenExpiresAt } = res.body;
    expect(res.body.credentials).toBeUndefined();
    expect(res.body.formats).toBeUndefined();
    expect(runToken).toMatch(/^tgr_/);
    expect(webIdentity).toMatchObject({ roleArn: roles.plain.roleArn, roleSessionName: 'tg-alpha-run-w1' });
    expect(webIdentity.env).toEqual({
      AWS_ROLE_ARN: roles.plain.roleArn,
      AWS_ROLE_SESSION_NAME: 'tg-alpha-run-w1',
      AWS_REGION: sandbox.region,
      AWS_DEFAULT_REGION: sandbox.region,
    });
    const claims = decodeJwt(webIdentity.token);
    expect(claims.iss).toBe(ISSUER);
    expect(claims.sub).toContain(`:stack:${stackA}:phase:write`);
    expect(claims.exp! * 1000).toBe(Date.parse(webIdentity.expiresAt));
    expect(Date.parse(webIdentity.expiresAt)).toBeLessThanOrEqual(Date.parse(runTokenExpiresAt));
    expect(claims.exp! - claims.iat!).toBeGreaterThan(590); // the run's 600 s, not the 300 s of an exchange token
    const cli = await awsFromTokenFile(webIdentity);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).Arn).toBe(`arn:aws:sts::${customer.accountId}:assumed-role/TgPlain/tg-alpha-run-w1`);
  });

  it('a token never outlives the run: a run token of 2 minutes bounds it; without a run token the issuer caps it', async () => {
    const short = await issue({
      stack: 'alpha',
      phase: 'read',
      runId: 'run-w2',
      connectionId: roles.plain.id,
      runToken: { lifetimeSeconds: 120 },
    });
    expect(short.status, short.text).toBe(201);
    expect(short.body.webIdentity.expiresAt).toBe(short.body.runTokenExpiresAt);
    const none = await issue({ stack: 'alpha', phase: 'read', runId: 'run-w3', connectionId: roles.plain.id });
    const claims = decodeJwt(none.body.webIdentity.token);
    expect(claims.exp! - claims.iat!).toBe(3600);
    expect(none.body.runToken).toBeUndefined();
  });

  it('the run token refreshes the token (a new one each time, never past the run); the container endpoint has none to serve', async () => {
    const first = await issue({
      stack: 'alpha',
      phase: 'read',
      runId: 'run-w4',
      connectionId: roles.plain.id,
      runToken: { lifetimeSeconds: 900 },
    });
    const refreshed = await fetch(`${t.url}/v1/issuances/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.body.runToken}` },
    });
    expect(refreshed.status).toBe(200);
    const again = (await refreshed.json()) as { webIdentity: { token: string; expiresAt: string }; runToken?: string };
    expect(again.runToken).toBeUndefined();
    expect(decodeJwt(again.webIdentity.token).jti).not.toBe(decodeJwt(first.body.webIdentity.token).jti);
    expect(Date.parse(again.webIdentity.expiresAt)).toBeLessThanOrEqual(Date.parse(first.body.runTokenExpiresAt));
    const cli = await awsFromTokenFile({ token: again.webIdentity.token, env: first.body.webIdentity.env });
    expect(cli.code, cli.stderr).toBe(0);
    const container = await fetch(`${t.url}/v1/container-credentials`, {
      headers: { authorization: first.body.runToken },
    });
    expect(container.status).toBe(400);
  });

  it("revoking the connection's sessions refuses the run token: no fresh token for that run", async () => {
    const first = await issue({
      stack: 'alpha',
      phase: 'read',
      runId: 'run-w5',
      connectionId: roles.plain.id,
      runToken: { lifetimeSeconds: 900 },
    });
    expect(first.status, first.text).toBe(201);
    await new Promise((r) => setTimeout(r, 1_100)); // run tokens carry whole seconds: revoke after this one's iat
    const revoked = await t.api('POST', `/v1/connections/${roles.plain.id}/revoke-sessions`, { token: admin });
    expect(revoked.status, revoked.text).toBe(200);
    const refused = await fetch(`${t.url}/v1/issuances/refresh`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.body.runToken}` },
    });
    expect(refused.status).toBe(401);
    expect(await refused.text()).not.toMatch(JWT);
  });

  it('each delivery is audited (jti, kid, expiry, never the token)', async () => {
    const audit = await t.api('GET', '/v1/audit', { token: admin });
    expect(audit.status, audit.text).toBe(200);
    const issued = (audit.body as { action: string; details: Record<string, unknown> }[]).filter(
      (e) => e.action === 'credentials.issue' && e.details.delivery === 'web-identity',
    );
    expect(issued.length).toBeGreaterThanOrEqual(5);
    expect(issued.map((e) => e.details.via)).toContain('run-token');
    for (const e of issued)
      expect(e.details).toMatchObject({ tokenJti: expect.any(String), tokenKid: expect.any(String) });
    expect(audit.text).not.toMatch(JWT);
  });

  it("the service's log (trace) holds no token it delivered", () => {
    expect(log.length).toBeGreaterThan(10);
    expect(log.join('\n')).not.toMatch(JWT);
  });

  describe('session tags and source identity through the token', () => {
    it("trustgate's own exchange: the session carries the run's tags and source identity (aws:PrincipalTag, aws:SourceIdentity)", async () => {
      const attached = await attach(stackA, { connectionId: roles.tagging.id, phases: ['read'] });
      expect(attached.status, attached.text).toBe(201);
      const res = await issue({ stack: 'alpha', phase: 'read', runId: 'run-t1', connectionId: roles.tagging.id });
      expect(res.status, res.text).toBe(201);
      const iam = new IAMClient({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: res.body.credentials,
      });
      expect((await iam.send(new ListUsersCommand({}))).Users).toBeDefined();
      // Another run's session: another source identity, which the role's policy does not admit.
      const other = await issue({ stack: 'alpha', phase: 'read', runId: 'run-t2', connectionId: roles.tagging.id });
      const denied = new IAMClient({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: other.body.credentials,
      });
      await expect(denied.send(new ListUsersCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
    });

    it("the worker's token carries them too: the AWS CLI's session from the token file has the tags", async () => {
      const del = await t.api('GET', `/v1/stacks/${stackA}/attachments`, { token: admin });
      const current = (del.body as { id: string; connectionId: string }[]).find(
        (a) => a.connectionId === roles.tagging.id,
      )!;
      await t.api('DELETE', `/v1/stacks/${stackA}/attachments/${current.id}`, { token: admin });
      const attached = await attach(stackA, { connectionId: roles.tagging.id, phases: ['read'], assumeOnWorker: true });
      expect(attached.status, attached.text).toBe(201);
      const res = await issue({ stack: 'alpha', phase: 'read', runId: 'run-t1', connectionId: roles.tagging.id });
      expect(res.status, res.text).toBe(201);
      const claims = decodeJwt(res.body.webIdentity.token);
      expect(claims['https://aws.amazon.com/tags']).toEqual({
        principal_tags: { 'trustgate:stack': ['alpha'], 'trustgate:phase': ['read'], 'trustgate:run': ['run-t1'] },
      });
      expect(claims['https://aws.amazon.com/source_identity']).toBe('tg-alpha-run-t1');
      const cli = await awsFromTokenFile(res.body.webIdentity, ['iam', 'list-users', '--output', 'json']);
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout).Users).toEqual([]);
    });

    it('a session-tagging connection whose role does not allow sts:TagSession is refused at attach time (422), nothing stored', async () => {
      const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: customer });
      const conn = await t.api('POST', '/v1/connections', {
        token: admin,
        body: {
          name: 'untagged',
          roleName: 'TgNoTagSession',
          scope: { kind: 'account', accountId: customer.accountId },
          trust: { kind: 'oidc', phases: ['read', 'write'] },
          sessionTagging: true,
        },
      });
      expect(conn.status, conn.text).toBe(201);
      // The role as a customer might make it by hand: the OIDC trust without the session actions.
      const trust = buildTrustPolicy({
        partition: 'aws',
        principals: [
          {
            type: 'oidc',
            accountId: customer.accountId,
            issuer: ISSUER,
            audiences: ['sts.amazonaws.com'],
            subjects: [oidcSubjectPattern({ org })],
          },
        ],
      });
      const roleArn = (
        await iam.send(
          new CreateRoleCommand({
            RoleName: 'TgNoTagSession',
            AssumeRolePolicyDocument: JSON.stringify(trust.document),
          }),
        )
      ).Role!.Arn!;
      // Verifying the connection proves the subject lock with untagged tokens: the role is recorded (its policies
      // are the customer's to fix), not refused.
      const verified = await t.api('POST', `/v1/connections/${conn.body.connection.id}/verify`, {
        token: admin,
        body: { roleArn },
      });
      expect(verified.body.roles[0].roleArn, verified.text).toBe(roleArn);
      expect(verified.body.status).not.toBe('broken');
      const stackB = (await t.api('POST', '/v1/stacks', { token: admin, body: { slug: 'beta', name: 'beta' } })).body
        .id;
      const res = await attach(stackB, { connectionId: conn.body.connection.id, phases: ['read'] });
      expect(res.status, res.text).toBe(422);
      expect(res.body.error.code).toBe('VERIFICATION_FAILED');
      expect(res.text).not.toMatch(JWT);
      const listed = await t.api('GET', `/v1/stacks/${stackB}/attachments`, { token: admin });
      expect(listed.body).toEqual([]);
    });
  });
});
