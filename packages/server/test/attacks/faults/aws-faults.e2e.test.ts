import { AttachRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultKind, FaultRule } from '@trustgate/sandbox';
import { localCredentialCache } from '../../../src/cache/local-credential-cache.ts';
import { createTrustgateService, type TrustgateService } from '../../../src/create-service.ts';
import { startBrokerEnv, type BrokerEnv } from '../../issuance-harness.ts';
import type { ApiResponse } from '../../service-harness.ts';
import { openSharedTestDatabase, type SharedTestDatabase } from '../../test-stores.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/** A fault of AWS: one of the sandbox's kinds, or the endpoint down (the proxy in front of it cut). */
type AwsFault = FaultKind | 'down';
const FAULTS: AwsFault[] = ['throttle', 'server-error', 'timeout', 'down'];

/** Cases tried and failed, printed at the end (the README's figures). */
const tally = { cases: 0, failures: 0 };

/**
 * AWS failing (issue 16, "Faults"): STS and IAM throttled, answering 5xx, never answering, or the endpoint down.
 * The service under test reaches the sandbox through a TCP proxy (cut for "down"), with the SDK's own retries off and
 * each attempt given up after 300 ms; it shares its SQLite file with the harness's service, which set up a connected
 * connection. Proven, for every fault:
 * - verification of a connected connection gives no verdict (502 AWS_ERROR): the connection stays connected with its
 *   reason, whichever call failed (AssumeRole and its probes, GetCallerIdentity with the role's session, the IAM
 *   reads of the role's policies), rather than a wrong one (broken, insecure, needs-update);
 * - the broker serves a still-valid cached session (from the cache, and stale once its refresh fails), and once
 *   nothing valid is left answers 503 CREDENTIALS_UNAVAILABLE with a message and no credentials.
 * aws-timeouts and verify-probes-fail-closed cover a pending connection; issuance.e2e STS throttled for one key.
 */
describe('AWS throttled, failing, hanging and down', () => {
  let db: SharedTestDatabase;
  let env: BrokerEnv;
  let proxy: TcpProxy;
  let service: TrustgateService;
  let url = '';
  let issuer = '';
  let conn: Awaited<ReturnType<BrokerEnv['connect']>>;
  /** How far the tested service's cache clock is ahead of the wall clock. */
  let aheadMs = 0;

  beforeAll(async () => {
    db = openSharedTestDatabase('sqlite', 'tg-aws-faults-');
    env = await startBrokerEnv({ dialect: 'sqlite', service: { ...db.config } });
    conn = await env.connect('faults');
    // The managed policies the deliverables ask for too, so the connection is connected (the verdict to keep).
    const deliverables = await env.api('GET', `/v1/connections/${conn.id}/deliverables`, { token: env.adminToken });
    for (const arn of deliverables.body.managedPolicyArns as string[])
      await env.iamOf(env.customer).send(new AttachRolePolicyCommand({ RoleName: conn.roleName, PolicyArn: arn }));
    const verified = await env.api('POST', `/v1/connections/${conn.id}/verify`, {
      token: env.adminToken,
      body: { roleArn: conn.roleArn },
    });
    expect(verified.body.status, verified.text).toBe('connected');
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(env.sandbox.endpoint).port) });
    const aws = env.config.partitions.aws!;
    service = await createTrustgateService({
      ...env.config,
      logger: false,
      partitions: {
        aws: { ...aws, endpoint: `http://${proxy.host}:${proxy.port}`, requestTimeoutMs: 300, maxAttempts: 1 },
      },
      credentialCache: localCredentialCache({ now: () => Date.now() + aheadMs }),
      broker: {
        // A 900 s session is refreshed once 14 min or less are left, and served stale while more than 1 min is.
        loadPolicy: { refreshAheadMs: 14 * 60_000, minRemainingMs: 60_000 },
        stsRetry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 20, jitter: false },
        targetCacheMs: 0,
      },
    });
    url = await service.listen({ port: 0 });
    issuer = (await env.token({ scopes: ['credentials:issue'] })).secret;
  });
  afterAll(async () => {
    env?.setFaults([]);
    await service?.close();
    await proxy?.close();
    await env?.close();
    await db?.remove();
    console.log(`AWS faults: ${tally.cases} cases, ${tally.failures} failures`);
  });

  /** A call to the service under test (through whose proxy AWS is reached). */
  async function api(method: string, path: string, token: string, body?: unknown): Promise<ApiResponse> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text), text, headers: res.headers };
  }

  /** Runs `check` with `fault` in force on the calls `rules` name (or the endpoint cut), counting the case. */
  async function under<T>(fault: AwsFault, rules: Omit<FaultRule, 'kind'>[], check: () => Promise<T>): Promise<T> {
    tally.cases += 1;
    if (fault === 'down') proxy.cut();
    else env.setFaults(rules.map((r) => ({ ...r, kind: fault, count: Infinity })));
    try {
      return await check();
    } catch (error) {
      tally.failures += 1;
      throw error;
    } finally {
      proxy.restore();
      env.setFaults([]);
    }
  }

  const targets: Array<{ name: string; rules: Omit<FaultRule, 'kind'>[] }> = [
    { name: 'STS AssumeRole (the assume and its probes)', rules: [{ service: 'sts', action: 'AssumeRole' }] },
    { name: "STS GetCallerIdentity with the role's session", rules: [{ service: 'sts', action: 'GetCallerIdentity' }] },
    { name: "IAM's reads of the role's policies", rules: [{ service: 'iam', action: '*' }] },
  ];
  const verifyCases = [
    ...targets.flatMap((t) =>
      (['throttle', 'server-error', 'timeout'] as const).map((fault) => ({ fault, target: t.name, rules: t.rules })),
    ),
    { fault: 'down' as const, target: 'every AWS endpoint', rules: [] },
  ];

  it.each(verifyCases)(
    'verification with $target answering $fault: 502 AWS_ERROR, the connection stays connected',
    async ({ fault, rules }) => {
      const before = await api('GET', `/v1/connections/${conn.id}`, env.adminToken);
      expect(before.body.status).toBe('connected');
      const res = await under(fault, rules, async () => {
        const answered = await api('POST', `/v1/connections/${conn.id}/verify`, env.adminToken, {
          roleArn: conn.roleArn,
        });
        expect(answered.status, answered.text).toBe(502);
        expect(answered.body.error.code).toBe('AWS_ERROR');
        expect(answered.body.error.message.length).toBeGreaterThan(20);
        const after = await api('GET', `/v1/connections/${conn.id}`, env.adminToken);
        expect(after.body.status).toBe('connected');
        expect(after.body.statusReason).toBe(before.body.statusReason);
        return answered;
      });
      expect(res.text).not.toMatch(/secretAccessKey|sessionToken/i);
    },
  );

  it('verification with AWS answering again: 200 connected (the faults above were what refused it)', async () => {
    const res = await api('POST', `/v1/connections/${conn.id}/verify`, env.adminToken, { roleArn: conn.roleArn });
    expect(res.status, res.text).toBe(200);
    expect(res.body.status, res.body.statusReason).toBe('connected');
  });

  const issue = (stack: string, runId: string) => api('POST', '/v1/issuances', issuer, { stack, phase: 'read', runId });

  it.each(FAULTS)(
    'with STS answering %s, the broker serves the valid cached session, then stale, then a clear 503',
    async (fault) => {
      await env.attach(await env.stack(`cached-${fault}`), conn.id, { durationSeconds: 900, sessionMode: 'shared' });
      await env.attach(await env.stack(`new-${fault}`), conn.id, { durationSeconds: 900, sessionMode: 'shared' });
      const first = await issue(`cached-${fault}`, 'r0');
      expect(first.status, first.text).toBe(201);
      expect(first.body.source).toBe('sts');
      const key = first.body.credentials.accessKeyId;
      const sts = [{ service: 'sts', action: 'AssumeRole' }];
      try {
        const cached = await under(fault, sts, () => issue(`cached-${fault}`, 'r1'));
        expect(cached.status, cached.text).toBe(201);
        expect(cached.body).toMatchObject({ source: 'cache', credentials: { accessKeyId: key } });

        aheadMs = 2 * 60_000; // 13 min left: due for a refresh, which fails
        const stale = await under(fault, sts, () => issue(`cached-${fault}`, 'r2'));
        expect(stale.status, stale.text).toBe(201);
        expect(stale.body).toMatchObject({ source: 'stale-cache', credentials: { accessKeyId: key } });

        aheadMs = 14.5 * 60_000; // 30 s left: too little to hand out
        for (const [stack, what] of [
          [`cached-${fault}`, 'an expiring session'],
          [`new-${fault}`, 'no session'],
        ] as const) {
          const none = await under(fault, sts, () => issue(stack, 'r3'));
          expect(none.status, `${what}: ${none.text}`).toBe(503);
          expect(none.body.error.code).toBe('CREDENTIALS_UNAVAILABLE');
          expect(none.body.error.message).toMatch(/STS|AssumeRole/);
          expect(none.body.credentials).toBeUndefined();
        }
      } finally {
        aheadMs = 0;
      }
      const back = await issue(`new-${fault}`, 'r4');
      expect(back.status, back.text).toBe(201);
    },
  );
});
