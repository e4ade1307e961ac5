import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import {
  applyStack,
  callbackTopicArn,
  sandboxServiceSettings,
  startTestService,
  type ApiResponse,
  type TestService,
} from './service-harness.ts';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import { startSnsSigner, type ServedSnsSigner } from './sns-signer.ts';

/** One SNS delivery that reached the relay, and what the service answered (when it was forwarded). */
interface Delivery {
  raw: string;
  envelope: Record<string, string>;
  message: Record<string, unknown>;
  status?: number;
}

/**
 * An HTTP endpoint subscribed to SNS topics in front of the service: records every delivery and either forwards
 * it unchanged (`forward`) or keeps it without forwarding (`hold`), so a test can replay or tamper with a
 * genuine, sandbox-signed message as a man in the middle would.
 */
async function startRelay(
  target: () => string,
): Promise<{ url: string; deliveries: Delivery[]; mode: 'forward' | 'hold'; server: Server }> {
  const relay = {
    url: '',
    deliveries: [] as Delivery[],
    mode: 'forward' as 'forward' | 'hold',
    server: undefined as unknown as Server,
  };
  relay.server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    req.on('end', () => {
      const envelope = JSON.parse(raw) as Record<string, string>;
      let message: Record<string, unknown> = {};
      try {
        message = JSON.parse(envelope.Message ?? '{}') as Record<string, unknown>;
      } catch {
        // a subscription confirmation's Message is text
      }
      const delivery: Delivery = { raw, envelope, message };
      relay.deliveries.push(delivery);
      if (relay.mode === 'hold') {
        res.writeHead(200).end();
        return;
      }
      void fetch(target(), {
        method: 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' },
        body: raw,
      })
        .then(async (answer) => {
          delivery.status = answer.status;
          res.writeHead(answer.status).end(await answer.text());
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => relay.server.listen(0, '127.0.0.1', resolve));
  relay.url = `http://127.0.0.1:${(relay.server.address() as { port: number }).port}/sns`;
  return relay;
}

/**
 * The automatic-mode callback against the sandbox's signed SNS deliveries, as attacks: only a message the
 * sandbox's SNS signed, for the platform's topic, recent, with the certificate from the trusted URL, does
 * anything; every forgery is refused with a 4xx `{error:{code,message}}` before a role is verified or a
 * ResponseURL is PUT to. (The store dialect plays no part here: SQLite only.)
 */
describe('SNS-signed automatic-mode callbacks', () => {
  let sandbox: Sandbox;
  let t: TestService;
  let relay: Awaited<ReturnType<typeof startRelay>>;
  let attacker: ServedSnsSigner;
  let token: string;
  let clockOffsetMs = 0;
  let customer: Sandbox['accounts'][number];
  let other: Sandbox['accounts'][number];
  const topicArn = () => callbackTopicArn(sandbox.accounts[0]!.accountId);
  const creds = (a: Sandbox['accounts'][number]) => ({
    accessKeyId: a.accessKeyId,
    secretAccessKey: a.secretAccessKey,
  });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 3, customResourceTimeoutMs: 30_000 });
    const [platform, c, o] = sandbox.accounts;
    customer = c!;
    other = o!;
    const platformUser = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: creds(platform!),
    });
    const settings = sandboxServiceSettings(sandbox, {
      accountId: platform!.accountId,
      credentials: platformUser.credentials,
    });
    t = await startTestService({
      dialect: 'sqlite',
      ...settings,
      snsMessages: {
        ...settings.snsMessages,
        // The service's clock; a test moves it forward to replay a captured message later.
        now: () => new Date(Date.now() + clockOffsetMs),
      },
    });
    relay = await startRelay(() => `${t.url}/v1/callbacks/cloudformation`);
    // Subscribed as SNS does it: the service verifies the signed SubscriptionConfirmation and visits its SubscribeURL.
    await sandbox.subscribe(topicArn(), relay.url, { confirm: true });
    attacker = await startSnsSigner();
    token = (await t.newOrganization('Acme')).adminToken;
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
    relay?.server.close();
    await attacker?.close();
  });

  async function newAutomaticConnection(name: string): Promise<{ id: string; template: string }> {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name,
        mode: 'automatic',
        scope: { kind: 'account', accountId: customer.accountId },
        roleName: `Tg-${name}`,
      },
    });
    expect(res.status, res.text).toBe(201);
    return { id: res.body.connection.id, template: res.body.deliverables.formats['cloudformation-json'] };
  }

  /** Starts a stack without waiting for it and returns the Create request's delivery once the relay has it. */
  async function captureCreate(stackName: string, templateBody: string): Promise<Delivery> {
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
      const found = relay.deliveries.find(
        (d) => String(d.message.StackId ?? '').includes(`:stack/${stackName}/`) && d.message.RequestType === 'Create',
      );
      if (found !== undefined) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`no SNS delivery for ${stackName}`);
  }

  const post = (body: unknown) =>
    t.api('POST', '/v1/callbacks/cloudformation', {
      rawBody: typeof body === 'string' ? body : JSON.stringify(body),
      contentType: 'text/plain; charset=UTF-8',
    });

  function expectRefused(res: ApiResponse, status: number, code: string, field: string): void {
    expect(res.status, res.text).toBe(status);
    expect(res.body.error).toMatchObject({ code, field });
    expect(typeof res.body.error.message).toBe('string');
  }

  async function stackStatus(stackName: string): Promise<string> {
    const cfn = new CloudFormationClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: creds(customer),
    });
    return (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.StackStatus ?? 'UNKNOWN';
  }

  it("the sandbox serves its signing certificate, and the notification it signed (SignatureVersion 1, SHA1withRSA: a topic's default on AWS) connects", async () => {
    const pem = await fetch(sandbox.snsSigningCertificateUrl);
    expect(pem.status).toBe(200);
    expect(await pem.text()).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect((await fetch(new URL('/sns/SimpleNotificationService-other.pem', sandbox.endpoint))).status).toBe(404);

    relay.mode = 'forward';
    const { id, template } = await newAutomaticConnection('signed');
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-signed',
      templateBody: template,
    });
    await t.service.background.idle();
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const delivery = relay.deliveries.find((d) => String(d.message.StackId).includes(':stack/tg-signed/'));
    expect(delivery?.envelope).toMatchObject({
      Type: 'Notification',
      TopicArn: topicArn(),
      SignatureVersion: '1',
      SigningCertURL: sandbox.snsSigningCertificateUrl,
    });
    expect(delivery?.status).toBe(202);
    const got = await t.api('GET', `/v1/connections/${id}`, { token });
    expect(got.body.status, got.body.statusReason).toBe('connected');
  });

  it("the sandbox's signed SubscriptionConfirmation was verified and confirmed; a tampered or re-signed one is refused and not followed", async () => {
    const first = relay.deliveries[0];
    expect(first?.envelope).toMatchObject({
      Type: 'SubscriptionConfirmation',
      TopicArn: topicArn(),
      SignatureVersion: '1',
      SigningCertURL: sandbox.snsSigningCertificateUrl,
    });
    expect(first?.status).toBe(202);

    relay.mode = 'hold';
    let confirmed = false;
    const subscribing = sandbox
      .subscribe(topicArn(), relay.url, { confirm: true, timeoutMs: 20_000 })
      .then(() => (confirmed = true));
    let captured: Delivery | undefined;
    for (let i = 0; i < 400 && captured === undefined; i++) {
      captured = relay.deliveries.slice(1).find((d) => d.envelope.Type === 'SubscriptionConfirmation');
      if (captured === undefined) await new Promise((r) => setTimeout(r, 25));
    }
    const genuine = captured!.envelope;
    // The SubscribeURL pointed at another URL on the allowed origin (the sandbox's): the signature breaks.
    expectRefused(
      await post({ ...genuine, SubscribeURL: genuine.SubscribeURL!.replace(/Token=[0-9a-f]+/, 'Token=00') }),
      403,
      'FORBIDDEN',
      'Signature',
    );
    expectRefused(await post({ ...genuine, Token: '00' }), 403, 'FORBIDDEN', 'Signature');
    const reSigned = attacker.sign(
      {
        Type: 'SubscriptionConfirmation',
        MessageId: genuine.MessageId!,
        TopicArn: genuine.TopicArn!,
        Message: genuine.Message!,
        Timestamp: genuine.Timestamp!,
        SubscribeURL: genuine.SubscribeURL!,
        Token: genuine.Token!,
      },
      { signingCertUrl: sandbox.snsSigningCertificateUrl },
    );
    expectRefused(await post(reSigned), 403, 'FORBIDDEN', 'Signature');
    // None of them visited the SubscribeURL: the genuine token is still unspent and confirms now.
    expect(confirmed).toBe(false);
    expect((await post(captured!.raw)).status).toBe(202);
    await subscribing;
    expect(confirmed).toBe(true);
  });

  it('forged, re-signed, foreign-certificate and replayed envelopes are refused with 4xx; nothing is verified or answered; the genuine one (SignatureVersion 2) then connects', async () => {
    relay.mode = 'hold';
    const { id, template } = await newAutomaticConnection('held');
    // The topic set to SignatureVersion 2 (SHA256withRSA), as SetTopicAttributes does on AWS.
    sandbox.setTopicSignatureVersion(topicArn(), '2');
    let genuine: Delivery;
    try {
      genuine = await captureCreate('tg-held', template);
    } finally {
      sandbox.setTopicSignatureVersion(topicArn(), '1');
    }
    const envelope = genuine.envelope;
    const message = genuine.message;
    expect(envelope.SignatureVersion).toBe('2');

    // 1. The body changed after signing: another RoleArn, another ResponseURL on the allowed origin, another token.
    const withMessage = (change: Record<string, unknown>) => ({
      ...envelope,
      Message: JSON.stringify({ ...message, ...change }),
    });
    const props = message.ResourceProperties as Record<string, unknown>;
    expectRefused(
      await post(
        withMessage({ ResourceProperties: { ...props, RoleArn: `arn:aws:iam::${other.accountId}:role/Evil` } }),
      ),
      403,
      'FORBIDDEN',
      'Signature',
    );
    const responseUrl = new URL(String(message.ResponseURL));
    responseUrl.pathname += 'x';
    expectRefused(await post(withMessage({ ResponseURL: responseUrl.href })), 403, 'FORBIDDEN', 'Signature');
    expectRefused(await post({ ...envelope, Subject: 'changed' }), 403, 'FORBIDDEN', 'Signature');
    expectRefused(await post({ ...envelope, Timestamp: new Date().toISOString() }), 403, 'FORBIDDEN', 'Signature');

    // 2. Re-signed with another key, naming the sandbox's (trusted) certificate URL.
    const fields = {
      Type: 'Notification' as const,
      MessageId: envelope.MessageId!,
      TopicArn: envelope.TopicArn!,
      Subject: envelope.Subject,
      Message: envelope.Message!,
      Timestamp: envelope.Timestamp!,
    };
    expectRefused(
      await post(attacker.sign(fields, { signingCertUrl: sandbox.snsSigningCertificateUrl })),
      403,
      'FORBIDDEN',
      'Signature',
    );
    expectRefused(
      await post(attacker.sign(fields, { signingCertUrl: sandbox.snsSigningCertificateUrl, signatureVersion: '1' })),
      403,
      'FORBIDDEN',
      'Signature',
    );

    // 3. Signed with another key whose certificate is on a foreign host: refused without fetching it.
    expectRefused(await post(attacker.sign(fields)), 403, 'FORBIDDEN', 'SigningCertURL');
    expectRefused(
      await post(
        attacker.sign(fields, {
          signingCertUrl: `https://sns.us-east-1.amazonaws.com.${new URL(attacker.origin).host}/x.pem`,
        }),
      ),
      403,
      'FORBIDDEN',
      'SigningCertURL',
    );
    // ...or on the sandbox's origin but not its exact certificate URL (another path, a query string as a presigned
    // S3 URL has, a fragment): refused before any fetch.
    for (const signingCertUrl of [
      `${sandbox.endpoint}/sns/SimpleNotificationService-evil.pem`,
      `${sandbox.snsSigningCertificateUrl}?X-Amz-Signature=0`,
      `${sandbox.snsSigningCertificateUrl}#x`,
    ]) {
      expectRefused(await post(attacker.sign(fields, { signingCertUrl })), 403, 'FORBIDDEN', 'SigningCertURL');
    }
    expect(attacker.requests).toEqual([]);

    // 4. The genuine message replayed two hours later.
    clockOffsetMs = 2 * 3_600_000;
    try {
      expectRefused(await post(genuine.raw), 403, 'FORBIDDEN', 'Timestamp');
    } finally {
      clockOffsetMs = 0;
    }

    // 5. A forged subscription confirmation is refused before its SubscribeURL (on the allowed origin) is visited.
    const confirmation = attacker.sign(
      {
        Type: 'SubscriptionConfirmation',
        MessageId: 'c-1',
        TopicArn: topicArn(),
        Message: 'confirm',
        Timestamp: new Date().toISOString(),
        SubscribeURL: `${sandbox.endpoint}/?Action=ConfirmSubscription`,
        Token: 'tok',
      },
      { signingCertUrl: sandbox.snsSigningCertificateUrl },
    );
    expectRefused(await post(confirmation), 403, 'FORBIDDEN', 'Signature');

    // 6. An unsigned, bare custom-resource request carrying the genuine token.
    expectRefused(await post(message), 400, 'INVALID_INPUT', 'Type');

    // Nothing was verified, recorded or answered: the connection is pending, no callback in the audit log, the stack still waits.
    await t.service.background.idle();
    expect((await t.api('GET', `/v1/connections/${id}`, { token })).body.status).toBe('pending');
    const actions = (await t.api('GET', `/v1/audit?connectionId=${id}`, { token })).body.map(
      (e: { action: string }) => e.action,
    );
    expect(actions).toEqual(['connection.create']);
    expect(await stackStatus('tg-held')).toBe('CREATE_IN_PROGRESS');

    // The captured message itself is genuine: delivered now, it connects and completes the stack.
    expect((await post(genuine.raw)).status).toBe(202);
    await t.service.background.idle();
    expect((await t.api('GET', `/v1/connections/${id}`, { token })).body.status).toBe('connected');
    for (let i = 0; i < 200 && (await stackStatus('tg-held')) === 'CREATE_IN_PROGRESS'; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(await stackStatus('tg-held')).toBe('CREATE_COMPLETE');
  });

  it("a genuine SNS message from a topic that is not the platform's (an attacker subscribed the endpoint to theirs) is refused", async () => {
    relay.mode = 'hold';
    const { id, template } = await newAutomaticConnection('foreign-topic');
    const attackerTopic = `arn:aws:sns:us-east-1:${customer.accountId}:attacker-topic`;
    sandbox.subscribe(attackerTopic, relay.url);
    const delivery = await captureCreate('tg-foreign-topic', template.replaceAll(topicArn(), attackerTopic));
    expect(delivery.envelope).toMatchObject({
      TopicArn: attackerTopic,
      SigningCertURL: sandbox.snsSigningCertificateUrl,
    });
    expectRefused(await post(delivery.raw), 403, 'FORBIDDEN', 'TopicArn');
    await t.service.background.idle();
    expect((await t.api('GET', `/v1/connections/${id}`, { token })).body.status).toBe('pending');
    const actions = (await t.api('GET', `/v1/audit?connectionId=${id}`, { token })).body.map(
      (e: { action: string }) => e.action,
    );
    expect(actions).toEqual(['connection.create']);
    expect(await stackStatus('tg-foreign-topic')).toBe('CREATE_IN_PROGRESS');
  });
});
