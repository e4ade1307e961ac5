import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiTokenSecret } from '../src/auth/api-token-secret.ts';
import { createTrustgateService } from '../src/create-service.ts';
import { connectionView, createdConnectionView } from '../src/http/schemas.ts';
import { DIALECTS, openSharedTestDatabase } from './test-stores.ts';
import {
  OPERATOR_TOKEN,
  startTestService,
  TEST_SERVICE_DEFAULTS,
  type TestService,
  NO_AWS,
} from './service-harness.ts';
import { readEveryRow } from './database-rows.ts';

const CUSTOMER = '222222222222';

describe.each(DIALECTS)('HTTP API on %s', (dialect) => {
  let t: TestService;
  let token: string;
  beforeAll(async () => {
    t = await startTestService({ dialect, partitions: NO_AWS, bodyLimit: 64 * 1024 });
    token = (await t.newOrganization('Api')).adminToken;
  });
  afterAll(async () => t?.close());

  it('serves OpenAPI 3 and the docs UI', async () => {
    const spec = await t.api('GET', '/openapi.json');
    expect(spec.status).toBe(200);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(Object.keys(spec.body.paths)).toEqual(
      expect.arrayContaining([
        '/v1/connections',
        '/v1/connections/{id}/verify',
        '/v1/callbacks/cloudformation',
        '/v1/audit',
      ]),
    );
    expect(spec.body.paths['/v1/connections'].post.requestBody).toBeDefined();
    expect((await t.api('GET', '/docs/')).status).toBe(200);
  });

  it('refuses requests without a valid token with 401 and the error shape', async () => {
    for (const auth of [undefined, 'not-a-token', `tg_${'x'.repeat(43)}`]) {
      const res = await t.api('GET', '/v1/connections', auth === undefined ? {} : { token: auth });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
    }
    // The operator route needs the operator token, not an organization token.
    expect(
      (await t.api('POST', '/v1/organizations', { token, body: { name: 'X', adminEmail: 'a@b.test', adminName: 'A' } }))
        .status,
    ).toBe(401);
  });

  it('maps bad input to 4xx with the field, never a 500 or a stack trace', async () => {
    const cases: [string, string, unknown, number, string | undefined][] = [
      ['POST', '/v1/connections', { name: 'x' }, 400, 'scope'],
      ['POST', '/v1/connections', { name: 'x', scope: { kind: 'account', accountId: '12' } }, 400, 'scope.accountId'],
      [
        'POST',
        '/v1/connections',
        { name: 'x', scope: { kind: 'account', accountId: CUSTOMER }, roleName: 'bad name!' },
        400,
        'roleName',
      ],
      [
        'POST',
        '/v1/connections',
        { name: 'x', scope: { kind: 'account', accountId: CUSTOMER }, region: 'cn-north-1' },
        400,
        'region',
      ],
      [
        'POST',
        '/v1/connections',
        { name: 'x', scope: { kind: 'account', accountId: CUSTOMER }, partition: 'aws-cn' },
        400,
        'partition',
      ],
      [
        'POST',
        '/v1/connections',
        {
          name: 'x',
          scope: { kind: 'account', accountId: CUSTOMER },
          selection: { mode: 'custom', products: ['no-such-product'] },
        },
        422,
        undefined,
      ],
      [
        'POST',
        '/v1/connections',
        { name: 'x', scope: { kind: 'account', accountId: CUSTOMER }, unknownField: 1 },
        400,
        'unknownField',
      ],
      ['GET', '/v1/connections?status=bogus', undefined, 400, 'status'],
      ['POST', '/v1/tokens', { name: 't', scopes: ['root'] }, 400, 'scopes.0'],
    ];
    for (const [method, path, body, status, field] of cases) {
      const res = await t.api(method, path, { token, ...(body === undefined ? {} : { body }) });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)} -> ${res.text}`).toBe(status);
      expect(res.body.error.code).toMatch(/^[A-Z_]+$/);
      if (field !== undefined) expect(res.body.error.field).toBe(field);
      expect(res.text).not.toMatch(/\bat .*\.ts:\d+/);
    }
    const malformed = await t.api('POST', '/v1/connections', { token, rawBody: '{"name":' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('INVALID_INPUT');
    const tooLarge = await t.api('POST', '/v1/spaces', { token, body: { name: 'x'.repeat(100 * 1024) } });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await t.api('GET', '/v1/nowhere', { token })).body.error.code).toBe('NOT_FOUND');
  });

  it('answers a body that is not JSON with 400 INVALID_INPUT, as JSON or as text/plain (SNS), on the callback and an authenticated route', async () => {
    const routes: [string, string | undefined][] = [
      ['/v1/callbacks/cloudformation', undefined],
      ['/v1/connections', token],
    ];
    const contentTypes = ['application/json', 'text/plain', 'text/plain; charset=UTF-8'];
    for (const [path, auth] of routes) {
      for (const contentType of contentTypes) {
        for (const rawBody of ['{bad', '', '   ']) {
          const res = await t.api('POST', path, {
            ...(auth === undefined ? {} : { token: auth }),
            rawBody,
            contentType,
          });
          const what = `${path} ${contentType} ${JSON.stringify(rawBody)} -> ${res.status} ${res.text}`;
          expect(res.status, what).toBe(400);
          expect(res.body, what).toEqual({
            error: { code: 'INVALID_INPUT', message: 'The request body is not valid JSON.' },
          });
          expect(res.text, what).not.toMatch(/SyntaxError|\bat .*\.[jt]s:\d+|stack/i);
        }
      }
    }
  });

  it('issues tokens shown once and found by their hash; scoped tokens cannot escalate; revoked tokens stop working', async () => {
    const issued = await t.api('POST', '/v1/tokens', { token, body: { name: 'ci', scopes: ['connections:read'] } });
    expect(issued.status).toBe(201);
    const secret: string = issued.body.secret;
    expect(secret).toMatch(/^tg_/);
    const stored = await t.service.store.tokens.findByHash(hashApiTokenSecret(secret));
    expect(stored?.id).toBe(issued.body.token.id);
    // What is at rest (the SHA-256 only) is read from the database itself below ('API token secrets at rest').
    expect((await t.api('GET', '/v1/tokens', { token })).text).not.toContain(secret);
    // A read-only token can neither write nor mint a stronger token.
    expect(
      (
        await t.api('POST', '/v1/connections', {
          token: secret,
          body: { name: 'ro', scope: { kind: 'account', accountId: CUSTOMER } },
        })
      ).status,
    ).toBe(403);
    expect(
      (await t.api('POST', '/v1/tokens', { token: secret, body: { name: 'up', scopes: ['connections:write'] } }))
        .status,
    ).toBe(403);
    expect((await t.api('GET', '/v1/connections', { token: secret })).status).toBe(200);
    expect((await t.api('DELETE', `/v1/tokens/${issued.body.token.id}`, { token })).status).toBe(200);
    expect((await t.api('GET', '/v1/connections', { token: secret })).status).toBe(401);
    // The audit log records it without the secret.
    const audit = await t.api('GET', '/v1/audit', { token });
    expect(audit.body.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['token.create', 'token.revoke']),
    );
    expect(audit.text).not.toContain(secret);
    expect(audit.text).not.toContain(token);
  });

  it('creates, lists with filters, gets, updates and deletes connections; responses match their schemas', async () => {
    const space = (await t.api('POST', '/v1/spaces', { token, body: { name: 'prod' } })).body;
    const a = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: 'a',
        scope: { kind: 'account', accountId: CUSTOMER },
        labels: { env: 'prod', team: 'x' },
        spaceId: space.id,
      },
    });
    expect(a.status, a.text).toBe(201);
    createdConnectionView.parse(a.body);
    expect(a.body.connection.accessLevel).toBe('owner');
    expect(JSON.parse(a.body.deliverables.formats['cloudformation-json']).Parameters.ExternalId.Default).toBe(
      a.body.connection.externalId,
    );
    expect(a.body.deliverables.formats['quick-create-link']).toMatch(
      /^https:\/\/([a-z0-9-]+\.)?console\.aws\.amazon\.com\/cloudformation\/.*quickcreate/,
    );
    const b = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'b', scope: { kind: 'accounts', accountIds: [CUSTOMER, '333333333333'] }, labels: { env: 'dev' } },
    });
    expect(b.status, b.text).toBe(201);
    expect(
      (
        await t.api('POST', '/v1/connections', {
          token,
          body: { name: 'a', scope: { kind: 'account', accountId: CUSTOMER } },
        })
      ).status,
    ).toBe(409);
    const names = async (q: string) =>
      (await t.api('GET', `/v1/connections${q}`, { token })).body.map((c: { name: string }) => c.name).sort();
    expect(await names('')).toEqual(expect.arrayContaining(['a', 'b']));
    expect(await names('?label=env:prod')).toEqual(['a']);
    expect(await names('?label=env:prod&label=team:y')).toEqual([]);
    expect(await names(`?space=${space.id}`)).toEqual(['a']);
    expect(await names('?status=pending')).toEqual(expect.arrayContaining(['a', 'b']));
    expect(await names('?status=connected')).toEqual([]);
    const got = await t.api('GET', `/v1/connections/${a.body.connection.id}`, { token });
    connectionView.parse(got.body);
    // A pending connection keeps its status when the selection changes; the diff is reported.
    const patched = await t.api('PATCH', `/v1/connections/${a.body.connection.id}`, {
      token,
      body: { selection: { mode: 'custom', integrations: ['cost-inventory/savings-plans'] } },
    });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body.connection.status).toBe('pending');
    expect(patched.body.diff.added.map((x: { integrationId: string }) => x.integrationId)).toEqual(['savings-plans']);
    // Verification checks the ARN before calling AWS: wrong partition, account outside the scope, not a role.
    for (const [roleArn, code] of [
      ['arn:aws-cn:iam::222222222222:role/R', 'INVALID_PARTITION'],
      ['arn:aws:iam::999999999999:role/R', 'INVALID_INPUT'],
      ['arn:aws:iam::222222222222:user/R', 'INVALID_ARN'],
      ['not an arn', 'INVALID_ARN'],
    ] as const) {
      const res = await t.api('POST', `/v1/connections/${a.body.connection.id}/verify`, { token, body: { roleArn } });
      expect(res.body.error?.code, `${roleArn}: ${res.text}`).toBe(code);
      expect(res.body.error.field).toBe('roleArn');
    }
    // AWS unreachable (this service's endpoint is a closed port): 502, and the connection keeps its status.
    const unreachable = await t.api('POST', `/v1/connections/${a.body.connection.id}/verify`, {
      token,
      body: { roleArn: `arn:aws:iam::${CUSTOMER}:role/TrustgateAccess` },
    });
    expect(unreachable.status, unreachable.text).toBe(502);
    expect(unreachable.body.error.code).toBe('AWS_ERROR');
    expect((await t.api('GET', `/v1/connections/${a.body.connection.id}`, { token })).body.status).toBe('pending');
    // An insecure connection stays insecure when its selection changes: the worse news is not hidden.
    const org = (await t.api('GET', '/v1/organization', { token })).body.id;
    const stored = (await t.service.store.connections.get(org, a.body.connection.id))!;
    await t.service.store.connections.update({
      ...stored,
      status: 'insecure',
      statusReason: 'trust lacks the external ID',
      appliedPolicy: stored.issuedPolicy,
    });
    const again = await t.api('PATCH', `/v1/connections/${a.body.connection.id}`, {
      token,
      body: { selection: { mode: 'default' } },
    });
    expect(again.body.connection.status).toBe('insecure');
    expect(again.body.connection.pendingChanges.changed).toBe(true);
    expect(
      (await t.api('POST', `/v1/connections/${a.body.connection.id}/rotate-external-id`, { token })).body.status,
    ).toBe('insecure');
    expect((await t.api('DELETE', `/v1/connections/${b.body.connection.id}`, { token })).status).toBe(200);
    expect((await t.api('GET', `/v1/connections/${b.body.connection.id}`, { token })).status).toBe(404);
  });

  it('validates uploaded catalogs first and marks connections using a changed catalog', async () => {
    const bad = await t.api('POST', '/v1/catalogs', {
      token,
      body: { name: 'mine', source: 'products:\n  - id: x\n    integrations: []\n' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.code).toBe('INVALID_CATALOG');
    expect(bad.body.error.findings.length).toBeGreaterThan(0);
    expect((await t.api('GET', '/v1/catalogs', { token })).body).toEqual([]);
    const { readFile } = await import('node:fs/promises');
    const { DEFAULT_CATALOG_FILE } = await import('../src/create-service.ts');
    const source = await readFile(DEFAULT_CATALOG_FILE, 'utf8');
    const ok = await t.api('POST', '/v1/catalogs', { token, body: { name: 'mine', fileName: 'mine.yaml', source } });
    expect(ok.status, ok.text).toBe(201);
    expect(ok.body.catalog.version).toBe(1);
    const conn = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'cat', scope: { kind: 'account', accountId: CUSTOMER }, catalogName: 'mine' },
    });
    expect(conn.status, conn.text).toBe(201);
    // Pretend the customer applied and verified it, then publish a catalog that adds an action to a default integration.
    const c = (await t.service.store.connections.get(
      conn.body.connection.organizationId ?? (await t.api('GET', '/v1/organization', { token })).body.id,
      conn.body.connection.id,
    ))!;
    await t.service.store.connections.update({ ...c, status: 'connected', appliedPolicy: c.issuedPolicy });
    const changedSource = source.replace(
      '              - ce:GetTags\n',
      '              - ce:GetTags\n              - ce:GetCostCategories\n',
    );
    expect(changedSource).not.toBe(source);
    const v2 = await t.api('POST', '/v1/catalogs', {
      token,
      body: { name: 'mine', fileName: 'mine.yaml', source: changedSource },
    });
    expect(v2.status, v2.text).toBe(201);
    expect(v2.body.catalog.version).toBe(2);
    expect(v2.body.connectionsNeedingUpdate).toBe(1);
    const after = await t.api('GET', `/v1/connections/${conn.body.connection.id}`, { token });
    expect(after.body.status).toBe('needs-update');
    expect(after.body.pendingChanges.added).toEqual([
      { productId: 'cost-inventory', integrationId: 'cost-explorer', actions: ['ce:GetCostCategories'] },
    ]);
  });

  it("compiles with the connection's wildcard mode and shows a change of wildcards plainly in the diff", async () => {
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: 'wildcards',
        scope: { kind: 'account', accountId: CUSTOMER },
        extraActions: ['cloudwatch:List*'],
        wildcards: 'keep',
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.connection.wildcards).toBe('keep');
    expect(created.body.connection.wildcardsWritten).toEqual(['cloudwatch:List*']);
    expect(JSON.stringify(created.body.deliverables.permissionPolicies)).toContain('"cloudwatch:List*"');
    const id = created.body.connection.id as string;
    const org = (await t.api('GET', '/v1/organization', { token })).body.id;
    const stored = (await t.service.store.connections.get(org, id))!;
    await t.service.store.connections.update({ ...stored, status: 'connected', appliedPolicy: stored.issuedPolicy });
    const expanded = await t.api('PATCH', `/v1/connections/${id}`, { token, body: { wildcards: 'expand' } });
    expect(expanded.status, expanded.text).toBe(200);
    // The same actions today, but no more prefix that grants what AWS adds later: the diff says so.
    expect(expanded.body.diff).toMatchObject({
      changed: true,
      added: [],
      removed: [],
      wildcardsAdded: [],
      wildcardsRemoved: ['cloudwatch:List*'],
      wildcardMode: { from: 'keep', to: 'expand' },
    });
    expect(expanded.body.connection.status).toBe('needs-update');
    expect(expanded.body.connection.statusReason).toMatch(/1 no longer \(wildcards: keep -> expand\)/);
    expect(expanded.body.connection.wildcardsWritten).toEqual([]);
    const bad = await t.api('PATCH', `/v1/connections/${id}`, { token, body: { wildcards: 'some' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_INPUT');
  });

  it('rejects unsigned callbacks, and signed ones whose ResponseURL or SubscribeURL is outside AWS (no request forgery)', async () => {
    const request = (responseUrl: string, props: Record<string, unknown>) => ({
      RequestType: 'Create',
      ResponseURL: responseUrl,
      StackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/s/1',
      RequestId: 'r1',
      LogicalResourceId: 'Connect',
      ResourceType: 'Custom::TrustgateConnection',
      ResourceProperties: props,
    });
    // A bare custom-resource request and an unsigned SNS envelope are refused before anything in them is used.
    const bare = await t.api('POST', '/v1/callbacks/cloudformation', {
      body: request('http://169.254.169.254/latest/meta-data', { ConnectionId: 'con_x', CallbackToken: 'x' }),
    });
    expect(bare.status).toBe(400);
    expect(bare.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'Type' });
    const unsigned = await t.api('POST', '/v1/callbacks/cloudformation', {
      rawBody: JSON.stringify({ Type: 'Notification', Message: JSON.stringify(request('http://10.0.0.1/', {})) }),
      contentType: 'text/plain; charset=UTF-8',
    });
    expect(unsigned.status).toBe(400);
    expect((await t.api('POST', '/v1/callbacks/cloudformation', { body: { hello: 'world' } })).status).toBe(400);

    // Signed messages from a trusted signer still may not send the service to arbitrary URLs.
    const { buildApp } = await import('../src/http/build-app.ts');
    const { createSnsMessageVerifier } = await import('../src/aws/verify-sns-message.ts');
    const { startSnsSigner } = await import('./sns-signer.ts');
    const signer = await startSnsSigner();
    const topicArn = 'arn:aws:sns:us-east-1:111111111111:trustgate-connect';
    const fetched: string[] = [];
    const { app } = await buildApp({
      deps: {
        ...t.service.deps,
        snsMessages: createSnsMessageVerifier({
          topicArns: () => [topicArn],
          isTrustedCertificateUrl: (url) => url.href.startsWith(signer.origin),
        }),
      },
      fetchPort: async (url) => {
        fetched.push(url);
        return url.includes('Token=spent') ? { ok: false, status: 400 } : { ok: true, status: 200 };
      },
    });
    try {
      const post = async (payload: unknown) =>
        app.inject({
          method: 'POST',
          url: '/v1/callbacks/cloudformation',
          headers: { 'content-type': 'text/plain; charset=UTF-8' },
          payload: JSON.stringify(payload),
        });
      const base = { MessageId: 'm-1', TopicArn: topicArn, Timestamp: new Date().toISOString() };
      const ssrf = await post(
        signer.sign({
          ...base,
          Type: 'Notification',
          Message: JSON.stringify({
            ...request('http://169.254.169.254/latest/meta-data', { ConnectionId: 'con_x', CallbackToken: 'x' }),
            ServiceToken: topicArn,
          }),
        }),
      );
      expect(ssrf.statusCode).toBe(400);
      expect(ssrf.json().error.field).toBe('ResponseURL');
      // A request relayed into the platform's topic from another one names a different ServiceToken.
      const relayed = await post(
        signer.sign({
          ...base,
          Type: 'Notification',
          Message: JSON.stringify({
            ...request('https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/x', {}),
            ServiceToken: 'arn:aws:sns:us-east-1:999999999999:other',
          }),
        }),
      );
      expect(relayed.statusCode).toBe(403);
      expect(relayed.json().error.field).toBe('ServiceToken');
      // SNS subscription confirmations are only followed to AWS.
      const confirm = await post(
        signer.sign({
          ...base,
          Type: 'SubscriptionConfirmation',
          Message: 'confirm',
          SubscribeURL: 'http://127.0.0.1:1/steal',
          Token: 't',
        }),
      );
      expect(confirm.statusCode).toBe(400);
      expect(confirm.json().error.field).toBe('SubscribeURL');
      const unsubscribed = await post(
        signer.sign({
          ...base,
          Type: 'UnsubscribeConfirmation',
          Message: 'bye',
          SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription',
          Token: 't',
        }),
      );
      expect(unsubscribed.statusCode).toBe(202);
      expect(fetched).toEqual([]);
      // A confirmation SNS refuses (a spent token) is reported, not swallowed; a good one is followed.
      const refusedBySns = await post(
        signer.sign({
          ...base,
          Type: 'SubscriptionConfirmation',
          Message: 'confirm',
          SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=spent',
          Token: 'spent',
        }),
      );
      expect(refusedBySns.statusCode).toBe(502);
      expect(refusedBySns.json().error).toMatchObject({ code: 'AWS_ERROR', field: 'SubscribeURL' });
      const good = await post(
        signer.sign({
          ...base,
          Type: 'SubscriptionConfirmation',
          Message: 'confirm',
          SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=fresh',
          Token: 'fresh',
        }),
      );
      expect(good.statusCode).toBe(202);
      expect(fetched).toEqual([
        'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=spent',
        'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=fresh',
      ]);
    } finally {
      await app.close();
      await signer.close();
    }
  });

  it('keeps the organization route closed when the operator token is empty', async () => {
    const { buildApp } = await import('../src/http/build-app.ts');
    const { app } = await buildApp({ deps: t.service.deps, operatorToken: '' });
    for (const authorization of [undefined, 'Bearer ', 'Bearer']) {
      const res = await app.inject({
        method: 'POST',
        url: '/v1/organizations',
        headers: authorization === undefined ? {} : { authorization },
        payload: { name: 'X', adminEmail: 'x@x.test', adminName: 'X' },
      });
      expect(res.statusCode).toBe(401);
    }
    await app.close();
  });

  it('creates organizations only with the operator token', async () => {
    const res = await t.api('POST', '/v1/organizations', {
      token: OPERATOR_TOKEN,
      body: { name: 'Other', adminEmail: 'o@o.test', adminName: 'O' },
    });
    expect(res.status).toBe(201);
    expect(res.body.token.secret).toMatch(/^tg_/);
    const me = await t.api('GET', '/v1/me', { token: res.body.token.secret });
    expect(me.body.user.role).toBe('admin');
  });
});

describe.each(DIALECTS)('API token secrets at rest on %s', (dialect) => {
  it('the database keeps only the SHA-256 of each secret: its api_tokens row holds that hash, and no row of any table holds a secret', async () => {
    const db = openSharedTestDatabase(dialect, 'tg-tokens-');
    const service = await createTrustgateService({ ...db.config, ...TEST_SERVICE_DEFAULTS, partitions: NO_AWS });
    try {
      const url = await service.listen({ port: 0 });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
      const call = async (path: string, bearer: string, body: unknown): Promise<{ status: number; body: any }> => {
        const res = await fetch(`${url}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: res.status, body: await res.json() };
      };
      const organization = await call('/v1/organizations', OPERATOR_TOKEN, {
        name: 'AtRest',
        adminEmail: 'admin@rest.test',
        adminName: 'Admin',
      });
      expect(organization.status).toBe(201);
      const admin = {
        id: organization.body.token.token.id as string,
        secret: organization.body.token.secret as string,
      };
      const issued = await call('/v1/tokens', admin.secret, { name: 'ci', scopes: ['connections:read'] });
      expect(issued.status).toBe(201);
      const ci = { id: issued.body.token.id as string, secret: issued.body.secret as string };
      // Both work, so both are stored somehow.
      for (const { secret } of [admin, ci])
        expect((await fetch(`${url}/v1/me`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);

      const rows = await readEveryRow(db);
      const sha256 = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex');
      expect(Object.fromEntries((rows.api_tokens ?? []).map((r) => [r.id, r.token_hash]))).toEqual({
        [admin.id]: sha256(admin.secret),
        [ci.id]: sha256(ci.secret),
      });
      const everything = JSON.stringify(rows);
      expect(everything).toContain(sha256(ci.secret));
      for (const { secret } of [admin, ci]) {
        expect(everything).not.toContain(secret);
        // Nor the random part alone, should a prefix be cut off before storing.
        expect(everything).not.toContain(secret.replace(/^tg_/, ''));
      }
    } finally {
      await service.close();
      await db.remove();
    }
  });
});
