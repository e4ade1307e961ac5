import { createServer, type Server } from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import { createTrustgateService, type TrustgateService } from '../src/create-service.ts';
import { NOT_AN_ARN } from '../src/app/callbacks/auditable-fields.ts';
import type { FetchPort } from '../src/aws/fetch-port.ts';
import { resendUndeliveredAnswers } from '../src/app/jobs/resend-undelivered-answers.ts';
import { DIALECTS, openSharedTestDatabase, TEST_POSTGRES_URL, type SharedTestDatabase } from './test-stores.ts';
import {
  applyStack,
  callbackTopicArn,
  OPERATOR_TOKEN,
  sandboxServiceSettings,
  startTestService,
  TEST_SERVICE_DEFAULTS,
} from './service-harness.ts';

/** One PUT attempt the service made to a ResponseURL: the fault the test put in its way, or `ok`. */
type PutFault = '503' | 'refused' | 'ok';

/**
 * The callback answers SNS 202 before it decides, so SNS never delivers that request again: whatever goes wrong
 * afterwards must still end in an answer PUT to CloudFormation's ResponseURL, or the stack times out, rolls back
 * and deletes the role trustgate shows as connected. Real sandbox (CloudFormation, SNS delivery, the ResponseURL),
 * the real service over HTTP, on SQLite (a file) and PostgreSQL (a schema).
 */
describe.each(DIALECTS)('callback answers reach CloudFormation on %s', (dialect) => {
  let sandbox: Sandbox;
  let service: TrustgateService;
  let url = '';
  let db: SharedTestDatabase | undefined;
  let relay: Server;
  let closedPort = 0;
  let token = '';
  const log: string[] = [];
  /** Faults for the next PUTs to a ResponseURL, consumed in order; then PUTs go through. */
  const faults: PutFault[] = [];
  const attempts: PutFault[] = [];
  /** What the service answered each SNS delivery of a custom-resource request. */
  const notificationStatuses: number[] = [];
  const topicArn = () => callbackTopicArn(sandbox.accounts[0]!.accountId);

  /** The service's HTTP port, with the failures an S3 PUT can meet: a 503, a refused connection. */
  const fetchPort: FetchPort = async (target, init) => {
    if (init.method !== 'PUT') return fetch(target, init);
    const fault = faults.shift() ?? 'ok';
    attempts.push(fault);
    if (fault === '503') return { ok: false, status: 503 };
    if (fault === 'refused') return fetch(`http://127.0.0.1:${closedPort}/`, init);
    return fetch(target, init);
  };

  async function runSql(sql: string): Promise<void> {
    if (db!.sqliteFile !== undefined) {
      const sqlite = new BetterSqlite3(db!.sqliteFile);
      try {
        sqlite.exec(sql);
      } finally {
        sqlite.close();
      }
      return;
    }
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(`set search_path to "${db!.schema!}"; ${sql}`);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 3, customResourceTimeoutMs: 45_000 });
    const platform = sandbox.accounts[0]!;
    const platformUser = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: creds(platform),
    });
    db = openSharedTestDatabase(dialect, 'tg-delivery-');
    service = await createTrustgateService({
      ...db.config,
      ...TEST_SERVICE_DEFAULTS,
      ...sandboxServiceSettings(sandbox, { accountId: platform.accountId, credentials: platformUser.credentials }),
      fetchPort,
      logger: { level: 'warn', stream: { write: (line: string) => log.push(line) } },
    });
    url = await service.listen({ port: 0, host: '127.0.0.1' });
    service.deps.publicUrl = url;
    // A port nothing listens on (a refused connection).
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    // The topic's subscriber relays each delivery to the service and gives SNS the service's status.
    relay = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        void (async () => {
          const answer = await fetch(`${url}/v1/callbacks/cloudformation`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain; charset=UTF-8' },
            body: raw,
          });
          if ((JSON.parse(raw) as { Type: string }).Type === 'Notification') notificationStatuses.push(answer.status);
          res.writeHead(answer.status).end();
        })();
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    await sandbox.subscribe(topicArn(), `http://127.0.0.1:${(relay.address() as { port: number }).port}/`, {
      confirm: true,
    });
    token = (
      await api(
        'POST',
        '/v1/organizations',
        { name: 'Acme', adminEmail: 'admin@acme.test', adminName: 'Acme admin' },
        OPERATOR_TOKEN,
      )
    ).body.token.secret;
  });
  afterAll(async () => {
    await service?.close();
    await sandbox?.stop();
    relay?.close();
    await db?.remove();
  });

  async function api(
    method: string,
    path: string,
    body?: unknown,
    bearer = token,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${bearer}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  async function newConnection(name: string): Promise<{ id: string; template: string }> {
    const res = await api('POST', '/v1/connections', {
      name,
      mode: 'automatic',
      scope: { kind: 'account', accountId: sandbox.accounts[1]!.accountId },
      roleName: `Tg-${name}`,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.connection.id, template: res.body.deliverables.formats['cloudformation-json'] };
  }

  it('a ResponseURL PUT answered 503, then a refused connection, is retried: the stack completes and matches the connected connection', async () => {
    const { id, template } = await newConnection('lost');
    faults.push('503', 'refused');
    attempts.length = 0;
    notificationStatuses.length = 0;
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(sandbox.accounts[1]!),
      stackName: 'tg-lost',
      templateBody: template,
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    expect(attempts).toEqual(['503', 'refused', 'ok']);
    // SNS delivered the request once (answered 202) and never again: the retries were the service's own.
    expect(notificationStatuses).toEqual([202]);
    expect((await api('GET', `/v1/connections/${id}`)).body.status).toBe('connected');
    // The presigned URL's signature never reaches the log.
    expect(log.join('\n')).not.toMatch(/Signature=|Expires=/);
  });

  it('an answer whose every PUT failed (S3 down past the retries) is re-sent by the re-sender: the stack still completes', async () => {
    const { id, template } = await newConnection('resent');
    faults.push('503', '503', 'refused', '503', '503');
    attempts.length = 0;
    const stackDone = applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(sandbox.accounts[1]!),
      stackName: 'tg-resent',
      templateBody: template,
    });
    // The callback gives up after its five attempts and keeps the answer undelivered.
    for (let i = 0; i < 1200 && attempts.length < 5; i++) await new Promise((r) => setTimeout(r, 25));
    await service.background.idle();
    expect(attempts).toEqual(['503', '503', 'refused', '503', '503']);
    expect((await api('GET', `/v1/connections/${id}`)).body.status).toBe('connected');
    // S3 is back: one pass of the re-sender delivers it.
    expect(await resendUndeliveredAnswers(service.deps, fetchPort, { retryWindowMs: 0 })).toEqual({
      delivered: 1,
      failed: 0,
      abandoned: 0,
      answeredForStoppedDeciders: 0,
    });
    const stack = await stackDone;
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    expect(await resendUndeliveredAnswers(service.deps, fetchPort, { retryWindowMs: 0 })).toEqual({
      delivered: 0,
      failed: 0,
      abandoned: 0,
      answeredForStoppedDeciders: 0,
    });
    expect(log.join('\n')).not.toMatch(/Signature=|Expires=/);
  }, 60_000);

  it('an error after the verification (the audit log cannot be written) still answers the verified SUCCESS', async () => {
    const { id, template } = await newConnection('after');
    await runSql('alter table audit_events rename to audit_events_away');
    let stack: Awaited<ReturnType<typeof applyStack>>;
    try {
      stack = await applyStack({
        endpoint: sandbox.endpoint,
        credentials: creds(sandbox.accounts[1]!),
        stackName: 'tg-after',
        templateBody: template,
      });
    } finally {
      await runSql('alter table audit_events_away rename to audit_events');
    }
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    expect((await api('GET', `/v1/connections/${id}`)).body.status).toBe('connected');
    expect(
      log.some((line) => (JSON.parse(line) as { msg: string }).msg.includes('the audit failed; the answer stands')),
    ).toBe(true);
  });

  it("a stranger's stack naming the victim's connection with a wrong token: its RoleArn text never reaches the victim's audit log", async () => {
    const { id } = await newConnection('victim');
    const pitch = 'Please call +1-555-0100 to re-verify your account. '.repeat(700); // ~35 KB, under CloudFormation's 51,200-byte template limit
    const attackerTemplate = JSON.stringify({
      Resources: {
        Connect: {
          Type: 'Custom::TrustgateConnect',
          Properties: { ServiceToken: topicArn(), ConnectionId: id, CallbackToken: 'not-the-token', RoleArn: pitch },
        },
      },
    });
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(sandbox.accounts[2]!),
      stackName: 'tg-stranger',
      templateBody: attackerTemplate,
    });
    expect(stack.status).not.toBe('CREATE_COMPLETE');
    const refused = (
      (await api('GET', `/v1/audit?connectionId=${id}`)).body as { details: Record<string, unknown> }[]
    ).filter((e) => e.details.refusal === 'invalid-callback-token');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.details.roleArn).toBe(NOT_AN_ARN);
    expect(refused[0]!.details.stackId).toMatch(
      new RegExp(`^arn:aws:cloudformation:us-east-1:${sandbox.accounts[2]!.accountId}:stack/tg-stranger/`),
    );
    expect(JSON.stringify(refused[0]).length).toBeLessThan(1_000);
    expect(JSON.stringify(refused)).not.toContain('555-0100');
    expect((await api('GET', `/v1/connections/${id}`)).body.status).toBe('pending');
  });
});

/**
 * A genuine SubscriptionConfirmation whose SubscribeURL cannot be reached (SNS's endpoint down) is SNS's failure:
 * 502 AWS_ERROR, so SNS retries the confirmation, not a 500 "unexpected failure" in trustgate's log.
 */
describe('an unreachable SubscribeURL', () => {
  it('answers 502 AWS_ERROR with the reason, not 500', async () => {
    const sandbox = await startSandbox({ accounts: 1 });
    const account = sandbox.accounts[0]!;
    const topic = callbackTopicArn(account.accountId);
    const log: string[] = [];
    const t = await startTestService({
      dialect: 'sqlite',
      logger: { level: 'warn', stream: { write: (line: string) => log.push(line) } },
      ...sandboxServiceSettings(sandbox, { accountId: account.accountId, credentials: creds(account) }),
    });
    const raws: string[] = [];
    const relay = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        raws.push(raw);
        res.writeHead(200).end();
      });
    });
    try {
      await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
      const relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}/`;
      // Two genuine confirmations; the test delivers them itself.
      sandbox.subscribe(topic, relayUrl, { confirm: true, timeoutMs: 60_000 }).catch(() => undefined);
      sandbox.subscribe(topic, relayUrl, { confirm: true, timeoutMs: 60_000 }).catch(() => undefined);
      for (let i = 0; i < 400 && raws.length < 2; i++) await new Promise((r) => setTimeout(r, 25));
      const post = (raw: string) =>
        t.api('POST', '/v1/callbacks/cloudformation', { rawBody: raw, contentType: 'text/plain; charset=UTF-8' });
      expect((await post(raws[0]!)).status).toBe(202);
      // The SNS endpoint goes away (the certificate is cached by now): the SubscribeURL refuses connections.
      await sandbox.stop();
      const down = await post(raws[1]!);
      expect(down.status).toBe(502);
      expect(down.body.error.code).toBe('AWS_ERROR');
      expect(down.body.error.message).toContain('not confirmed');
      expect(down.text).not.toMatch(/at .*\.ts:\d+/); // no stack trace
      expect(log.join('\n')).not.toContain('unexpected failure');
    } finally {
      relay.close();
      await t.close();
      await sandbox.stop().catch(() => undefined);
    }
  });
});

function creds(x: Sandbox['accounts'][number]): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: x.accessKeyId, secretAccessKey: x.secretAccessKey };
}
