import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { isTrustgateError, type TrustgateError } from '@trustgate/core';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { assumeRoleForRun, type AssumeForRunInput, type AssumedSession } from '../src/aws/assume-for-run.ts';
import { sharedClientOptions, type AwsCredentials, type StsPort } from '../src/aws/aws-clients.ts';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import type { RetryOptions } from '../src/aws/retry-with-backoff.ts';
import { createStsPacer, type StsPacer } from '../src/aws/sts-pacer.ts';
import type { CachedSession } from '../src/cache/credential-cache.ts';

/**
 * assumeRoleForRun against the sandbox's STS over HTTP + SigV4, with its fault injection. The SDK's own retries are
 * off (`maxAttempts: 1`) and every send is counted, so what is counted is each HTTP call the sandbox answered;
 * retries do not really wait (an injected sleep), and each attempt is given up after 300 ms.
 */
describe('assumeRoleForRun against the sandbox', () => {
  let sandbox: Sandbox;
  let platform: Sandbox['accounts'][number];
  let customer: Sandbox['accounts'][number];
  let platformCredentials: AwsCredentials;
  let sends = 0;
  let sts: StsPort;
  const creds = (a: Sandbox['accounts'][number]) => ({
    accessKeyId: a.accessKeyId,
    secretAccessKey: a.secretAccessKey,
  });
  const externalId = `${randomUUID()}@web@read`;
  let roleArn: string;
  let taggableRoleArn: string;

  /** An STS port as the platform, counting each call it sends. */
  const countingSts = (credentials: AwsCredentials, endpoint = sandbox.endpoint): StsPort => {
    const client = new STSClient({
      region: sandbox.region,
      credentials,
      ...sharedClientOptions({ endpoint, maxAttempts: 1, requestTimeoutMs: 300 }),
    });
    return {
      send: ((...args: Parameters<StsPort['send']>) => {
        sends++;
        return client.send(...args);
      }) as StsPort['send'],
    };
  };

  const trust = (actions: string[]) =>
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${platform.accountId}:root` },
          Action: actions,
          Condition: { StringEquals: { 'sts:ExternalId': externalId } },
        },
      ],
    });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2 });
    [platform, customer] = sandbox.accounts as [typeof platform, typeof customer];
    platformCredentials = (
      await createPlatformUser({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        adminCredentials: creds(platform),
      })
    ).credentials;
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: creds(customer) });
    await iam.send(new CreateRoleCommand({ RoleName: 'Deploy', AssumeRolePolicyDocument: trust(['sts:AssumeRole']) }));
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'DeployTagged',
        AssumeRolePolicyDocument: trust(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']),
      }),
    );
    roleArn = `arn:aws:iam::${customer.accountId}:role/Deploy`;
    taggableRoleArn = `arn:aws:iam::${customer.accountId}:role/DeployTagged`;
    sts = countingSts(platformCredentials);
  });
  afterEach(() => {
    sandbox?.faults.clear();
    sends = 0;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const input = (o: Partial<AssumeForRunInput> = {}): AssumeForRunInput => ({
    roleArn,
    externalId,
    sessionName: 'tg-web-read-run-42',
    durationSeconds: 900,
    ...o,
  });
  /** A pacer that starts everything at once and records the keys it was asked under. */
  const recordingPacer = (): StsPacer & { keys: string[] } => {
    const inner = createStsPacer({ ratePerSecond: 1_000, burst: 1_000 });
    const keys: string[] = [];
    return { keys, run: (key, fn, signal) => (keys.push(key), inner.run(key, fn, signal)) };
  };
  const retries = (o: RetryOptions = {}): RetryOptions & { waits: number[] } => {
    const waits: number[] = [];
    return { maxAttempts: 4, waits, sleep: async (ms) => void waits.push(ms), ...o };
  };
  /** The TrustgateError `work` rejects with. */
  const failure = async (work: Promise<unknown>): Promise<TrustgateError> => {
    const error = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isTrustgateError(error)) throw new Error(`expected a TrustgateError, got ${String(error)}`);
    return error;
  };
  /** Nothing secret in what an error says. */
  const expectNoSecret = (error: TrustgateError) => {
    const said = `${error.message} ${JSON.stringify(error.details)} ${String(error.cause)}`;
    for (const secret of [platformCredentials.secretAccessKey, customer.secretAccessKey, platform.secretAccessKey])
      expect(said.includes(secret)).toBe(false);
  };

  it('returns a session that works, as the run, paced once under the pace key', async () => {
    const pacer = recordingPacer();
    const before = Date.now();
    const session = await assumeRoleForRun(sts, input(), { pacer, paceKey: 'platform@us-east-1', retry: retries() });
    expectTypeOf(session).toEqualTypeOf<AssumedSession>();
    expectTypeOf<AssumedSession>().toEqualTypeOf<CachedSession>(); // the cache stores it as it is
    expect(sends).toBe(1);
    expect(pacer.keys).toEqual(['platform@us-east-1']);
    expect(session.assumedRoleArn).toBe(`arn:aws:sts::${customer.accountId}:assumed-role/Deploy/tg-web-read-run-42`);
    expect(session.sessionName).toBe('tg-web-read-run-42');
    expect(Date.parse(session.issuedAt)).toBeGreaterThanOrEqual(before - 1);
    expect(Date.parse(session.expiration) - Date.parse(session.issuedAt)).toBeGreaterThan(890_000);
    expect(Date.parse(session.expiration) - Date.parse(session.issuedAt)).toBeLessThanOrEqual(901_000);
    const asRun = new STSClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: {
        accessKeyId: session.accessKeyId,
        secretAccessKey: session.secretAccessKey,
        sessionToken: session.sessionToken,
      },
    });
    expect((await asRun.send(new GetCallerIdentityCommand({}))).Arn).toBe(session.assumedRoleArn);
  });

  it('passes the session policy, source identity and tags to STS', async () => {
    const session = await assumeRoleForRun(
      sts,
      input({
        roleArn: taggableRoleArn,
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:GetCallerIdentity', Resource: '*' }],
        }),
        sourceIdentity: 'alice@example.com',
        tags: { 'trustgate:stack': 'web', 'trustgate:phase': 'read' },
        transitiveTagKeys: ['trustgate:stack'],
      }),
      { pacer: recordingPacer(), paceKey: 'p', retry: retries() },
    );
    expect(session.assumedRoleArn).toContain(':assumed-role/DeployTagged/');
    // The role without sts:TagSession refuses tags at once.
    const refused = await failure(
      assumeRoleForRun(sts, input({ tags: { 'trustgate:stack': 'web' } }), {
        pacer: recordingPacer(),
        paceKey: 'p',
        retry: retries(),
      }),
    );
    expect(refused.code).toBe('ROLE_REFUSED');
    expect(refused.message).toContain('sts:TagSession');
  });

  it.each([
    ['throttled twice (Throttling)', [{ kind: 'throttle' as const, count: 2 }], 3],
    ['a 500 then a timeout', [{ kind: 'server-error' as const }, { kind: 'timeout' as const }], 3],
  ])('retries and recovers when %s', async (_name, faults, calls) => {
    for (const f of faults) sandbox.faults.inject({ service: 'sts', action: 'AssumeRole', ...f });
    const pacer = recordingPacer();
    const retry = retries();
    const session = await assumeRoleForRun(sts, input(), { pacer, paceKey: 'p', retry });
    expect(session.accessKeyId).toMatch(/^ASIA/);
    expect(sends).toBe(calls);
    expect(pacer.keys).toHaveLength(calls); // every attempt is paced
    expect(retry.waits).toHaveLength(calls - 1);
  });

  it('is CREDENTIALS_UNAVAILABLE once the retries are spent, and says nothing secret', async () => {
    sandbox.faults.inject({ service: 'sts', action: 'AssumeRole', kind: 'throttle', count: Infinity });
    const retry = retries({ maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 250, jitter: false });
    const error = await failure(assumeRoleForRun(sts, input(), { pacer: recordingPacer(), paceKey: 'p', retry }));
    expect(error.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(error.httpStatus).toBe(503);
    expect(error.message).toContain('Throttling');
    expect(error.details).toMatchObject({ roleArn, attempts: 3, awsError: 'Throttling' });
    expect(sends).toBe(3);
    expect(retry.waits).toEqual([100, 200]); // capped exponential backoff
    expectNoSecret(error);
  });

  it('a refused external ID is ROLE_REFUSED on the first attempt, with what to change', async () => {
    const error = await failure(
      assumeRoleForRun(sts, input({ externalId: `${externalId}-wrong` }), {
        pacer: recordingPacer(),
        paceKey: 'p',
        retry: retries(),
      }),
    );
    expect(error.code).toBe('ROLE_REFUSED');
    expect(error.httpStatus).toBe(422);
    expect(sends).toBe(1);
    expect(error.message).toMatch(/AccessDenied/);
    expect(error.message).toMatch(/trust policy/);
    expect(error.message).toMatch(/external ID/);
    expectNoSecret(error);
  });

  it('a role that does not exist, and a session longer than the role allows, are ROLE_REFUSED at once', async () => {
    const missing = await failure(
      assumeRoleForRun(sts, input({ roleArn: `arn:aws:iam::${customer.accountId}:role/Gone` }), {
        pacer: recordingPacer(),
        paceKey: 'p',
        retry: retries(),
      }),
    );
    expect(missing.code).toBe('ROLE_REFUSED');
    expect(missing.message).toContain('role still exists');
    const tooLong = await failure(
      assumeRoleForRun(sts, input({ durationSeconds: 7_200 }), {
        pacer: recordingPacer(),
        paceKey: 'p',
        retry: retries(),
      }),
    );
    expect(tooLong.code).toBe('ROLE_REFUSED');
    expect(tooLong.message).toContain('MaxSessionDuration');
    expect(sends).toBe(2);
  });

  it("STS refusing trustgate's own credentials is AWS_ERROR, not the customer's role, not retried", async () => {
    const wrongSecret = `${platformCredentials.secretAccessKey.slice(0, -4)}XXXX`;
    const badSts = countingSts({ accessKeyId: platformCredentials.accessKeyId, secretAccessKey: wrongSecret });
    const error = await failure(
      assumeRoleForRun(badSts, input(), { pacer: recordingPacer(), paceKey: 'p', retry: retries() }),
    );
    expect(error.code).toBe('AWS_ERROR');
    expect(sends).toBe(1);
    expect(`${error.message} ${JSON.stringify(error.details)}`.includes(wrongSecret)).toBe(false);
    expectNoSecret(error);
  });

  it('a network error (connection refused) is retried, then CREDENTIALS_UNAVAILABLE', async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const nowhere = countingSts(platformCredentials, `http://127.0.0.1:${closed}`);
    const retry = retries({ maxAttempts: 3 });
    const error = await failure(assumeRoleForRun(nowhere, input(), { pacer: recordingPacer(), paceKey: 'p', retry }));
    expect(error.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(sends).toBe(3);
    expectNoSecret(error);
  });

  it('an abort ends the retries: CREDENTIALS_UNAVAILABLE', async () => {
    sandbox.faults.inject({ service: 'sts', action: 'AssumeRole', kind: 'throttle', count: Infinity });
    const stop = new AbortController();
    const retry = retries({
      maxAttempts: 10,
      signal: stop.signal,
      onRetry: ({ attempt }) => {
        if (attempt === 2) stop.abort();
      },
    });
    const error = await failure(assumeRoleForRun(sts, input(), { pacer: recordingPacer(), paceKey: 'p', retry }));
    expect(error.code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(sends).toBe(2);
  });
});
