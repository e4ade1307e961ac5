import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustgateError } from '@trustgate/core';
import { NOT_AN_ARN } from '../src/app/callbacks/auditable-fields.ts';
import type { CustomResourceRequest } from '../src/app/callbacks/custom-resource-request.ts';
import { REFUSALS_AUDITED_PER_HOUR } from '../src/app/callbacks/decide-callback.ts';
import {
  CALLBACK_CLAIM_LEASE_MS,
  handleCallback,
  IN_PROCESS_RETRY_WINDOW_MS,
  startCallback,
} from '../src/app/callbacks/handle-callback.ts';
import type { FetchPort } from '../src/aws/fetch-port.ts';
import { resendUndeliveredAnswers, startAnswerResender } from '../src/app/jobs/resend-undelivered-answers.ts';
import { DIALECTS } from './test-stores.ts';
import { startTestService, type TestService } from './service-harness.ts';

/** A PUT the callback made. */
interface Put {
  url: string;
  body: string;
}

/** A fetch port answering every PUT with `statuses` in turn (the last one repeats), recording each. */
function answering(puts: Put[], ...statuses: number[]): FetchPort {
  return async (url, init) => {
    puts.push({ url, body: init.body ?? '' });
    const status = statuses[Math.min(puts.length - 1, statuses.length - 1)]!;
    return { ok: status >= 200 && status < 300, status };
  };
}

const fast = { responseRetry: { firstDelayMs: 5 } };

/**
 * The callback's defences that need no CloudFormation stack to show: an idempotency key reused with another body,
 * what a refused request may write into the victim's audit log, and an answer that cannot be delivered. Each is
 * attempted as an attacker (or a failing S3) would, against the real store on SQLite and PostgreSQL.
 */
describe.each(DIALECTS)('callback hardening on %s', (dialect) => {
  let t: TestService;
  const log: string[] = [];
  let token = '';
  let victimId = '';
  beforeAll(async () => {
    t = await startTestService({
      dialect,
      isAllowedResponseUrl: () => true,
      logger: { level: 'warn', stream: { write: (line: string) => log.push(line) } },
      partitions: {
        aws: {
          endpoint: 'http://127.0.0.1:9',
          region: 'us-east-1',
          accountId: '111111111111',
          credentials: { accessKeyId: 'A', secretAccessKey: 'B' },
          callbackTopicArn: 'arn:aws:sns:us-east-1:111111111111:t',
        },
      },
    });
    token = (await t.newOrganization('Victim')).adminToken;
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'v', mode: 'automatic', scope: { kind: 'account', accountId: '222222222222' } },
    });
    expect(created.status).toBe(201);
    victimId = created.body.connection.id;
  });
  afterAll(async () => t?.close());

  const request = (
    overrides: Partial<CustomResourceRequest> & { props?: Record<string, unknown> } = {},
  ): CustomResourceRequest => {
    const { props, ...rest } = overrides;
    return {
      RequestType: 'Create',
      ResponseURL:
        'https://cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws/stack?X-Amz-Signature=secret-signature',
      StackId: 'arn:aws:cloudformation:us-east-1:222222222222:stack/victim/0f4a1c2e-1111-2222-3333-444455556666',
      RequestId: 'req-genuine',
      LogicalResourceId: 'TrustgateConnect',
      ResourceProperties: { ConnectionId: victimId, CallbackToken: 'wrong', ...props },
      ...rest,
    };
  };
  const refusals = async () =>
    (
      (await t.api('GET', `/v1/audit?connectionId=${victimId}&limit=1000`, { token })).body as {
        details: Record<string, unknown>;
      }[]
    ).filter((e) => e.details.refusal === 'invalid-callback-token');

  it("a second message under a decided request's key with another body (ResponseURL, ConnectionId) is refused with 409 and nothing is PUT", async () => {
    const genuine = request({ RequestId: 'req-same-key' });
    const puts: Put[] = [];
    const first = await handleCallback(t.service.deps, genuine, answering(puts, 200));
    expect(first?.status).toBe('FAILED');
    const forged = request({
      RequestId: 'req-same-key',
      ResponseURL: 'https://attacker-bucket.s3.amazonaws.com/x?X-Amz-Signature=y',
      props: { ConnectionId: 'con_other' },
    });
    const refused = await handleCallback(t.service.deps, forged, answering(puts, 200)).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(TrustgateError);
    expect((refused as TrustgateError).code).toBe('CONFLICT');
    expect(puts.map((p) => new URL(p.url).hostname)).toEqual([
      'cloudformation-custom-resource-response-useast1.s3.amazonaws.com',
    ]);
    // The genuine request delivered again still gets its stored answer, at its own URL.
    await handleCallback(t.service.deps, genuine, answering(puts, 200));
    expect(puts).toHaveLength(2);
    expect(puts[1]).toEqual(puts[0]);
  });

  it("a refused callback records only a RoleArn and StackId that parse as such, never the request's free text", async () => {
    const puts: Put[] = [];
    const pitch = 'Please call +1-555-0100 to re-verify your account. '.repeat(2000);
    await handleCallback(
      t.service.deps,
      request({ RequestId: 'req-inject', StackId: 'ATTACKER TEXT '.repeat(2000), props: { RoleArn: pitch } }),
      answering(puts, 200),
    );
    await handleCallback(
      t.service.deps,
      request({
        RequestId: 'req-arn-like',
        StackId: `arn:aws:cloudformation:us-east-1:222222222222:stack/x/${'y'.repeat(5000)}`,
        props: { RoleArn: `arn:aws:iam::222222222222:role/${'z'.repeat(5000)}` },
      }),
      answering(puts, 200),
    );
    await handleCallback(
      t.service.deps,
      request({ RequestId: 'req-plain', props: { RoleArn: 'arn:aws:iam::222222222222:role/ops/Trustgate' } }),
      answering(puts, 200),
    );
    expect(puts.map((p) => (JSON.parse(p.body) as { Status: string }).Status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
    const events = await refusals();
    const byRequest = (stackPrefix: string, roleArn: string) =>
      events.find((e) => String(e.details.stackId).startsWith(stackPrefix) && e.details.roleArn === roleArn);
    expect(events.filter((e) => e.details.stackId === NOT_AN_ARN && e.details.roleArn === NOT_AN_ARN)).toHaveLength(2);
    expect(
      byRequest(
        'arn:aws:cloudformation:us-east-1:222222222222:stack/victim/',
        'arn:aws:iam::222222222222:role/ops/Trustgate',
      ),
    ).toBeDefined();
    const text = JSON.stringify(events);
    expect(text).not.toContain('555-0100');
    expect(text).not.toContain('ATTACKER');
    expect(Math.max(...events.map((e) => JSON.stringify(e).length))).toBeLessThan(1_000);
  });

  it('refused callbacks are audited at most 20 times an hour per connection, and every one is still answered FAILED', async () => {
    const before = (await refusals()).length;
    const puts: Put[] = [];
    for (let i = 0; i < 30; i++)
      await handleCallback(t.service.deps, request({ RequestId: `req-flood-${i}` }), answering(puts, 200));
    expect(puts).toHaveLength(30);
    expect(before).toBeLessThan(20);
    expect(await refusals()).toHaveLength(20);
    expect(REFUSALS_AUDITED_PER_HOUR).toBe(20);
  });

  it("an answer S3 keeps refusing with 5xx is tried 5 times, stays stored as undelivered and is logged without the URL's query string; a repeat delivers it", async () => {
    const genuine = request({ RequestId: 'req-undelivered', RequestType: 'Delete' });
    const key = {
      stackId: genuine.StackId,
      requestId: genuine.RequestId,
      logicalResourceId: genuine.LogicalResourceId,
    };
    const puts: Put[] = [];
    const failed = await handleCallback(t.service.deps, genuine, answering(puts, 503, 500, 429, 503), fast).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failed as TrustgateError).code).toBe('AWS_ERROR');
    expect(puts).toHaveLength(5);
    expect(await t.service.store.callbackRequests.deliveryState(key)).toBe('undelivered');
    const line = log.find((l) => l.includes('req-undelivered'));
    expect(line).toBeDefined();
    expect(line).toContain('cloudformation-custom-resource-response-useast1.s3.amazonaws.com/arn%3Aaws/stack');
    expect(log.join('\n')).not.toContain('secret-signature');
    // The same request delivered again re-sends the stored answer, and it arrives.
    const again: Put[] = [];
    expect((await handleCallback(t.service.deps, genuine, answering(again, 200), fast))?.status).toBe('SUCCESS');
    expect(again.map((p) => p.body)).toEqual([puts[0]!.body]);
    expect(await t.service.store.callbackRequests.deliveryState(key)).toBe('delivered');
  });

  it("the re-sender retries an undelivered answer each pass, forgets its presigned URL once sent, and gives up after CloudFormation's hour", async () => {
    const sent = request({ RequestId: 'req-resend', RequestType: 'Delete' });
    const late = request({ RequestId: 'req-too-late', RequestType: 'Delete' });
    const keyOf = (r: CustomResourceRequest) => ({
      stackId: r.StackId,
      requestId: r.RequestId,
      logicalResourceId: r.LogicalResourceId,
    });
    for (const r of [sent, late])
      await handleCallback(t.service.deps, r, answering([], 503), fast).catch(() => undefined);
    const pending = await t.service.store.callbackRequests.listUndelivered({ since: new Date(Date.now() - 60_000) });
    expect(pending.map((p) => p.requestId)).toEqual(expect.arrayContaining(['req-resend', 'req-too-late']));
    // S3 still down: nothing delivered, both kept.
    const down: Put[] = [];
    const first = await resendUndeliveredAnswers(t.service.deps, answering(down, 500), { retryWindowMs: 0 });
    expect(first.delivered).toBe(0);
    expect(first.failed).toBeGreaterThanOrEqual(2);
    expect(log.join('\n')).not.toContain('secret-signature');
    // An hour and more later, CloudFormation stopped waiting: given up, URLs forgotten, nothing PUT.
    const gone: Put[] = [];
    const report = await resendUndeliveredAnswers(t.service.deps, answering(gone, 200), {
      now: new Date(Date.now() + 3_700_000),
    });
    expect(report.abandoned).toBeGreaterThanOrEqual(2);
    expect(gone).toHaveLength(0);
    expect(await t.service.store.callbackRequests.listUndelivered({ since: new Date(0) })).toEqual([]);
    expect(await t.service.store.callbackRequests.deliveryState(keyOf(late))).toBe('undelivered');
    // Within the hour, a pass with S3 back delivers the stored body as it was first sent.
    await handleCallback(t.service.deps, { ...sent, RequestId: 'req-resend-2' }, answering([], 503), fast).catch(
      () => undefined,
    );
    const back: Put[] = [];
    expect((await resendUndeliveredAnswers(t.service.deps, answering(back, 200), { retryWindowMs: 0 })).delivered).toBe(
      1,
    );
    expect(back.map((p) => (JSON.parse(p.body) as { RequestId: string }).RequestId)).toEqual(['req-resend-2']);
    expect(back[0]!.url).toBe(sent.ResponseURL);
    expect(await t.service.store.callbackRequests.deliveryState(keyOf({ ...sent, RequestId: 'req-resend-2' }))).toBe(
      'delivered',
    );
    expect(await t.service.store.callbackRequests.listUndelivered({ since: new Date(0) })).toEqual([]);
  });

  it('stopping the re-sender aborts its PUT to a ResponseURL that never answers and does not try the rows after it', async () => {
    const { createServer } = await import('node:http');
    const held: Array<{ closed: Promise<void> }> = [];
    let firstHeld: () => void = () => undefined;
    const firstArrived = new Promise<void>((resolve) => (firstHeld = resolve));
    // A ResponseURL host that reads each PUT and never answers it.
    const silent = createServer((req) => {
      const entry = { closed: new Promise<void>((resolve) => req.socket.once('close', () => resolve())) };
      held.push(entry);
      req.resume();
      firstHeld();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(silent.address() as { port: number }).port}/stack?X-Amz-Signature=secret-signature`;
    try {
      for (const id of ['req-stop-1', 'req-stop-2', 'req-stop-3'])
        await handleCallback(
          t.service.deps,
          request({ RequestId: id, RequestType: 'Delete', ResponseURL: base }),
          answering([], 503),
          { responseRetry: { attempts: 1 } },
        ).catch(() => undefined);
      // Real fetch for the silent host (with only the re-sender's signal: no timeout), 503 for any other stored URL.
      const fetchPort: FetchPort = async (url, init) =>
        url.startsWith(base) ? fetch(url, init) : { ok: false, status: 503 };
      const resender = startAnswerResender(t.service.deps, fetchPort, { intervalMs: 10, retryWindowMs: 0 });
      await firstArrived;
      await resender.stop();
      // stop() resolved although the host never answered: the PUT it held was aborted (its socket closed by us), and
      // the rows after it were left for the next pass.
      await held[0]!.closed;
      expect(held).toHaveLength(1);
      const states = await Promise.all(
        ['req-stop-1', 'req-stop-2', 'req-stop-3'].map((id) =>
          t.service.store.callbackRequests.deliveryState({
            stackId: request().StackId,
            requestId: id,
            logicalResourceId: request().LogicalResourceId,
          }),
        ),
      );
      expect(states).toEqual(['undelivered', 'undelivered', 'undelivered']);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('an instance stopping while it retries the PUT loses nothing: the answer was stored with its URL, and the re-sender delivers it once the retry window passed', async () => {
    const stopped = request({ RequestId: 'req-instance-stopped', RequestType: 'Delete' });
    const key = {
      stackId: stopped.StackId,
      requestId: stopped.RequestId,
      logicalResourceId: stopped.LogicalResourceId,
    };
    let attempted!: () => void;
    const putStarted = new Promise<void>((resolve) => (attempted = resolve));
    // The instance's PUT never completes (the process is gone while the request is in flight).
    const { finished } = await startCallback(t.service.deps, stopped, async () => {
      attempted();
      return new Promise(() => undefined);
    });
    void finished;
    await putStarted;
    expect(await t.service.store.callbackRequests.deliveryState(key)).toBe('undelivered');
    const mine = (puts: Put[]) => puts.filter((p) => p.body.includes('req-instance-stopped'));
    // Within the decider's retry window the re-sender leaves it alone (no race with the decider's own attempts).
    const early: Put[] = [];
    await resendUndeliveredAnswers(t.service.deps, answering(early, 200));
    expect(mine(early)).toHaveLength(0);
    // Past it, another instance's pass delivers the stored answer to the stored URL, then forgets the URL.
    const later: Put[] = [];
    await resendUndeliveredAnswers(t.service.deps, answering(later, 200), {
      now: new Date(Date.now() + IN_PROCESS_RETRY_WINDOW_MS + 1_000),
    });
    expect(mine(later)).toHaveLength(1);
    expect(mine(later)[0]!.url).toBe(stopped.ResponseURL);
    expect(JSON.parse(mine(later)[0]!.body)).toMatchObject({ Status: 'SUCCESS', RequestId: 'req-instance-stopped' });
    expect(await t.service.store.callbackRequests.deliveryState(key)).toBe('delivered');
    expect(
      (await t.service.store.callbackRequests.listUndelivered({ since: new Date(0) })).map((p) => p.requestId),
    ).not.toContain('req-instance-stopped');
  });

  it('a request whose decider stopped before answering is answered with its ready answer (FAILED; a Delete SUCCESS) once the lease ran out, exactly once across two concurrent passes, and its URL is forgotten', async () => {
    // The decider hangs forever (its instance is gone) after the claim: the real store, with connections never answering.
    const stuck = {
      ...t.service.deps,
      store: Object.create(t.service.store, {
        connections: { value: { getAnyOrganization: () => new Promise(() => undefined) } },
      }) as typeof t.service.store,
    };
    const create = request({ RequestId: 'req-decider-died' });
    const remove = request({
      RequestId: 'req-decider-died-delete',
      RequestType: 'Delete',
      PhysicalResourceId: 'trustgate-con_x',
    });
    const never: Put[] = [];
    for (const r of [create, remove]) await startCallback(stuck, r, answering(never, 200));
    const keyOf = (r: CustomResourceRequest) => ({
      stackId: r.StackId,
      requestId: r.RequestId,
      logicalResourceId: r.LogicalResourceId,
    });
    expect(await t.service.store.callbackRequests.deliveryState(keyOf(create))).toBe('deciding');
    const mine = (puts: Put[]) => puts.filter((p) => p.body.includes('req-decider-died'));
    // Within the lease nothing answers it.
    const early: Put[] = [];
    expect(
      (await resendUndeliveredAnswers(t.service.deps, answering(early, 200), { now: new Date(Date.now() + 60_000) }))
        .answeredForStoppedDeciders,
    ).toBe(0);
    expect(mine(early)).toHaveLength(0);
    // Lease run out: two passes at once (two instances) answer each request exactly once.
    const puts: Put[] = [];
    const afterLease = new Date(Date.now() + CALLBACK_CLAIM_LEASE_MS + 60_000);
    const reports = await Promise.all(
      [0, 1].map(() => resendUndeliveredAnswers(t.service.deps, answering(puts, 200), { now: afterLease })),
    );
    expect(reports.reduce((n, r) => n + r.answeredForStoppedDeciders, 0)).toBe(2);
    const answers = mine(puts).map((p): Record<string, unknown> => ({
      url: p.url,
      ...(JSON.parse(p.body) as Record<string, unknown>),
    }));
    expect(answers).toHaveLength(2);
    expect(answers.find((a) => a.RequestId === 'req-decider-died')).toMatchObject({
      url: create.ResponseURL,
      Status: 'FAILED',
      Reason: 'trustgate stopped while deciding; update or re-create the stack to retry.',
      StackId: create.StackId,
      LogicalResourceId: create.LogicalResourceId,
    });
    expect(answers.find((a) => a.RequestId === 'req-decider-died-delete')).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'trustgate-con_x',
    });
    for (const r of [create, remove])
      expect(await t.service.store.callbackRequests.deliveryState(keyOf(r))).toBe('delivered');
    // The URL is forgotten, and a later pass or a repeated delivery answers the same again, never decides.
    const again: Put[] = [];
    expect(
      (await resendUndeliveredAnswers(t.service.deps, answering(again, 200), { now: afterLease }))
        .answeredForStoppedDeciders,
    ).toBe(0);
    expect(mine(again)).toHaveLength(0);
    expect(
      await t.service.store.callbackRequests.listAbandonedClaims({
        since: new Date(0),
        claimedBefore: new Date(Date.now() + 86_400_000),
      }),
    ).toEqual([]);
    expect((await handleCallback(t.service.deps, create, answering(again, 200)))?.reason).toBe(
      'trustgate stopped while deciding; update or re-create the stack to retry.',
    );
    expect(never).toHaveLength(0);
    expect(log.join('\n')).not.toContain('secret-signature');
  });

  it('a 4xx other than 429 (an expired presigned URL) is final: one attempt', async () => {
    const puts: Put[] = [];
    const failed = await handleCallback(
      t.service.deps,
      request({ RequestId: 'req-expired', RequestType: 'Delete' }),
      answering(puts, 403),
      fast,
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((failed as TrustgateError).code).toBe('AWS_ERROR');
    expect(puts).toHaveLength(1);
    // Given up at once: its presigned URL is forgotten and no pass re-sends it.
    expect(
      (await t.service.store.callbackRequests.listUndelivered({ since: new Date(0) })).map((p) => p.requestId),
    ).not.toContain('req-expired');
    expect(
      await t.service.store.callbackRequests.deliveryState({
        stackId: request().StackId,
        requestId: 'req-expired',
        logicalResourceId: request().LogicalResourceId,
      }),
    ).toBe('undelivered');
  });

  /**
   * Runs `body` against the HTTP app on its own port, its SNS verifier trusting one topic and only a test
   * signer's certificate; `post` delivers a custom-resource request as a Notification signed by that signer.
   * PUTs to ResponseURLs are answered 200 and recorded in `puts`.
   */
  async function withSignedCallbackRoute(
    puts: Put[],
    body: (route: {
      post(message: CustomResourceRequest, id: string): Promise<Response>;
      background: { idle(): Promise<unknown> };
    }) => Promise<void>,
  ): Promise<void> {
    const { buildApp } = await import('../src/http/build-app.ts');
    const { createSnsMessageVerifier } = await import('../src/aws/verify-sns-message.ts');
    const { startSnsSigner } = await import('./sns-signer.ts');
    const signer = await startSnsSigner();
    const topicArn = 'arn:aws:sns:us-east-1:111111111111:t';
    const { app, background } = await buildApp({
      deps: {
        ...t.service.deps,
        snsMessages: createSnsMessageVerifier({
          topicArns: () => [topicArn],
          isTrustedCertificateUrl: (u) => u.href.startsWith(signer.origin),
        }),
      },
      fetchPort: answering(puts, 200),
    });
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address() as { port: number };
      const post = (message: CustomResourceRequest, id: string) =>
        fetch(`http://127.0.0.1:${address.port}/v1/callbacks/cloudformation`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain; charset=UTF-8' },
          body: JSON.stringify(
            signer.sign({
              Type: 'Notification',
              MessageId: id,
              TopicArn: topicArn,
              Timestamp: new Date().toISOString(),
              Message: JSON.stringify({ ...message, ServiceToken: topicArn }),
            }),
          ),
        });
      await body({ post, background });
    } finally {
      await app.close();
      await signer.close();
    }
  }

  it("over HTTP: a signed message reusing a delivered request's key with another ResponseURL is answered 409 to SNS and nothing is PUT", async () => {
    const puts: Put[] = [];
    await withSignedCallbackRoute(puts, async ({ post, background }) => {
      const genuine = request({ RequestId: 'req-http-same-key' });
      expect((await post(genuine, 'm-1')).status).toBe(202);
      await background.idle();
      expect(puts).toHaveLength(1);
      // The same request delivered again is accepted and re-sends the stored answer to its own URL.
      expect((await post(genuine, 'm-2')).status).toBe(202);
      await background.idle();
      expect(puts).toHaveLength(2);
      const forged = request({
        RequestId: 'req-http-same-key',
        ResponseURL: 'https://attacker-bucket.s3.amazonaws.com/x?X-Amz-Signature=y',
        props: { ConnectionId: 'con_other' },
      });
      const refused = await post(forged, 'm-3');
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('CONFLICT');
      await background.idle();
      expect(puts.map((p) => new URL(p.url).hostname)).toEqual(
        Array(2).fill('cloudformation-custom-resource-response-useast1.s3.amazonaws.com'),
      );
    });
  });

  it('over HTTP: a signed message whose StackId, RequestId or LogicalResourceId holds a NUL or is oversized is 400 INVALID_INPUT naming the field (not a 500 from the store), and nothing is claimed or PUT', async () => {
    const puts: Put[] = [];
    await withSignedCallbackRoute(puts, async ({ post, background }) => {
      const stackArn =
        'arn:aws:cloudformation:us-east-1:222222222222:stack/victim/0f4a1c2e-1111-2222-3333-444455556666';
      const attacks: Array<[string, Partial<CustomResourceRequest>]> = [
        ['RequestId', { RequestId: 'req-nul\u0000x' }],
        ['StackId', { StackId: `${stackArn}\u0000` }],
        ['LogicalResourceId', { RequestId: 'req-ctl', LogicalResourceId: 'Connect\u0007' }],
        // Incompressible and over PostgreSQL's 2704-byte btree row: random-looking text, and 4-byte characters.
        [
          'StackId',
          {
            RequestId: 'req-big-stack',
            StackId: Array.from({ length: 400 }, (_, i) => (i * 7919).toString(36))
              .join('')
              .padEnd(3000, 'q'),
          },
        ],
        ['RequestId', { RequestId: '\u{1F600}'.repeat(700) }],
        ['LogicalResourceId', { RequestId: 'req-big-logical', LogicalResourceId: 'L'.repeat(256) }],
      ];
      for (const [i, [field, overrides]] of attacks.entries()) {
        const answer = await post(request(overrides), `m-bad-${i}`);
        expect(answer.status, field).toBe(400);
        const error = ((await answer.json()) as { error: { code: string; field?: string } }).error;
        expect(error.code).toBe('INVALID_INPUT');
        expect(error.field).toBe(field);
      }
      await background.idle();
      expect(puts).toHaveLength(0);
      // At the limits, a request is taken (claimed and answered).
      const atLimit = await post(
        request({ RequestId: 'r'.repeat(256), LogicalResourceId: 'L'.repeat(255) }),
        'm-limit',
      );
      expect(atLimit.status).toBe(202);
      await background.idle();
      expect(puts).toHaveLength(1);
    });
  });
});
