import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustgateError } from '@trustgate/core';
import { startSandbox, type Sandbox, type SandboxAccount } from '@trustgate/sandbox';
import { createTrustgateService } from '../src/create-service.ts';
import { applyStack, startTestService, TEST_SERVICE_DEFAULTS, type TestService } from './service-harness.ts';
import { awsCliCallerArn } from './issuance-tools.ts';
import { connectionRecord } from './connection-record.ts';

const ISSUER = 'https://id.trustgate.test';

/** Every setting through which the SDK's default credential chain could find an AWS identity, cleared for the suite. */
const CLEARED_ENV: Record<string, string | undefined> = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_DEFAULT_PROFILE: undefined,
  AWS_ROLE_ARN: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/trustgate-test/credentials',
  AWS_CONFIG_FILE: '/nonexistent/trustgate-test/config',
  AWS_EC2_METADATA_DISABLED: 'true',
};

/**
 * An OIDC-only deployment (issue 13): the service is an OIDC issuer and has no platform AWS identity in any
 * partition — no account, no credentials in its configuration or environment, no profile. It starts, serves its
 * issuer, connects an account from the CloudFormation template and issues to a run, all against the sandbox;
 * external-ID connections there are a 400 that says why, never a 500.
 */
describe('an OIDC-only deployment (no platform AWS identity anywhere) against the sandbox', () => {
  const saved: Record<string, string | undefined> = {};
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let org: string;
  let customer: SandboxAccount;

  beforeAll(async () => {
    for (const [key, value] of Object.entries(CLEARED_ENV)) {
      saved[key] = process.env[key];
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    sandbox = await startSandbox({ accounts: 1 });
    customer = sandbox.accounts[0]!;
    t = await startTestService({
      dialect: 'sqlite',
      // How to reach AWS there (the sandbox) and nothing else: no accountId, credentials, role or callback topic.
      partitions: { aws: { endpoint: sandbox.endpoint, region: sandbox.region } },
      identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) },
    });
    sandbox.routeOidcIssuer(ISSUER, t.url);
    ({ adminToken: token, organizationId: org } = await t.newOrganization('Acme'));
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('starts and serves: health, the discovery document and the JWKS', async () => {
    expect(t.service.deps.platforms).toEqual({});
    expect((await t.api('GET', '/healthz')).status).toBe(200);
    const discovery = await t.api('GET', '/.well-known/openid-configuration');
    expect(discovery.status).toBe(200);
    expect(discovery.body.issuer).toBe(ISSUER);
    const jwks = await t.api('GET', '/.well-known/jwks.json');
    expect(jwks.body.keys.length).toBeGreaterThan(0);
  });

  it('connects an account from the CloudFormation template and issues to a run; the AWS CLI is the role', async () => {
    const stackId = (await t.api('POST', '/v1/stacks', { token, body: { slug: 'alpha', name: 'alpha' } })).body.id;
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: 'oidc-only',
        scope: { kind: 'account', accountId: customer.accountId },
        trust: { kind: 'oidc', stackIds: [stackId], phases: ['read', 'write'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.connection.id as string;
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: customer,
      stackName: 'trustgate-oidc-only',
      templateBody: created.body.deliverables.formats['cloudformation-yaml'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const verified = await t.api('POST', `/v1/connections/${id}/verify`, {
      token,
      body: { roleArn: stack.outputs.RoleArn },
    });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.status, verified.body.statusReason).toBe('connected');
    const attached = await t.api('POST', `/v1/stacks/${stackId}/attachments`, {
      token,
      body: { connectionId: id, phases: ['read', 'write'] },
    });
    expect(attached.status, attached.text).toBe(201);
    const minted = await t.api('POST', '/v1/tokens', { token, body: { name: 'runs', scopes: ['credentials:issue'] } });
    const issuer = (minted.body.secret ?? minted.body.token?.secret) as string;
    const issued = await t.api('POST', '/v1/issuances', {
      token: issuer,
      body: { stack: 'alpha', phase: 'read', runId: 'run-1', connectionId: id },
    });
    expect(issued.status, issued.text).toBe(201);
    const cli = await awsCliCallerArn(sandbox.endpoint, issued.body.formats.env);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout).Arn).toBe(issued.body.assumedRoleArn);
    // Switching the connection to external-ID trust is refused and nothing is written.
    const back = await t.api('PATCH', `/v1/connections/${id}`, { token, body: { trust: { kind: 'external-id' } } });
    expect(back.status, back.text).toBe(400);
    expect(back.body.error.code).toBe('INVALID_PARTITION');
    const still = await t.api('GET', `/v1/connections/${id}`, { token });
    expect(still.body.trust.kind).toBe('oidc');
    expect(still.body.status).toBe('connected');
  });

  it('an external-ID connection is a 400 naming the partition and saying only OIDC trust is served', async () => {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'ext', scope: { kind: 'account', accountId: customer.accountId } },
    });
    expect(res.status, res.text).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_PARTITION', field: 'partition' });
    expect(res.body.error.message).toMatch(/no platform AWS identity in partition aws.*trust \{ kind: 'oidc' \}/);
  });

  it('an external-ID connection kept from before the switch: its deliverables, verification and update are 400s, never a 500', async () => {
    const record = connectionRecord(org, `legacy${randomBytes(3).toString('hex')}`, {
      scope: { kind: 'account', accountId: customer.accountId },
    });
    await t.service.store.connections.insert(record);
    const id = record.id;
    const deliverables = await t.api('GET', `/v1/connections/${id}/deliverables`, { token });
    expect(deliverables.status, deliverables.text).toBe(400);
    expect(deliverables.body.error.code).toBe('INVALID_PARTITION');
    const verify = await t.api('POST', `/v1/connections/${id}/verify`, {
      token,
      body: { roleArn: `arn:aws:iam::${customer.accountId}:role/TrustgateRole` },
    });
    expect(verify.status, verify.text).toBe(400);
    expect(verify.body.error.code).toBe('INVALID_PARTITION');
    expect(verify.body.error.message).toMatch(/OIDC connections only/);
    const update = await t.api('PATCH', `/v1/connections/${id}`, { token, body: { labels: { a: 'b' } } });
    expect(update.status, update.text).toBeLessThan(500);
    // Switching it to OIDC trust is the way out.
    const switched = await t.api('PATCH', `/v1/connections/${id}`, {
      token,
      body: { trust: { kind: 'oidc', phases: ['read'] } },
    });
    expect(switched.status, switched.text).toBe(200);
    expect((await t.api('GET', `/v1/connections/${id}/deliverables`, { token })).status).toBe(200);
  });

  it('refuses to start with a partition without accountId when it is no OIDC issuer, or with platform settings there', async () => {
    const start = (partition: Record<string, unknown>, identity = true) =>
      createTrustgateService({
        ...TEST_SERVICE_DEFAULTS,
        databaseUrl: ':memory:',
        partitions: { aws: { endpoint: sandbox.endpoint, ...partition } },
        ...(identity ? { identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) } } : {}),
      });
    const refusal = async (partition: Record<string, unknown>, identity = true) => {
      const error = await start(partition, identity).then(
        async (s) => {
          await s.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TrustgateError);
      return error as TrustgateError;
    };
    expect((await refusal({}, false)).field).toBe('partitions.aws.accountId');
    expect((await refusal({ callbackTopicArn: 'arn:aws:sns:us-east-1:111111111111:t' })).field).toBe(
      'partitions.aws.callbackTopicArn',
    );
    expect((await refusal({ credentials: { accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 'x' } })).field).toBe(
      'partitions.aws.credentials',
    );
  });
});
