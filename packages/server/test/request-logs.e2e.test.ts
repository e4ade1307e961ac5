import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustgateService, type TrustgateService } from '../src/create-service.ts';
import { startBrokerEnv, type BrokerEnv } from './issuance-harness.ts';
import { OPERATOR_TOKEN } from './service-harness.ts';

/** A pino line as the tests read it. */
interface Line {
  level: number;
  msg: string;
  reqId?: string;
  req?: { url: string; headers?: Record<string, string> };
}

/** An operator's access log with every request header (the service must still redact the secret ones). */
const withHeaders = {
  req: (req: { method: string; url: string; headers: Record<string, string> }) => ({
    method: req.method,
    url: req.url,
    headers: req.headers,
  }),
};

/**
 * The service's log stream, captured while real requests run against the sandbox: each request's lines (Fastify's
 * request lines and what the use cases log through the app's logger) carry its request id, taken from a sane
 * `x-request-id` or made, and answered in `x-request-id`; no credential, token or signature reaches any line.
 */
describe('request ids and redaction in the log', () => {
  let env: BrokerEnv;
  let withBucket: TrustgateService;
  let bucketUrl = '';
  const log: string[] = [];
  const lines = () => log.map((l) => JSON.parse(l) as Line);

  beforeAll(async () => {
    const logger = { level: 'trace', serializers: withHeaders, stream: { write: (l: string) => log.push(l) } };
    env = await startBrokerEnv({ dialect: 'sqlite', service: { logger } });
    // A second service whose template bucket does not exist: creating a connection logs a warning from the use case.
    withBucket = await createTrustgateService({
      ...env.config,
      databaseUrl: ':memory:',
      partitions: {
        aws: { ...env.config.partitions.aws!, templateBucket: `tg-missing-${randomBytes(4).toString('hex')}` },
      },
      logger,
    });
    bucketUrl = await withBucket.listen({ port: 0 });
  }, 60_000);
  afterAll(async () => {
    await withBucket?.close();
    await env?.close();
  });

  it('every line of a request carries its id, the id is answered, and no secret is logged', async () => {
    const conn = await env.connect('logs');
    const stack = await env.stack('logs');
    await env.attach(stack, conn.id, { sessionMode: 'shared' });
    const issuer = (await env.token({ scopes: ['credentials:issue'] })).secret;

    // An issuance with a request id of the caller's, and headers that carry credentials.
    const sessionHeader = `FwoGZXIvYXdzE${randomBytes(24).toString('base64url')}`;
    const cookie = `session=${randomBytes(24).toString('hex')}`;
    const issued = await fetch(`${env.url}/v1/issuances`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${issuer}`,
        'content-type': 'application/json',
        'x-request-id': 'lb-7f3a.42:1',
        cookie,
        'x-amz-security-token': sessionHeader,
      },
      body: JSON.stringify({ stack: 'logs', phase: 'read', runId: 'run-1' }),
    });
    expect(issued.status).toBe(201);
    expect(issued.headers.get('x-request-id')).toBe('lb-7f3a.42:1');
    const credentials = ((await issued.json()) as { credentials: { secretAccessKey: string; sessionToken: string } })
      .credentials;

    // A callback whose URL and body carry signatures and a token; refused (no such signature), still logged.
    const signature = randomBytes(48).toString('base64');
    const amzSignature = randomBytes(32).toString('hex');
    const amzCredential = `AKIA${randomBytes(8).toString('hex').toUpperCase()}/20260101/us-east-1/s3/aws4_request`;
    const amzToken = `IQoJ${randomBytes(24).toString('base64url')}`;
    const callback = await fetch(
      `${env.url}/v1/callbacks/cloudformation?X-Amz-Signature=${amzSignature}&X-Amz-Credential=${encodeURIComponent(amzCredential)}&x-amz-security-token=${amzToken}&keep=visible`,
      {
        method: 'POST',
        headers: { 'content-type': 'text/plain', 'x-request-id': 'has spaces and / slashes' },
        body: JSON.stringify({
          Type: 'Notification',
          MessageId: 'm-1',
          TopicArn: 'arn:aws:sns:us-east-1:111111111111:trustgate-connect',
          Message: '{}',
          Timestamp: new Date().toISOString(),
          SignatureVersion: '2',
          Signature: signature,
          SigningCertURL: 'https://sns.us-east-1.amazonaws.com/cert.pem',
        }),
      },
    );
    expect(callback.status).toBeGreaterThanOrEqual(400);
    const madeId = callback.headers.get('x-request-id') ?? '';
    expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
    // An error answer carries the id in its header too; its body keeps the documented error shape.
    const refused = await fetch(`${env.url}/v1/me`, { headers: { authorization: `Bearer tg_${'x'.repeat(43)}` } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(((await refused.json()) as { error: object }).error).sort()).toEqual(['code', 'message']);

    // A use case logs through the app's logger while a request runs: the line carries that request's id.
    const org = await fetch(`${bucketUrl}/v1/organizations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Logs', adminEmail: 'a@logs.test', adminName: 'A' }),
    });
    const admin = ((await org.json()) as { token: { secret: string } }).token.secret;
    const created = await fetch(`${bucketUrl}/v1/connections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json', 'x-request-id': 'create-1' },
      body: JSON.stringify({ name: 'b', scope: { kind: 'account', accountId: env.customer.accountId } }),
    });
    expect(created.status).toBe(201);
    const externalId = ((await created.json()) as { connection: { externalId: string } }).connection.externalId;
    const bucketWarning = lines().find((l) => l.msg.startsWith("The connection's template could not be published"));
    expect(bucketWarning?.reqId).toBe('create-1');

    const all = lines();
    const of = (id: string) => all.filter((l) => l.reqId === id).map((l) => l.msg);
    expect(of('lb-7f3a.42:1')).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    expect(of(madeId)).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    // Every line about a request (Fastify's request lines, and errors) names its request.
    for (const line of all.filter((l) => l.req !== undefined || l.msg === 'request completed'))
      expect(line.reqId, line.msg).toMatch(/\S/);
    const issuance = all.find((l) => l.reqId === 'lb-7f3a.42:1' && l.req !== undefined);
    expect(issuance?.req?.headers?.authorization).toBe('[Redacted]');
    expect(issuance?.req?.headers?.cookie).toBe('[Redacted]');
    expect(issuance?.req?.headers?.['x-amz-security-token']).toBe('[Redacted]');
    const callbackUrl = all.find((l) => l.reqId === madeId && l.req !== undefined)?.req?.url ?? '';
    expect(callbackUrl).toBe(
      '/v1/callbacks/cloudformation?X-Amz-Signature=[Redacted]&X-Amz-Credential=[Redacted]&x-amz-security-token=[Redacted]&keep=visible',
    );

    const text = log.join('\n');
    for (const secret of [
      issuer,
      admin,
      OPERATOR_TOKEN,
      credentials.secretAccessKey,
      credentials.sessionToken,
      sessionHeader,
      cookie,
      signature,
      amzSignature,
      amzCredential,
      encodeURIComponent(amzCredential),
      amzToken,
      externalId,
      conn.externalId,
    ])
      expect(text, `a secret in the log: ${secret.slice(0, 8)}…`).not.toContain(secret);
    expect(text).not.toMatch(/Bearer\s/);
  }, 60_000);
});
