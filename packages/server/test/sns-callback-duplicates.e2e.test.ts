import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import { createTrustgateService, type TrustgateService } from '../src/create-service.ts';
import type { FetchPort } from '../src/aws/fetch-port.ts';
import { DIALECTS, openSharedTestDatabase, type SharedTestDatabase } from './test-stores.ts';
import { callbackTopicArn, OPERATOR_TOKEN, sandboxServiceSettings, TEST_SERVICE_DEFAULTS } from './service-harness.ts';

/** A PUT the service made to a ResponseURL: which instance, the Status it sent, and the whole body. */
interface ResponsePut {
  instance: string;
  status: string;
  body: string;
}

/**
 * SNS delivers at least once, and a signed message stays acceptable for an hour: the same genuine Create
 * request can reach the callback twice — one after the other, or at once on two service instances sharing
 * the database. The request is decided once (one verification, one audit event) and every delivery answers
 * CloudFormation with the same stored outcome; before, a repeat found the one-time token spent and PUT FAILED
 * over the SUCCESS. Real sandbox, real services over HTTP, on SQLite (one file) and PostgreSQL (one schema).
 */
describe.each(DIALECTS)('duplicate SNS deliveries of one custom-resource request on %s', (dialect) => {
  let sandbox: Sandbox;
  let a: TrustgateService;
  let b: TrustgateService;
  const urls: Record<string, string> = {};
  let db: SharedTestDatabase | undefined;
  let relay: Server;
  let relayUrl = '';
  const deliveries: { raw: string; message: Record<string, unknown> }[] = [];
  const puts: ResponsePut[] = [];
  let token = '';
  let customer: Sandbox['accounts'][number];
  const creds = (x: Sandbox['accounts'][number]) => ({
    accessKeyId: x.accessKeyId,
    secretAccessKey: x.secretAccessKey,
  });
  const topicArn = () => callbackTopicArn(sandbox.accounts[0]!.accountId);

  /** The service's real HTTP port, recording what it PUTs to CloudFormation's ResponseURL. */
  const recordingFetch =
    (instance: string): FetchPort =>
    async (url, init) => {
      const answer = await fetch(url, init);
      if (init.method === 'PUT')
        puts.push({
          instance,
          status: (JSON.parse(init.body ?? '{}') as { Status: string }).Status,
          body: init.body ?? '',
        });
      return answer;
    };

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2, customResourceTimeoutMs: 30_000 });
    const [platform, c] = sandbox.accounts;
    customer = c!;
    const platformUser = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: creds(platform!),
    });
    const database = openSharedTestDatabase(dialect, 'tg-dup-');
    db = database;
    const start = async (instance: string): Promise<TrustgateService> => {
      const service = await createTrustgateService({
        ...database.config,
        ...TEST_SERVICE_DEFAULTS,
        ...sandboxServiceSettings(sandbox, { accountId: platform!.accountId, credentials: platformUser.credentials }),
        fetchPort: recordingFetch(instance),
        logger: false,
      });
      urls[instance] = await service.listen({ port: 0, host: '127.0.0.1' });
      service.deps.publicUrl = urls[instance]!;
      return service;
    };
    a = await start('a');
    b = await start('b');
    // The topic's subscriber keeps each delivery (answering 200) so the test delivers it to the instances itself.
    relay = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        const envelope = JSON.parse(raw) as { Message: string };
        let message: Record<string, unknown> = {};
        try {
          message = JSON.parse(envelope.Message) as Record<string, unknown>;
        } catch {
          // not a custom-resource request
        }
        deliveries.push({ raw, message });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}/`;
    await sandbox.subscribe(topicArn(), relayUrl);
    const org = await api(
      'a',
      'POST',
      '/v1/organizations',
      { name: 'Acme', adminEmail: 'admin@acme.test', adminName: 'Acme admin' },
      OPERATOR_TOKEN,
    );
    expect(org.status, JSON.stringify(org.body)).toBe(201);
    token = (org.body as { token: { secret: string } }).token.secret;
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sandbox?.stop();
    relay?.close();
    await db?.remove();
  });

  async function api(
    instance: string,
    method: string,
    path: string,
    body?: unknown,
    bearer = token,
    contentType = 'application/json',
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
  ): Promise<{ status: number; body: any }> {
    const res = await fetch(`${urls[instance]}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  }
  const deliver = (instance: string, raw: string) =>
    api(instance, 'POST', '/v1/callbacks/cloudformation', raw, '', 'text/plain; charset=UTF-8');
  const idle = () => Promise.all([a.background.idle(), b.background.idle()]);

  async function newConnection(name: string): Promise<{ id: string; template: string }> {
    const res = await api('a', 'POST', '/v1/connections', {
      name,
      mode: 'automatic',
      scope: { kind: 'account', accountId: customer.accountId },
      roleName: `Tg-${name}`,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return { id: res.body.connection.id, template: res.body.deliverables.formats['cloudformation-json'] };
  }

  /** Starts the stack and returns the Create request's genuine, sandbox-signed delivery. */
  async function captureCreate(
    stackName: string,
    templateBody: string,
  ): Promise<{ raw: string; message: Record<string, unknown> }> {
    const cfn = new CloudFormationClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: creds(customer),
    });
    await cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: templateBody,
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    for (let i = 0; i < 400; i++) {
      const found = deliveries.find(
        (d) => String(d.message.StackId ?? '').includes(`:stack/${stackName}/`) && d.message.RequestType === 'Create',
      );
      if (found !== undefined) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no SNS delivery for ${stackName}`);
  }

  async function stackStatus(stackName: string): Promise<string> {
    const cfn = new CloudFormationClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: creds(customer),
    });
    for (let i = 0; i < 400; i++) {
      const status =
        (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.StackStatus ?? 'UNKNOWN';
      if (!status.endsWith('_IN_PROGRESS')) return status;
      await new Promise((r) => setTimeout(r, 25));
    }
    return 'STILL_IN_PROGRESS';
  }

  const putsFor = (requestId: unknown) =>
    puts.filter((p) => (JSON.parse(p.body) as { RequestId: string }).RequestId === requestId);
  const auditOf = async (id: string) =>
    (await api('a', 'GET', `/v1/audit?connectionId=${id}`)).body as {
      action: string;
      details: Record<string, unknown>;
    }[];

  it('the same signed Create delivered again (to the same and to another instance) re-sends the stored SUCCESS without verifying again', async () => {
    const { id, template } = await newConnection('dup-after');
    const create = await captureCreate('tg-dup-after', template);
    expect((await deliver('a', create.raw)).status).toBe(202);
    await idle();
    expect(await stackStatus('tg-dup-after')).toBe('CREATE_COMPLETE');
    expect((await api('a', 'GET', `/v1/connections/${id}`)).body.status).toBe('connected');

    // The token is spent now; the repeats must not turn that into a FAILED answer.
    expect((await deliver('a', create.raw)).status).toBe(202);
    expect((await deliver('b', create.raw)).status).toBe(202);
    await idle();
    const answered = putsFor(create.message.RequestId);
    expect(answered.map((p) => `${p.instance}:${p.status}`)).toEqual(['a:SUCCESS', 'a:SUCCESS', 'b:SUCCESS']);
    expect(new Set(answered.map((p) => p.body)).size).toBe(1); // the very same response object each time
    const audit = await auditOf(id);
    expect(audit.filter((e) => e.action === 'connection.callback').map((e) => e.details.answer)).toEqual(['SUCCESS']);
    expect(audit.filter((e) => e.action === 'connection.verify')).toHaveLength(0);
    expect((await api('b', 'GET', `/v1/connections/${id}`)).body.status).toBe('connected');
  });

  it('two copies delivered at once to two instances: one verifies and answers; the other does not decide it again', async () => {
    const { id, template } = await newConnection('dup-concurrent');
    const create = await captureCreate('tg-dup-concurrent', template);
    const answers = await Promise.all([
      deliver('a', create.raw),
      deliver('b', create.raw),
      deliver('a', create.raw),
      deliver('b', create.raw),
    ]);
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202, 202]);
    await idle();
    expect(await stackStatus('tg-dup-concurrent')).toBe('CREATE_COMPLETE');
    const audit = await auditOf(id);
    expect(audit.filter((e) => e.action === 'connection.callback').map((e) => e.details.answer)).toEqual(['SUCCESS']);
    const answered = putsFor(create.message.RequestId);
    expect(answered.length).toBeGreaterThanOrEqual(1);
    expect(answered.every((p) => p.status === 'SUCCESS' && p.body === answered[0]!.body)).toBe(true);
    expect((await api('a', 'GET', `/v1/connections/${id}`)).body.status).toBe('connected');
  });

  it('an invalid callback token is answered FAILED once, audited without the token, and a repeat re-sends that FAILED', async () => {
    const { id, template } = await newConnection('dup-bad-token');
    const genuineToken = /"CallbackToken":\s*"([^"]+)"/.exec(template)?.[1];
    expect(genuineToken).toBeDefined();
    const wrongToken =
      `${genuineToken!.slice(0, -4)}AAAA` === genuineToken
        ? `${genuineToken!.slice(0, -4)}BBBB`
        : `${genuineToken!.slice(0, -4)}AAAA`;
    const create = await captureCreate('tg-dup-bad-token', template.replace(genuineToken!, wrongToken));
    expect((await deliver('a', create.raw)).status).toBe(202);
    await idle();
    expect((await deliver('b', create.raw)).status).toBe(202);
    await idle();
    const answered = putsFor(create.message.RequestId);
    expect(answered.map((p) => `${p.instance}:${p.status}`)).toEqual(['a:FAILED', 'b:FAILED']);
    expect(answered[1]!.body).toBe(answered[0]!.body);
    const callbacks = (await auditOf(id)).filter((e) => e.action === 'connection.callback');
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]!.details).toMatchObject({
      answer: 'FAILED',
      refusal: 'invalid-callback-token',
      requestType: 'Create',
    });
    const recorded = JSON.stringify(callbacks[0]);
    expect(recorded).not.toContain(wrongToken);
    expect(recorded).not.toContain(genuineToken!);
    // The genuine token was not spent by the refused request.
    expect((await api('a', 'GET', `/v1/connections/${id}`)).body.status).toBe('pending');
  });
});
