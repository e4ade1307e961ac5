import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from './test-stores.ts';
import { startBrokerEnv, type BrokerEnv } from './issuance-harness.ts';
import { createTrustgateService } from '../src/create-service.ts';

/**
 * `PATCH /v1/stacks/:id/attachments/:attachmentId` (issue 17) against the sandbox, on SQLite and PostgreSQL: a change
 * that asks the role for more is verified first and, refused, changes nothing; a narrowing keeps the stored proof;
 * the broker's memos (a minute's target memo here, so only the write epoch can invalidate it) serve the new
 * settings at the next issuance; bad input is a 4xx naming the field.
 */
describe.each(DIALECTS)('changing an attachment on %s', (dialect) => {
  let env: BrokerEnv;
  let stackId: string;
  let attachmentId: string;
  let connectionId: string;
  const path = () => `/v1/stacks/${stackId}/attachments/${attachmentId}`;
  const patch = (body: unknown, token = env.adminToken) => env.api('PATCH', path(), { token, body });
  const current = async () =>
    (await env.api('GET', `/v1/stacks/${stackId}/attachments`, { token: env.adminToken })).body[0];
  const updates = async () =>
    (await env.api('GET', `/v1/audit?connectionId=${connectionId}`, { token: env.adminToken })).body.filter(
      (e: { action: string }) => e.action === 'attachment.update',
    );
  const issue = (phase: string, runId: string) =>
    env.api('POST', '/v1/issuances', { token: env.adminToken, body: { stack: 'net', phase, runId } });

  beforeAll(async () => {
    env = await startBrokerEnv({ dialect, service: { broker: { targetCacheMs: 60_000 } } });
    // The role trusts only the read phase's scoped external ID: adding the write phase must fail its verification.
    const c = await env.connect('patched', undefined, {
      externalIdTrust: { kind: 'scoped', phases: ['read'] },
    });
    connectionId = c.id;
    const stack = await env.api('POST', '/v1/stacks', { token: env.adminToken, body: { slug: 'net', name: 'Net' } });
    stackId = stack.body.id;
    const attached = await env.api('POST', `/v1/stacks/${stackId}/attachments`, {
      token: env.adminToken,
      body: { connectionId, phases: ['read'], durationSeconds: 3600 },
    });
    expect(attached.status, attached.text).toBe(201);
    attachmentId = attached.body.id;
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a phase the role does not trust: 422 with the failed check and its fix; nothing stored, nothing audited', async () => {
    const before = await current();
    const calls = env.stsCalls();
    const res = await patch({ phases: ['read', 'write'], sessionMode: 'shared' });
    expect(res.status, res.text).toBe(422);
    expect(res.body.error.code).toBe('VERIFICATION_FAILED');
    expect(res.body.error.message).toContain('The attachment was not changed');
    const failed = res.body.error.details.checks.filter((c: { ok: boolean }) => !c.ok);
    expect(failed).toEqual([expect.objectContaining({ phase: 'write', accountId: env.customer.accountId })]);
    expect(failed[0].fixHint).toContain('externalIdTrust.phases');
    expect(env.stsCalls()).toBeGreaterThan(calls);
    expect(await current()).toEqual(before);
    expect(await updates()).toEqual([]);
  });

  it('the new settings are served at the next issuance; a narrowing keeps the proof without asking AWS', async () => {
    const first = await issue('read', 'run-1');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ sessionName: 'tg-net-run-1', durationSeconds: 3600 });
    const before = await current();

    const calls = env.stsCalls();
    const res = await patch({ sessionMode: 'shared', durationSeconds: 900 });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ sessionMode: 'shared', durationSeconds: 900, phases: ['read'] });
    expect(res.body.verification).toEqual(before.verification);
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
    expect(env.stsCalls()).toBe(calls);
    expect(await current()).toEqual(res.body);

    const second = await issue('read', 'run-2');
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ sessionName: 'tg-net-read', durationSeconds: 900 });
    expect(second.body.credentials.accessKeyId).not.toBe(first.body.credentials.accessKeyId);

    const [audit] = await updates();
    expect(audit.details).toMatchObject({
      attachmentId,
      reverified: false,
      changed: {
        sessionMode: { from: 'per-run', to: 'shared' },
        durationSeconds: { from: 3600, to: 900 },
      },
    });
    expect(Object.keys(audit.details.changed).sort()).toEqual(['durationSeconds', 'sessionMode']);

    const same = await patch({ sessionMode: 'shared' });
    expect(same.status).toBe(200);
    expect(same.body.updatedAt).toBe(res.body.updatedAt);
    expect(await updates()).toHaveLength(1);
  });

  it('a longer duration and another region are verified again, then served', async () => {
    const before = await current();
    const calls = env.stsCalls();
    const res = await patch({ durationSeconds: 1800, region: 'eu-west-1' });
    expect(res.status, res.text).toBe(200);
    expect(env.stsCalls()).toBeGreaterThan(calls);
    expect(res.body.verification.checks).toEqual([
      expect.objectContaining({ accountId: env.customer.accountId, phase: 'read', ok: true }),
    ]);
    expect(res.body.verification.at >= before.verification.at).toBe(true);
    const issued = await issue('read', 'run-3');
    expect(issued.status).toBe(201);
    expect(issued.body).toMatchObject({ region: 'eu-west-1', durationSeconds: 1800 });
    const audit = (await updates())[0];
    expect(audit.details.reverified).toBe(true);
  });

  it('bad input is a 4xx naming the field, and changes nothing', async () => {
    const before = await current();
    const cases: [unknown, number, string][] = [
      [{ durationSeconds: 100 }, 400, 'durationSeconds'],
      [{ phases: [] }, 400, 'phases'],
      [{ phases: ['deploy'] }, 400, 'phases.0'],
      [{ connectionId: 'con_other' }, 400, 'connectionId'],
      [{ accountIds: ['999999999999'] }, 400, 'accountIds[0]'],
      [{ region: 'mars-1' }, 400, 'region'],
      [{ customExternalId: 'tenant-chosen' }, 400, 'customExternalId'],
      [{ readOnlySessionPolicy: 'yes' }, 400, 'readOnlySessionPolicy'],
    ];
    for (const [body, status, field] of cases) {
      const res = await patch(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.field, JSON.stringify(body)).toBe(field);
    }
    const other = await env.api('PATCH', `/v1/stacks/${stackId}/attachments/att_nope`, {
      token: env.adminToken,
      body: { durationSeconds: 900 },
    });
    expect(other.status).toBe(404);
    const readOnly = await env.token({ scopes: ['connections:read'] });
    expect((await patch({ durationSeconds: 900 }, readOnly.secret)).status).toBe(403);
    expect(await current()).toEqual(before);
  });

  it('a phase removed is refused at the next issuance at once', async () => {
    const both = await env.api('POST', '/v1/stacks', { token: env.adminToken, body: { slug: 'web', name: 'Web' } });
    const c = await env.connect('both');
    const attached = await env.api('POST', `/v1/stacks/${both.body.id}/attachments`, {
      token: env.adminToken,
      body: { connectionId: c.id, phases: ['read', 'write'] },
    });
    expect(attached.status, attached.text).toBe(201);
    const write = () =>
      env.api('POST', '/v1/issuances', { token: env.adminToken, body: { stack: 'web', phase: 'write', runId: 'r' } });
    expect((await write()).status).toBe(201);
    const res = await env.api('PATCH', `/v1/stacks/${both.body.id}/attachments/${attached.body.id}`, {
      token: env.adminToken,
      body: { phases: ['read'] },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.verification.checks.map((check: { phase: string }) => check.phase)).toEqual(['read']);
    const refused = await write();
    expect(refused.status).toBe(403);
    expect(refused.body.error.field).toBe('phase');
  });
});

describe('an attachment changed through another instance', () => {
  let env: BrokerEnv;
  afterAll(async () => {
    await env?.close();
  });

  it("the other instance's target memo (a minute's TTL) serves the new settings at its next issuance", async () => {
    env = await startBrokerEnv({ dialect: 'postgres', service: { broker: { targetCacheMs: 60_000 } } });
    const second = await createTrustgateService({ ...env.config, logger: false });
    try {
      const secondUrl = await second.listen({ port: 0 });
      const c = await env.connect('two');
      const stack = await env.stack('two');
      const attachment = await env.attach(stack, c.id, { phases: ['read'] });
      const issueAtSecond = async (runId: string) => {
        const res = await fetch(`${secondUrl}/v1/issuances`, {
          method: 'POST',
          headers: { authorization: `Bearer ${env.adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ stack: 'two', phase: 'read', runId }),
        });
        return { status: res.status, body: (await res.json()) as { sessionName: string; durationSeconds: number } };
      };
      expect((await issueAtSecond('a')).body.sessionName).toBe('tg-two-a');
      expect((await issueAtSecond('b')).body.sessionName).toBe('tg-two-b');
      const res = await env.api('PATCH', `/v1/stacks/${stack.id}/attachments/${attachment.id}`, {
        token: env.adminToken,
        body: { sessionMode: 'shared', durationSeconds: 1200 },
      });
      expect(res.status, res.text).toBe(200);
      const after = await issueAtSecond('c');
      expect(after.status).toBe(201);
      expect(after.body).toMatchObject({ sessionName: 'tg-two-read', durationSeconds: 1200 });
      const removed = await env.api('DELETE', `/v1/stacks/${stack.id}/attachments/${attachment.id}`, {
        token: env.adminToken,
      });
      expect(removed.status).toBe(200);
      expect((await issueAtSecond('d')).status).toBe(403);
    } finally {
      await second.close();
    }
  });
});
