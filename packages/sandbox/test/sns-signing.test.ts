import { execFileSync } from 'node:child_process';
import { sign, verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsSigningIdentity, snsStringToSign, startSandbox, type Sandbox } from '../src/index.ts';
import { clients, waitForStack } from './sandbox-clients.ts';

/**
 * The sandbox signs SNS deliveries as SNS does (SNS Developer Guide, "Verifying the signatures of Amazon SNS
 * messages"). Checked against strings to sign written out by hand in the documented layout, and with OpenSSL as
 * an independent verifier, the way AWS's guide verifies them.
 */
describe('SNS message signing', () => {
  let sandbox: Sandbox;
  let server: Server;
  const received: { raw: string; headers: Record<string, string | string[] | undefined> }[] = [];
  let subscriberUrl = '';
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1, customResourceTimeoutMs: 5000 });
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        received.push({ raw, headers: req.headers });
        const message = JSON.parse((JSON.parse(raw) as { Message: string }).Message) as Record<string, string>;
        res.writeHead(200).end();
        void fetch(message.ResponseURL!, {
          method: 'PUT',
          body: JSON.stringify({
            Status: 'SUCCESS',
            PhysicalResourceId: 'p',
            StackId: message.StackId,
            RequestId: message.RequestId,
            LogicalResourceId: message.LogicalResourceId,
          }),
        });
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    subscriberUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });
  afterAll(async () => {
    await sandbox.stop();
    server.close();
  });

  it('serves its certificate at SigningCertURL: a self-signed X.509 certificate for CN=sns.amazonaws.com, valid when served', async () => {
    expect(sandbox.snsSigningCertificateUrl).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/sns\/SimpleNotificationService-[0-9a-f]{32}\.pem$/,
    );
    const res = await fetch(sandbox.snsSigningCertificateUrl);
    expect(res.status).toBe(200);
    const pem = await res.text();
    const cert = new X509Certificate(pem);
    expect(cert.subject).toBe('CN=sns.amazonaws.com');
    expect(cert.verify(cert.publicKey)).toBe(true);
    // Valid at the time the sandbox reports serving it (its Date header), and for a year and an hour: no wall clock here.
    const servedAt = Date.parse(res.headers.get('date') ?? '');
    expect(Date.parse(cert.validFrom)).toBeLessThanOrEqual(servedAt);
    expect(Date.parse(cert.validTo)).toBeGreaterThan(servedAt);
    expect(Date.parse(cert.validTo) - Date.parse(cert.validFrom)).toBe(365 * 86_400_000 + 3_600_000);
    expect(execFileSync('openssl', ['x509', '-noout', '-subject'], { input: pem }).toString()).toMatch(
      /CN\s*=\s*sns\.amazonaws\.com/,
    );
    expect((await fetch(sandbox.snsSigningCertificateUrl, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(sandbox.snsSigningCertificateUrl, { method: 'POST' })).status).toBe(405);
    expect((await fetch(new URL('/sns/SimpleNotificationService-0.pem', sandbox.endpoint))).status).toBe(404);
  });

  /** Verifies `signature` over `text` with the certificate's key using OpenSSL (`dgst -sha1` or `-sha256`), as AWS's guide does. */
  function opensslVerifies(pem: string, text: string, signature: Buffer, hash: 'sha1' | 'sha256'): boolean {
    const dir = mkdtempSync(join(tmpdir(), 'sns-sig-'));
    try {
      writeFileSync(join(dir, 'cert.pem'), pem);
      writeFileSync(join(dir, 'data'), text);
      writeFileSync(join(dir, 'sig'), signature);
      writeFileSync(
        join(dir, 'pub.pem'),
        execFileSync('openssl', ['x509', '-pubkey', '-noout', '-in', join(dir, 'cert.pem')]),
      );
      return execFileSync('openssl', [
        'dgst',
        `-${hash}`,
        '-verify',
        join(dir, 'pub.pem'),
        '-signature',
        join(dir, 'sig'),
        join(dir, 'data'),
      ])
        .toString()
        .includes('Verified OK');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("a custom resource's notification is signed with the topic's SignatureVersion — AWS's default 1 (SHA1withRSA), or 2 (SHA256withRSA) once set — over the documented string; OpenSSL agrees", async () => {
    const topic = `arn:aws:sns:${sandbox.region}:${sandbox.accounts[0]!.accountId}:signed`;
    sandbox.subscribe(topic, subscriberUrl);
    const c = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
    const template = JSON.stringify({
      Resources: { Hook: { Type: 'Custom::Hook', Properties: { ServiceToken: topic, Note: 'line\nbreak "quoted"' } } },
    });
    for (const [stackName, version, hash] of [
      ['signed-v1', '1', 'sha1'],
      ['signed-v2', '2', 'sha256'],
    ] as const) {
      if (version === '2') sandbox.setTopicSignatureVersion(topic, '2');
      await c.cfn.send(new CreateStackCommand({ StackName: stackName, TemplateBody: template }));
      expect((await waitForStack(c.cfn, stackName)).StackStatus).toBe('CREATE_COMPLETE');
      const delivery = received.find((r) =>
        String((JSON.parse(JSON.parse(r.raw).Message) as { StackId: string }).StackId).includes(`:stack/${stackName}/`),
      )!;
      expect(delivery.headers['x-amz-sns-message-type']).toBe('Notification');
      const envelope = JSON.parse(delivery.raw) as Record<string, string>;
      expect(envelope).toMatchObject({
        Type: 'Notification',
        TopicArn: topic,
        SignatureVersion: version,
        SigningCertURL: sandbox.snsSigningCertificateUrl,
      });
      const text = `Message\n${envelope.Message}\nMessageId\n${envelope.MessageId}\nSubject\n${envelope.Subject}\nTimestamp\n${envelope.Timestamp}\nTopicArn\n${topic}\nType\nNotification\n`;
      const pem = await (await fetch(envelope.SigningCertURL!)).text();
      const signature = Buffer.from(envelope.Signature!, 'base64');
      expect(verify(hash, Buffer.from(text), new X509Certificate(pem).publicKey, signature)).toBe(true);
      expect(
        verify(hash === 'sha1' ? 'sha256' : 'sha1', Buffer.from(text), new X509Certificate(pem).publicKey, signature),
      ).toBe(false);
      expect(opensslVerifies(pem, text, signature, hash)).toBe(true);
    }
  });

  it('subscribe with confirmation: a signed SubscriptionConfirmation; nothing is delivered until its SubscribeURL is visited; tokens are one-time', async () => {
    const confirmations: Record<string, string>[] = [];
    const endpoint = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString()));
      req.on('end', () => {
        confirmations.push(JSON.parse(raw) as Record<string, string>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}/`;
      const topic = `arn:aws:sns:${sandbox.region}:${sandbox.accounts[0]!.accountId}:confirm-me`;
      let confirmed = false;
      const subscribing = sandbox
        .subscribe(topic, url, { confirm: true, timeoutMs: 10_000 })
        .then(() => (confirmed = true));
      for (let i = 0; i < 200 && confirmations.length === 0; i++) await new Promise((r) => setTimeout(r, 25));
      const m = confirmations[0]!;
      expect(m).toMatchObject({
        Type: 'SubscriptionConfirmation',
        TopicArn: topic,
        SignatureVersion: '1',
        SigningCertURL: sandbox.snsSigningCertificateUrl,
      });
      expect(m.Message).toBe(
        `You have chosen to subscribe to the topic ${topic}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      );
      const text = `Message\n${m.Message}\nMessageId\n${m.MessageId}\nSubscribeURL\n${m.SubscribeURL}\nTimestamp\n${m.Timestamp}\nToken\n${m.Token}\nTopicArn\n${topic}\nType\nSubscriptionConfirmation\n`;
      const pem = await (await fetch(m.SigningCertURL!)).text();
      expect(
        verify('sha1', Buffer.from(text), new X509Certificate(pem).publicKey, Buffer.from(m.Signature!, 'base64')),
      ).toBe(true);
      expect(new URL(m.SubscribeURL!).searchParams.get('Token')).toBe(m.Token);

      // Only the endpoint's own token confirms.
      const wrong = new URL(m.SubscribeURL!);
      wrong.searchParams.set('Token', '0'.repeat(128));
      const refused = await fetch(wrong);
      expect(refused.status).toBe(400);
      expect(await refused.text()).toContain('<Code>InvalidParameter</Code>');
      expect(confirmed).toBe(false);
      const ok = await fetch(m.SubscribeURL!);
      expect(ok.status).toBe(200);
      expect(await ok.text()).toMatch(new RegExp(`<SubscriptionArn>${topic}:[0-9a-f-]{36}</SubscriptionArn>`));
      await subscribing;
      expect(confirmed).toBe(true);
      expect((await fetch(m.SubscribeURL!)).status).toBe(400); // spent
      // An endpoint that never confirms: the promise rejects.
      await expect(sandbox.subscribe(`${topic}-2`, url, { confirm: true, timeoutMs: 300 })).rejects.toThrow(
        /did not confirm/,
      );
    } finally {
      endpoint.close();
    }
  });

  it('signs versions 1 (SHA1withRSA) and 2 (SHA256withRSA) for every message type, Subject only when present', async () => {
    const identity = await createSnsSigningIdentity();
    const base = {
      MessageId: 'id-1',
      TopicArn: 'arn:aws:sns:us-east-2:123456789012:T',
      Message: 'My Test Message',
      Timestamp: '2019-01-31T04:37:04.321Z',
    };
    const cases = [
      {
        fields: { ...base, Type: 'Notification' as const, Subject: 'My subject' },
        text: 'Message\nMy Test Message\nMessageId\nid-1\nSubject\nMy subject\nTimestamp\n2019-01-31T04:37:04.321Z\nTopicArn\narn:aws:sns:us-east-2:123456789012:T\nType\nNotification\n',
      },
      {
        fields: { ...base, Type: 'Notification' as const },
        text: 'Message\nMy Test Message\nMessageId\nid-1\nTimestamp\n2019-01-31T04:37:04.321Z\nTopicArn\narn:aws:sns:us-east-2:123456789012:T\nType\nNotification\n',
      },
      {
        fields: {
          ...base,
          Type: 'SubscriptionConfirmation' as const,
          SubscribeURL: 'https://sns/confirm',
          Token: '233',
        },
        text: 'Message\nMy Test Message\nMessageId\nid-1\nSubscribeURL\nhttps://sns/confirm\nTimestamp\n2019-01-31T04:37:04.321Z\nToken\n233\nTopicArn\narn:aws:sns:us-east-2:123456789012:T\nType\nSubscriptionConfirmation\n',
      },
      {
        fields: {
          ...base,
          Type: 'UnsubscribeConfirmation' as const,
          SubscribeURL: 'https://sns/confirm',
          Token: '233',
        },
        text: 'Message\nMy Test Message\nMessageId\nid-1\nSubscribeURL\nhttps://sns/confirm\nTimestamp\n2019-01-31T04:37:04.321Z\nToken\n233\nTopicArn\narn:aws:sns:us-east-2:123456789012:T\nType\nUnsubscribeConfirmation\n',
      },
    ];
    for (const { fields, text } of cases) {
      expect(snsStringToSign(fields)).toBe(text);
      for (const [version, hash] of [
        ['1', 'sha1'],
        ['2', 'sha256'],
      ] as const) {
        const signed = identity.sign(fields, { signingCertUrl: 'https://cert', signatureVersion: version });
        // RSASSA-PKCS1-v1_5 is deterministic: the same key over the same string gives the same bytes.
        expect(signed.Signature).toBe(sign(hash, Buffer.from(text), identity.privateKey).toString('base64'));
        expect(signed).toMatchObject({ ...fields, SignatureVersion: version, SigningCertURL: 'https://cert' });
      }
    }
  });
});
