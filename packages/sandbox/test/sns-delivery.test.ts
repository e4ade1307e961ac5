import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsSigningIdentity } from '../src/index.ts';
import type { SandboxRuntime } from '../src/runtime.ts';
import { deliverSnsMessage, SNS_HTTP_DELIVERY_ATTEMPTS } from '../src/sns/deliver-sns.ts';

/**
 * SNS's default HTTP/S delivery policy as the sandbox follows it (SNS Developer Guide, "Prepare your HTTP/S
 * endpoint": a status outside 200–4xx, or no answer within 15 s, is a failed attempt and retried; "Set the delivery
 * policy for the subscription": up to three retries). A subscriber scripted per attempt; each delivery is awaited
 * to its end, so the attempts counted are all there will be.
 */
describe('SNS HTTP(S) delivery retries', () => {
  let server: Server;
  let url = '';
  let script: number[] = [];
  const attempts: { messageId: string; body: string }[] = [];
  let runtime: SandboxRuntime;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        attempts.push({ messageId: String(req.headers['x-amz-sns-message-id']), body });
        const status = script.shift() ?? 200;
        if (status === 0)
          req.socket.destroy(); // no answer: the connection drops
        else res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    // Only what delivery reads of a running sandbox.
    runtime = {
      endpoint: 'http://127.0.0.1:1',
      snsSigning: await createSnsSigningIdentity(),
      snsTopicSignatureVersions: new Map(),
      stopping: false,
    } as unknown as SandboxRuntime;
  });
  afterAll(() => {
    server.close();
  });

  async function deliver(statuses: number[]): Promise<{ delivered: boolean; attempts: number }> {
    script = [...statuses];
    attempts.length = 0;
    const messageId = `m-${statuses.join('-')}`;
    const delivered = await deliverSnsMessage(runtime, url, {
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:t',
      Message: 'hi',
      Timestamp: '2026-01-01T00:00:00.000Z',
    });
    // Every attempt carries the same signed envelope (a subscriber can tell a retry by its MessageId).
    expect(new Set(attempts.map((a) => `${a.messageId} ${a.body}`)).size).toBe(1);
    return { delivered, attempts: attempts.length };
  }

  it('2xx ends the delivery at once', async () => {
    expect(await deliver([200])).toEqual({ delivered: true, attempts: 1 });
    expect(await deliver([202])).toEqual({ delivered: true, attempts: 1 });
  });

  it('4xx is final: counted as delivered, not retried (SNS does not retry 400–499)', async () => {
    for (const status of [400, 403, 404, 413, 429])
      expect(await deliver([status])).toEqual({ delivered: true, attempts: 1 });
  });

  it('5xx and dropped connections are retried, up to 3 retries', async () => {
    expect(await deliver([500, 200])).toEqual({ delivered: true, attempts: 2 });
    expect(await deliver([503, 0, 502, 200])).toEqual({ delivered: true, attempts: 4 });
    expect(await deliver([502, 0, 500, 503, 200])).toEqual({ delivered: false, attempts: SNS_HTTP_DELIVERY_ATTEMPTS });
    expect(SNS_HTTP_DELIVERY_ATTEMPTS).toBe(4);
  });
});
