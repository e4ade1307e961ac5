import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuanceSeries } from '../src/app/broker/stack-issuances.ts';
import { startBrokerEnv, type BrokerEnv } from './issuance-harness.ts';
import { DIALECTS } from './test-stores.ts';

/**
 * The stack page's routes (issue 14) against the sandbox, whose STS enforces the ExternalId condition: the example
 * trust statement of a stack and phase is the one that admits exactly that stack's runs in that phase (a role whose
 * trust policy is that statement alone serves them and refuses another phase and another stack), and a stack's
 * issuances come from the audit log with their cache hits counted per bucket of time.
 */
describe.each(DIALECTS)('stack trust statement and issuances on %s', (dialect) => {
  let env: BrokerEnv;
  let scoped: Awaited<ReturnType<BrokerEnv['connect']>>;
  let exact: Awaited<ReturnType<BrokerEnv['connect']>>;
  let app: string;
  let other: string;
  const api = (method: string, path: string, body?: unknown) =>
    env.api(method, path, { token: env.adminToken, ...(body === undefined ? {} : { body }) });
  const statementOf = (stackId: string, body: Record<string, unknown>) =>
    api('POST', `/v1/stacks/${stackId}/trust-statement`, body);
  const issue = (stack: string, phase: string, runId: string) =>
    api('POST', '/v1/issuances', { stack, phase, runId, connectionId: scoped.id });

  beforeAll(async () => {
    env = await startBrokerEnv({ dialect });
    scoped = await env.connect('scoped', undefined, { externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] } });
    exact = await env.connect('exact');
    for (const slug of ['app', 'other']) {
      const made = await api('POST', '/v1/stacks', { slug, name: slug });
      expect(made.status, made.text).toBe(201);
      const attached = await api('POST', `/v1/stacks/${made.body.id}/attachments`, {
        connectionId: scoped.id,
        phases: ['read', 'write'],
      });
      expect(attached.status, attached.text).toBe(201);
      if (slug === 'app') app = made.body.id;
      else other = made.body.id;
    }
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  it('issuances: listed newest first from the audit log, with sts and cache sources, and counted per bucket', async () => {
    const empty = await api('GET', `/v1/stacks/${app}/issuances`);
    expect(empty.status, empty.text).toBe(200);
    expect(empty.body.issuances).toEqual([]);
    expect(empty.body.series.bucketSeconds).toBe(3600);
    expect(empty.body.series.buckets).toHaveLength(24);
    expect(empty.body.series.buckets.every((b: { issued: number }) => b.issued === 0)).toBe(true);

    const first = await issue('app', 'read', 'run-1');
    expect(first.status, first.text).toBe(201);
    expect(first.body.source).toBe('sts');
    const again = await issue('app', 'read', 'run-1');
    expect(again.body.source).toBe('cache');
    expect((await issue('other', 'write', 'run-9')).status).toBe(201);

    const res = await api('GET', `/v1/stacks/${app}/issuances?hours=6`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.issuances.map((i: { runId: string; source: string }) => [i.runId, i.source])).toEqual([
      ['run-1', 'cache'],
      ['run-1', 'sts'],
    ]);
    expect(res.body.issuances[0]).toMatchObject({
      phase: 'read',
      connectionId: scoped.id,
      accountId: env.customer.accountId,
      sessionMode: 'per-run',
      via: 'api',
      assumeOnWorker: false,
    });
    expect(JSON.stringify(res.body)).not.toContain(first.body.credentials.secretAccessKey);
    expect(res.body.series.bucketSeconds).toBe(600);
    const counted = res.body.series.buckets.filter((b: { issued: number }) => b.issued > 0);
    const total = counted.reduce((n: number, b: { issued: number }) => n + b.issued, 0);
    const hits = counted.reduce((n: number, b: { cacheHits: number }) => n + b.cacheHits, 0);
    expect([total, hits]).toEqual([2, 1]);
    expect(res.body.truncated).toBe(false);
    const otherStack = await api('GET', `/v1/stacks/${other}/issuances`);
    expect(otherStack.body.issuances.map((i: { runId: string }) => i.runId)).toEqual(['run-9']);

    for (const hours of ['0', '169', 'x']) {
      const bad = await api('GET', `/v1/stacks/${app}/issuances?hours=${hours}`);
      expect(bad.status, hours).toBe(400);
      expect(bad.body.error.field).toBe('hours');
    }
    expect((await api('GET', '/v1/stacks/stk_nope/issuances')).status).toBe(404);
  });

  it('a member sees the issuances of connections they may see only, and a token without audit:read none', async () => {
    expect((await issue('app', 'read', 'run-member')).status).toBe(201);
    const user = await api('POST', '/v1/users', { email: 'dev@acme.test', name: 'Dev' });
    expect(user.status, user.text).toBe(201);
    const member = await env.token({ userId: user.body.id, scopes: ['connections:read', 'audit:read'] });
    const read = () =>
      env.api('GET', `/v1/stacks/${app}/issuances`, { token: member.secret }).then((r) => {
        expect(r.status, r.text).toBe(200);
        return r.body.issuances.map((i: { runId: string }) => i.runId) as string[];
      });
    expect(await read()).toEqual([]);
    const granted = await api('PUT', `/v1/connections/${scoped.id}/access/${user.body.id}`, { level: 'viewer' });
    expect(granted.status, granted.text).toBe(200);
    expect(await read()).toContain('run-member');
    const noAudit = await env.token({ userId: user.body.id, scopes: ['connections:read'] });
    const refused = await env.api('GET', `/v1/stacks/${app}/issuances`, { token: noAudit.secret });
    expect(refused.status, refused.text).toBe(403);
  });

  it('the scoped statement admits exactly the stack and phase: applied alone, other phases and stacks are refused', async () => {
    const res = await statementOf(app, { connectionId: scoped.id, phase: 'read' });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      stackId: app,
      connectionId: scoped.id,
      phase: 'read',
      trust: 'external-id',
      externalId: `${scoped.externalId}@app@read`,
      scopedToStack: true,
      notes: [],
    });
    expect(res.body.statement).toEqual({
      Sid: 'PlatformAssumeRole',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${env.platform.accountId}:root` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': `${scoped.externalId}@app@read` } },
    });
    expect(res.body.policy).toEqual({ Version: '2012-10-17', Statement: [res.body.statement] });

    await env.iamOf(env.customer).send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: scoped.roleName,
        PolicyDocument: JSON.stringify(res.body.policy),
      }),
    );
    const served = await issue('app', 'read', 'run-locked');
    expect(served.status, served.text).toBe(201);
    expect(served.body.source).toBe('sts');
    // STS itself refuses the rest: the statement admits no other phase and no other stack.
    for (const [stack, phase] of [
      ['app', 'write'],
      ['other', 'read'],
    ] as const) {
      const refused = await issue(stack, phase, `run-${stack}-${phase}`);
      expect(refused.status, refused.text).toBe(422);
      expect(refused.body.error.code).toBe('ROLE_REFUSED');
      expect(refused.body.error.message).toContain('AccessDenied');
    }
  });

  it('an exact connection: the one ID every run passes, with the note on how to lock the role to the stack', async () => {
    const res = await statementOf(other, { connectionId: exact.id, phase: 'write' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.externalId).toBe(exact.externalId);
    expect(res.body.scopedToStack).toBe(false);
    expect(res.body.statement.Condition).toEqual({ StringEquals: { 'sts:ExternalId': exact.externalId } });
    expect(res.body.notes[0]).toContain('externalIdTrust { kind: "scoped" }');
  });

  it("assume on worker with a custom external ID: that ID, the worker's principal to fill in", async () => {
    const res = await statementOf(app, {
      connectionId: scoped.id,
      phase: 'write',
      assumeOnWorker: true,
      customExternalId: 'tenant-worker-7',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.externalId).toBe('tenant-worker-7');
    expect(res.body.scopedToStack).toBe(false);
    expect(res.body.statement.Principal).toEqual({ AWS: 'arn:aws:iam::<WORKER_ACCOUNT_ID>:role/<worker-role-name>' });
    expect(res.body.statement.Condition).toEqual({ StringEquals: { 'sts:ExternalId': 'tenant-worker-7' } });
    expect(res.body.notes.join(' ')).toContain('does not verify');
  });

  it('bad input is a 4xx naming the field', async () => {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ connectionId: scoped.id, phase: 'plan' }, 400, 'phase'],
      [{ connectionId: scoped.id, phase: 'read', customExternalId: 'x-123456' }, 400, 'customExternalId'],
      [
        { connectionId: scoped.id, phase: 'read', assumeOnWorker: true, customExternalId: 'a b' },
        400,
        'customExternalId',
      ],
      [{ connectionId: 'con_missing', phase: 'read' }, 404, 'connectionId'],
      [{ connectionId: scoped.id, phase: 'read', extra: 1 }, 400, 'extra'],
    ];
    for (const [body, status, field] of cases) {
      const res = await statementOf(app, body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.field, res.text).toBe(field);
    }
    expect((await statementOf('stk_missing', { connectionId: scoped.id, phase: 'read' })).status).toBe(404);
  });
});

describe('issuanceSeries', () => {
  it('buckets issuances and cache hits from since to the bucket of now, ignoring those outside', () => {
    const since = new Date('2026-01-01T00:00:00.000Z');
    const now = new Date('2026-01-01T02:30:00.000Z');
    const at = (iso: string, source: 'sts' | 'cache' | 'stale-cache' | null) => ({ at: iso, source });
    expect(
      issuanceSeries(
        [
          at('2025-12-31T23:59:59.000Z', 'sts'),
          at('2026-01-01T00:10:00.000Z', 'sts'),
          at('2026-01-01T00:20:00.000Z', 'cache'),
          at('2026-01-01T02:00:00.000Z', 'stale-cache'),
          at('2026-01-01T02:05:00.000Z', null),
        ],
        since,
        now,
        3600,
      ),
    ).toEqual([
      { start: '2026-01-01T00:00:00.000Z', issued: 2, cacheHits: 1 },
      { start: '2026-01-01T01:00:00.000Z', issued: 0, cacheHits: 0 },
      { start: '2026-01-01T02:00:00.000Z', issued: 2, cacheHits: 1 },
    ]);
  });
});
