import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import type { SandboxAccount } from '@trustgate/sandbox';
import { localCredentialCache } from '../src/cache/local-credential-cache.ts';
import type { Stack } from '../src/model/broker-records.ts';
import { DIALECTS } from './test-stores.ts';
import { startBrokerEnv, type BrokerEnv } from './issuance-harness.ts';
import { OPERATOR_TOKEN, type ApiResponse } from './service-harness.ts';
import { awsCliCallerArn, boto3CallerArn, sdkContainerCallerArn } from './issuance-tools.ts';

/**
 * The credential broker end to end (issue 12) against the sandbox's STS and IAM, on SQLite and PostgreSQL: one
 * service per dialect, reused by every test. Secrets are never printed: assertions compare them.
 */
describe.each(DIALECTS)('credential issuance against the sandbox on %s', (dialect) => {
  let env: BrokerEnv;
  let conn: Awaited<ReturnType<BrokerEnv['connect']>>;
  let web: Stack;
  let issuer: { id: string; secret: string };
  /** Minutes the cache's clock is ahead of the wall clock (the stale-cache test moves it). */
  let cacheClockAheadMs = 0;
  /** Every secret the tests saw issued: none may appear in an audit row, a log line or an error body. */
  const secrets = new Set<string>();
  const errorBodies: string[] = [];

  beforeAll(async () => {
    env = await startBrokerEnv({
      dialect,
      service: {
        credentialCache: localCredentialCache({ now: () => Date.now() + cacheClockAheadMs }),
        broker: {
          // A 900 s session is refreshed once 14 min or less are left, and served stale while more than 1 min is.
          loadPolicy: { refreshAheadMs: 14 * 60_000, minRemainingMs: 60_000 },
          stsRetry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, jitter: false },
        },
      },
    });
    conn = await env.connect('main');
    web = await env.stack('web');
    await env.attach(web, conn.id, { readOnlySessionPolicy: true });
    issuer = await env.token({ scopes: ['credentials:issue'] });
  });
  afterAll(async () => {
    await env?.close();
  });

  const sessionCreds = (body: {
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  }) => ({
    accessKeyId: body.credentials.accessKeyId,
    secretAccessKey: body.credentials.secretAccessKey,
    sessionToken: body.credentials.sessionToken,
  });
  /** Issues over the API; remembers the secrets of a success and the body of a failure. */
  async function issue(body: Record<string, unknown>, token = issuer.secret) {
    const res = await env.api('POST', '/v1/issuances', { token, body });
    remember(res);
    return res;
  }
  function remember(res: ApiResponse) {
    if (res.status >= 400) errorBodies.push(res.text);
    const c = res.body?.credentials ?? res.body;
    for (const v of [c?.secretAccessKey, c?.sessionToken, c?.SecretAccessKey, c?.Token, res.body?.runToken])
      if (typeof v === 'string') secrets.add(v);
  }
  const iamAs = (creds: ReturnType<typeof sessionCreds>) =>
    new IAMClient({ endpoint: env.sandbox.endpoint, region: env.sandbox.region, credentials: creds });

  it('issues write credentials the AWS CLI and boto3 use unchanged, and serves the second request from the cache (one STS call)', async () => {
    const before = env.stsCalls();
    const first = await issue({ stack: 'web', phase: 'write', runId: 'run-1' });
    expect(first.status, first.text).toBe(201);
    expect(first.headers.get('cache-control')).toBe('no-store');
    const b = first.body;
    expect(b).toMatchObject({ phase: 'write', runId: 'run-1', stackId: web.id, accountId: env.customer.accountId });
    expect(b.source).toBe('sts');
    expect(b.sessionName).toBe('tg-web-run-1');
    expect(b.assumedRoleArn).toBe(`arn:aws:sts::${env.customer.accountId}:assumed-role/${conn.roleName}/tg-web-run-1`);
    expect(Object.keys(b.formats.env).sort()).toEqual(
      [
        'AWS_ACCESS_KEY_ID',
        'AWS_CREDENTIAL_EXPIRATION',
        'AWS_DEFAULT_REGION',
        'AWS_REGION',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_SECURITY_TOKEN',
        'AWS_SESSION_TOKEN',
      ].sort(),
    );
    expect(b.formats.credentialProcess.Version).toBe(1);
    expect(b.formats.container.Token === b.credentials.sessionToken).toBe(true);

    const cli = await awsCliCallerArn(env.sandbox.endpoint, b.formats.env);
    expect(cli.code, 'aws sts get-caller-identity failed').toBe(0);
    expect(JSON.parse(cli.stdout).Arn).toBe(b.assumedRoleArn);

    const profileName = 'trustgate-web-write';
    expect(b.formats.configProfile).toContain(`[profile ${profileName}]`);
    expect(b.formats.configProfile).toMatch(
      /^credential_process = trustgate creds --stack web --phase write --run run-1 --format credential-process$/m,
    );
    const boto = await boto3CallerArn({
      endpoint: env.sandbox.endpoint,
      profileName,
      configProfile: b.formats.configProfile,
      credentialProcessJson: b.formats.credentialProcess,
    });
    expect(boto.code, 'boto3 failed').toBe(0);
    expect(boto.stdout.trim()).toBe(b.assumedRoleArn);

    const second = await issue({ stack: 'web', phase: 'write', runId: 'run-1' });
    expect(second.status).toBe(201);
    expect(second.body.source).toBe('cache');
    expect(second.body.credentials.accessKeyId).toBe(b.credentials.accessKeyId);
    expect(env.stsCalls() - before).toBe(1);
    const doc = await env.api('GET', '/openapi.json');
    for (const path of ['/v1/issuances', '/v1/issuances/refresh', '/v1/container-credentials'])
      expect(Object.keys(doc.body.paths)).toContain(path);
  });

  it('a stack in a space and its attachment made through the API (verified at attach time) issue to a space-restricted token', async () => {
    const space = await env.api('POST', '/v1/spaces', { token: env.adminToken, body: { name: 'platform' } });
    expect(space.status, space.text).toBe(201);
    const stack = await env.api('POST', '/v1/stacks', {
      token: env.adminToken,
      body: { slug: 'api-made', name: 'Made through the API', spaceId: space.body.id },
    });
    expect(stack.status, stack.text).toBe(201);
    const attached = await env.api('POST', `/v1/stacks/${stack.body.id}/attachments`, {
      token: env.adminToken,
      body: { connectionId: conn.id, phases: ['read', 'write'] },
    });
    expect(attached.status, attached.text).toBe(201);
    const inSpace = await env.token({ scopes: ['credentials:issue'], restriction: { spaceIds: [space.body.id] } });
    const res = await issue({ stack: stack.body.id, phase: 'read', runId: 'api-1' }, inSpace.secret);
    expect(res.status, res.text).toBe(201);
    expect(res.body.sessionName).toBe('tg-api-made-api-1');
    expect((await issue({ stack: 'web', phase: 'read', runId: 'api-1' }, inSpace.secret)).status).toBe(403);
  });

  it('read-phase credentials carry the read-only session policy: the sandbox refuses them a write the write phase may do', async () => {
    const read = await issue({ stack: 'web', phase: 'read', runId: 'run-2' });
    expect(read.status, read.text).toBe(201);
    const write = await issue({ stack: 'web', phase: 'write', runId: 'run-2' });
    expect(write.status, write.text).toBe(201);
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await expect(
      iamAs(sessionCreds(read.body)).send(
        new CreateRoleCommand({ RoleName: 'PlanMayNot', AssumeRolePolicyDocument: trust }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await iamAs(sessionCreds(write.body)).send(
      new CreateRoleCommand({ RoleName: 'ApplyMay', AssumeRolePolicyDocument: trust }),
    );
  });

  it('run tokens refresh their own run (refresh route, container endpoint used by the SDK v3) and nothing else', async () => {
    const own = await env.token({ scopes: ['credentials:issue'] });
    const issued = await issue(
      { stack: 'web', phase: 'write', runId: 'run-3', runToken: { lifetimeSeconds: 900 } },
      own.secret,
    );
    expect(issued.status, issued.text).toBe(201);
    const runToken: string = issued.body.runToken;
    expect(runToken.startsWith('tgr_')).toBe(true);
    expect(Date.parse(issued.body.runTokenExpiresAt)).toBeGreaterThan(Date.now() + 800_000);

    const refreshed = await env.api('POST', '/v1/issuances/refresh', { authorization: `Bearer ${runToken}` });
    remember(refreshed);
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.body).toMatchObject({ runId: 'run-3', phase: 'write', stackId: web.id, source: 'cache' });
    expect(refreshed.body.runToken).toBeUndefined();
    expect(refreshed.body.credentials.accessKeyId).toBe(issued.body.credentials.accessKeyId);

    const container = await env.api('GET', '/v1/container-credentials', { authorization: runToken });
    remember(container);
    expect(container.status, container.text).toBe(200);
    expect(Object.keys(container.body).sort()).toEqual(['AccessKeyId', 'Expiration', 'SecretAccessKey', 'Token']);
    const sdk = await sdkContainerCallerArn({
      endpoint: env.sandbox.endpoint,
      fullUri: `${env.url}/v1/container-credentials`,
      authorizationToken: runToken,
      region: env.sandbox.region,
    });
    expect(sdk.code, 'the SDK v3 default chain failed').toBe(0);
    expect(sdk.stdout.trim()).toBe(issued.body.assumedRoleArn);

    // A run token is no API token, and an API token is no run token.
    for (const [method, path] of [
      ['GET', '/v1/connections'],
      ['GET', '/v1/me'],
    ] as const) {
      expect((await env.api(method, path, { token: runToken })).status).toBe(401);
    }
    const other = await env.stack('other-stack');
    await env.attach(other, conn.id);
    const forB = await issue({ stack: 'other-stack', phase: 'write', runId: 'run-3' }, runToken);
    expect(forB.status).toBe(401);
    expect(
      (await env.api('GET', '/v1/container-credentials?stack=other-stack', { authorization: runToken })).status,
    ).toBe(400);
    for (const authorization of [own.secret, `Bearer ${own.secret}`, `Bearer ${runToken}`]) {
      const res = await env.api('GET', '/v1/container-credentials', { authorization });
      remember(res);
      expect(res.status).toBe(401);
    }
    expect((await env.api('POST', '/v1/issuances/refresh', { authorization: runToken })).status).toBe(401);
    expect((await env.api('POST', '/v1/issuances/refresh', { token: own.secret })).status).toBe(401);
    const tampered = runToken.slice(0, 10) + (runToken[10] === 'A' ? 'B' : 'A') + runToken.slice(11);
    const bad = await env.api('GET', '/v1/container-credentials', { authorization: tampered });
    remember(bad);
    expect(bad.status).toBe(401);
    expect(bad.text.includes('AccessKeyId')).toBe(false);

    // Revoking the issuing API token refuses its run tokens at once.
    expect((await env.api('DELETE', `/v1/tokens/${own.id}`, { token: env.adminToken })).status).toBe(200);
    expect((await env.api('POST', '/v1/issuances/refresh', { authorization: `Bearer ${runToken}` })).status).toBe(401);
    expect((await env.api('GET', '/v1/container-credentials', { authorization: runToken })).status).toBe(401);
  });

  it('refuses another organization, a token without the scope, a restricted token and a user without access: never credentials', async () => {
    const globex = await env.api('POST', '/v1/organizations', {
      token: OPERATOR_TOKEN,
      body: { name: 'Globex', adminEmail: 'admin@globex.test', adminName: 'Globex admin' },
    });
    expect(globex.status).toBe(201);
    const refusals: [string, number, Record<string, unknown>][] = [
      [globex.body.token.secret, 404, { stack: 'web' }],
      [globex.body.token.secret, 404, { stack: web.id }],
      [(await env.token({ scopes: ['connections:write', 'admin'] })).secret, 403, { stack: 'web' }],
      [(await env.token({ scopes: ['credentials:issue'], restriction: { stackIds: ['stk_other'] } })).secret, 403, {}],
      [(await env.token({ scopes: ['credentials:issue'], restriction: { spaceIds: ['spc_other'] } })).secret, 403, {}],
      ['tg_not-a-token', 401, {}],
    ];
    for (const [token, status, extra] of refusals) {
      const res = await issue({ stack: 'web', phase: 'read', runId: 'run-4', ...extra }, token);
      expect(res.status, res.text).toBe(status);
      expect(res.body.credentials).toBeUndefined();
    }
    const allowed = await env.token({ scopes: ['credentials:issue'], restriction: { stackIds: [web.id] } });
    expect((await issue({ stack: 'web', phase: 'read', runId: 'run-4' }, allowed.secret)).status).toBe(201);

    const member = await env.api('POST', '/v1/users', {
      token: env.adminToken,
      body: { email: 'dev@acme.test', name: 'Dev' },
    });
    expect(member.status).toBe(201);
    const memberToken = await env.token({ userId: member.body.id, scopes: ['credentials:issue'] });
    const ask = () => issue({ stack: 'web', phase: 'read', runId: 'run-4' }, memberToken.secret);
    expect((await ask()).status).toBe(403);
    const grant = async (level: string) =>
      expect(
        (
          await env.api('PUT', `/v1/connections/${conn.id}/access/${member.body.id}`, {
            token: env.adminToken,
            body: { level },
          })
        ).status,
      ).toBe(200);
    await grant('viewer');
    expect((await ask()).status).toBe(403);
    await grant('user');
    expect((await ask()).status).toBe(201);
    // Lowered again: refused at once, though the service remembers resolved issuances for a second.
    await grant('viewer');
    expect((await ask()).status).toBe(403);
    await grant('user');
    expect((await ask()).status).toBe(201);
    // `user` access may issue, not revoke.
    expect(
      (await env.api('POST', `/v1/connections/${conn.id}/revoke-sessions`, { token: memberToken.secret })).status,
    ).toBe(403);
  });

  it('a multi-account connection issues per account, and asks which account when the attachment covers several', async () => {
    const other = env.sandbox.accounts[2] as SandboxAccount;
    const multi = await env.connect('multi', [env.customer, other]);
    const fleet = await env.stack('fleet');
    await env.attach(fleet, multi.id, { phases: ['read'] });
    const unsure = await issue({ stack: 'fleet', phase: 'read', runId: 'r' });
    expect(unsure.status).toBe(400);
    expect(unsure.body.error.field).toBe('accountId');
    expect(unsure.body.error.message).toContain(env.customer.accountId);
    expect(unsure.body.error.message).toContain(other.accountId);
    for (const account of [env.customer, other]) {
      const res = await issue({ stack: 'fleet', phase: 'read', runId: 'r', accountId: account.accountId });
      expect(res.status, res.text).toBe(201);
      expect(res.body.assumedRoleArn).toContain(`:${account.accountId}:assumed-role/${multi.roleName}/`);
    }
    expect((await issue({ stack: 'fleet', phase: 'read', runId: 'r', accountId: '999999999999' })).status).toBe(403);
    expect((await issue({ stack: 'fleet', phase: 'write', runId: 'r', accountId: other.accountId })).status).toBe(403);
  });

  it('with STS throttled, still-valid cached credentials are served; CREDENTIALS_UNAVAILABLE once nothing valid is left', async () => {
    const scan = await env.stack('scan');
    await env.attach(scan, conn.id, { durationSeconds: 900, sessionMode: 'shared' });
    const fresh = await issue({ stack: 'scan', phase: 'read', runId: 'scan-1' });
    expect(fresh.status, fresh.text).toBe(201);
    expect(fresh.body.durationSeconds).toBe(900);
    env.setFaults([{ service: 'sts', action: 'AssumeRole', kind: 'throttle', count: Infinity }]);
    try {
      const before = env.stsCalls();
      cacheClockAheadMs = 2 * 60_000; // 13 min left: due for a refresh, which STS throttles
      const stale = await issue({ stack: 'scan', phase: 'read', runId: 'scan-2' });
      expect(stale.status, stale.text).toBe(201);
      expect(stale.body.source).toBe('stale-cache');
      expect(stale.body.credentials.accessKeyId).toBe(fresh.body.credentials.accessKeyId);
      expect(env.stsCalls() - before).toBe(3); // the retries, then the cached session
      cacheClockAheadMs = 14.5 * 60_000; // 30 s left: too little to hand out
      const none = await issue({ stack: 'scan', phase: 'read', runId: 'scan-3' });
      expect(none.status).toBe(503);
      expect(none.body.error.code).toBe('CREDENTIALS_UNAVAILABLE');
      expect(none.body.credentials).toBeUndefined();
    } finally {
      cacheClockAheadMs = 0;
      env.setFaults([]);
    }
    const back = await issue({ stack: 'scan', phase: 'read', runId: 'scan-4' });
    expect(back.status).toBe(201);
  });

  it('the container endpoint refreshes ahead of expiry, so a run longer than one session keeps working', async () => {
    await env.attach(await env.stack('long-run'), conn.id, { durationSeconds: 900 });
    const issued = await issue({
      stack: 'long-run',
      phase: 'write',
      runId: 'lr-1',
      runToken: { lifetimeSeconds: 7200 },
    });
    expect(issued.status, issued.text).toBe(201);
    const first = await env.api('GET', '/v1/container-credentials', { authorization: issued.body.runToken });
    remember(first);
    expect(first.body.AccessKeyId).toBe(issued.body.credentials.accessKeyId);
    try {
      cacheClockAheadMs = 2 * 60_000; // 13 of the session's 15 minutes left: inside the refresh-ahead window
      const next = await env.api('GET', '/v1/container-credentials', { authorization: issued.body.runToken });
      remember(next);
      expect(next.status).toBe(200);
      expect(next.body.AccessKeyId).not.toBe(first.body.AccessKeyId);
    } finally {
      cacheClockAheadMs = 0;
    }
  });

  it('with session tagging, sessions carry the run as SourceIdentity and the stack, phase and run as session tags', async () => {
    const tagged = await env.connect('tagged', [env.customer], { sessionTagging: true });
    await env.attach(await env.stack('tagged'), tagged.id);
    // The customer's role denies every session that is not this run of this stack.
    await env.iamOf(env.customer).send(
      new PutRolePolicyCommand({
        RoleName: tagged.roleName,
        PolicyName: 'only-tagged-runs',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          // One statement per key: the keys of one condition block are ANDed.
          Statement: Object.entries({
            'aws:SourceIdentity': 'tg-tagged-t-1',
            'aws:PrincipalTag/trustgate:stack': 'tagged',
            'aws:PrincipalTag/trustgate:phase': 'write',
            'aws:PrincipalTag/trustgate:run': 't-1',
          }).map(([key, value]) => ({
            Effect: 'Deny',
            Action: 'iam:GetRole',
            Resource: '*',
            Condition: { StringNotEquals: { [key]: value } },
          })),
        }),
      }),
    );
    const ran = await issue({ stack: 'tagged', phase: 'write', runId: 't-1' });
    expect(ran.status, ran.text).toBe(201);
    await iamAs(sessionCreds(ran.body)).send(new GetRoleCommand({ RoleName: tagged.roleName }));
    const otherRun = await issue({ stack: 'tagged', phase: 'write', runId: 't-2' });
    expect(otherRun.status, otherRun.text).toBe(201);
    await expect(
      iamAs(sessionCreds(otherRun.body)).send(new GetRoleCommand({ RoleName: tagged.roleName })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('assume on worker answers the assumption parameters, no credentials, and calls no STS', async () => {
    const worker = await env.stack('worker');
    await env.attach(worker, conn.id, { assumeOnWorker: true, customExternalId: 'tenant-chosen-id-1' });
    const before = env.stsCalls();
    const res = await issue({ stack: 'worker', phase: 'write', runId: 'w-1' });
    expect(res.status, res.text).toBe(201);
    expect(res.body.credentials).toBeUndefined();
    expect(res.body.formats).toBeUndefined();
    expect(res.body.assumeRole).toEqual({
      roleArn: conn.roleArn,
      externalId: 'tenant-chosen-id-1',
      roleSessionName: 'tg-worker-w-1',
      durationSeconds: 3600,
    });
    expect(env.stsCalls()).toBe(before);
  });

  it('a chained platform identity gets sessions clamped to one hour, and the answer says so', async () => {
    const long = await env.stack('long');
    await env.attach(long, conn.id, { durationSeconds: 7200 });
    const broker = env.service.deps.broker!;
    broker.chainedSessions = true;
    try {
      const res = await issue({ stack: 'long', phase: 'write', runId: 'l-1' });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ chained: true, durationSeconds: 3600, clamped: { from: 7200, to: 3600 } });
      expect(res.body.clamped.reason).toMatch(/chain/i);
    } finally {
      delete broker.chainedSessions;
    }
  });

  it('a role whose trust policy refuses the platform answers ROLE_REFUSED at once and marks the connection broken', async () => {
    const refusing = await env.connect('refusing');
    const stack = await env.stack('refused');
    await env.attach(stack, refusing.id);
    await env.iamOf(env.customer).send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: refusing.roleName,
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
      }),
    );
    const before = env.stsCalls();
    const res = await issue({ stack: 'refused', phase: 'write', runId: 'x' });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('ROLE_REFUSED');
    expect(res.body.error.message).toMatch(/trust policy/);
    expect(env.stsCalls() - before).toBe(1);
    const seen = await env.api('GET', `/v1/connections/${refusing.id}`, { token: env.adminToken });
    expect(seen.body.status).toBe('broken');
    expect(seen.body.statusReason).toContain('refused');
  });

  it('a role locked to stack A: stack B and the write phase are refused by the recorded trust at once, and by AWS when the role trusts less than recorded', async () => {
    const locked = await env.connect('locked', [env.customer], {
      externalIdTrust: { kind: 'scoped', stacks: ['locked-a'], phases: ['read'] },
    });
    await env.attach(await env.stack('locked-a'), locked.id);
    await env.attach(await env.stack('locked-b'), locked.id);
    const before = env.stsCalls();
    const ok = await issue({ stack: 'locked-a', phase: 'read', runId: 'l-1' });
    expect(ok.status, ok.text).toBe(201);
    for (const [stack, phase] of [
      ['locked-b', 'read'],
      ['locked-a', 'write'],
    ]) {
      const refused = await issue({ stack, phase, runId: 'l-1' });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('ROLE_REFUSED');
      expect(refused.body.error.message).toContain('externalIdTrust');
    }
    expect(env.stsCalls() - before).toBe(1);
    const still = await env.api('GET', `/v1/connections/${locked.id}`, { token: env.adminToken });
    expect(still.body.status).not.toBe('broken');

    // The connection now records any stack while the role still trusts only locked-a: AWS refuses stack B at run time.
    const widened = await env.api('PATCH', `/v1/connections/${locked.id}`, {
      token: env.adminToken,
      body: { externalIdTrust: { kind: 'scoped', phases: ['read'] } },
    });
    expect(widened.status, widened.text).toBe(200);
    const byAws = await issue({ stack: 'locked-b', phase: 'read', runId: 'l-2' });
    expect(byAws.status).toBe(422);
    expect(byAws.body.error.code).toBe('ROLE_REFUSED');
    expect(env.stsCalls() - before).toBe(2);
    const broken = await env.api('GET', `/v1/connections/${locked.id}`, { token: env.adminToken });
    expect(broken.body.status).toBe('broken');
  });

  it('an issuance whose audit record cannot be written is not served (503)', async () => {
    const broker = env.service.deps.broker!;
    const audit = broker.audit;
    broker.audit = { append: async () => Promise.reject(new Error('the audit table is gone')) };
    try {
      const res = await issue({ stack: 'web', phase: 'write', runId: 'run-1' });
      expect(res.status).toBe(503);
      expect(res.body.credentials).toBeUndefined();
      expect(res.text.includes('AccessKeyId') || res.text.includes('accessKeyId')).toBe(false);
    } finally {
      broker.audit = audit;
    }
  });

  it('revocation: the old cached session is not served again, and with the remedy applied AWS denies it while a new one works', async () => {
    const own = await env.token({ scopes: ['credentials:issue'] });
    const old = await issue(
      { stack: 'web', phase: 'write', runId: 'rev-1', runToken: { lifetimeSeconds: 900 } },
      own.secret,
    );
    expect(old.status).toBe(201);
    await iamAs(sessionCreds(old.body)).send(new GetRoleCommand({ RoleName: conn.roleName }));
    const revoked = await env.api('POST', `/v1/connections/${conn.id}/revoke-sessions`, { token: env.adminToken });
    expect(revoked.status, revoked.text).toBe(200);
    const cutoff = Date.parse(revoked.body.revokedBefore);
    expect(cutoff).toBeLessThanOrEqual(Date.now());
    expect(revoked.body.remedy.policyName).toBe('AWSRevokeOlderSessions');
    expect(revoked.body.remedy.cli).toContain(conn.roleName);

    const fresh = await issue({ stack: 'web', phase: 'write', runId: 'rev-1' }, own.secret);
    expect(fresh.status).toBe(201);
    expect(fresh.body.source).toBe('sts');
    expect(fresh.body.credentials.accessKeyId).not.toBe(old.body.credentials.accessKeyId);
    // The run token minted before the cut-off refreshes nothing.
    expect(
      (await env.api('POST', '/v1/issuances/refresh', { authorization: `Bearer ${old.body.runToken}` })).status,
    ).toBe(401);

    // The customer applies AWS's remedy to the role (trustgate may not change it).
    await env.iamOf(env.customer).send(
      new PutRolePolicyCommand({
        RoleName: conn.roleName,
        PolicyName: revoked.body.remedy.policyName,
        PolicyDocument: JSON.stringify(revoked.body.remedy.document),
      }),
    );
    await expect(
      iamAs(sessionCreds(old.body)).send(new GetRoleCommand({ RoleName: conn.roleName })),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    await iamAs(sessionCreds(fresh.body)).send(new GetRoleCommand({ RoleName: conn.roleName }));
  });

  it('no issued secret key, session token or run token is in an audit row, a log line or an error body', async () => {
    expect(secrets.size).toBeGreaterThan(10);
    const audit = await env.api('GET', '/v1/audit?limit=1000', { token: env.adminToken });
    expect(audit.status).toBe(200);
    const issues = (audit.body as { action: string; details: Record<string, unknown> }[]).filter(
      (e) => e.action === 'credentials.issue',
    );
    expect(issues.length).toBeGreaterThan(10);
    expect(issues.some((e) => e.details.source === 'cache')).toBe(true);
    expect(issues.find((e) => e.details.runId === 'run-1')).toMatchObject({
      details: { stackSlug: 'web', phase: 'write', sessionName: 'tg-web-run-1', accountId: env.customer.accountId },
    });
    const haystacks = { audit: audit.text, log: env.log.join('\n'), errors: errorBodies.join('\n') };
    expect(env.log.length).toBeGreaterThan(20);
    for (const [where, text] of Object.entries(haystacks)) {
      const leaked = [...secrets].filter((s) => text.includes(s)).length;
      expect(leaked, `${where} holds an issued secret`).toBe(0);
    }
  });
});
