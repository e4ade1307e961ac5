import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { startBrokerEnv, type BrokerEnv } from '../../issuance-harness.ts';

/**
 * The broker's half of the isolation matrix (issue 16): a stack with no attachment gets no credentials, an
 * attachment for the read phase serves no write, read credentials with the read-only session policy are refused
 * writes by the sandbox's IAM (which evaluates session policies as AWS does) while the same attachment's write
 * credentials are not, a read run token refreshes into read credentials only, and a role trusting only the read
 * phase's scoped external ID is refused a write by trustgate before STS and, were the record wrong, by STS itself.
 */
describe('a stack gets only the phases it is attached for', () => {
  let env: BrokerEnv;
  let connectionId: string;
  const tried = { cases: 0, refused: 0 };
  beforeAll(async () => {
    env = await startBrokerEnv({ dialect: 'sqlite' });
    connectionId = (await env.connect('main')).id;
    for (const slug of ['bare', 'plan', 'both']) {
      const res = await env.api('POST', '/v1/stacks', { token: env.adminToken, body: { slug, name: slug } });
      expect(res.status, res.text).toBe(201);
    }
    const attach = async (slug: string, body: Record<string, unknown>) => {
      const stack = (await env.api('GET', '/v1/stacks', { token: env.adminToken })).body.find(
        (s: { slug: string }) => s.slug === slug,
      );
      const res = await env.api('POST', `/v1/stacks/${stack.id}/attachments`, { token: env.adminToken, body });
      expect(res.status, res.text).toBe(201);
    };
    await attach('plan', { connectionId, phases: ['read'] });
    await attach('both', { connectionId, phases: ['read', 'write'], readOnlySessionPolicy: true });
  }, 60_000);
  afterAll(async () => {
    console.log(`issuance phases: ${tried.cases} cases tried, ${tried.refused} refused correctly`);
    await env?.close();
  });

  const issue = (stack: string, phase: 'read' | 'write', extra: Record<string, unknown> = {}) =>
    env.api('POST', '/v1/issuances', {
      token: env.adminToken,
      body: { stack, phase, runId: `run-${phase}`, ...extra },
    });

  /** CreateRole with the credentials of an issuance: what AWS answers a write. */
  const tryWrite = async (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) => {
    const iam = new IAMClient({ endpoint: env.sandbox.endpoint, region: env.sandbox.region, credentials });
    try {
      await iam.send(
        new CreateRoleCommand({
          RoleName: `w-${Math.random().toString(36).slice(2, 8)}`,
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      return 'written';
    } catch (error) {
      return (error as { name?: string }).name ?? 'error';
    }
  };

  it('a stack with no attachment gets no credentials for either phase, and STS is never asked', async () => {
    const calls = env.stsCalls();
    for (const phase of ['read', 'write'] as const) {
      const res = await issue('bare', phase);
      tried.cases += 1;
      expect(res.status, res.text).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', field: 'phase' });
      expect(res.body.credentials).toBeUndefined();
      tried.refused += 1;
    }
    expect(env.stsCalls()).toBe(calls);
  });

  it('an attachment for the read phase serves no write', async () => {
    const calls = env.stsCalls();
    const res = await issue('plan', 'write');
    tried.cases += 1;
    expect(res.status, res.text).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(res.body.credentials).toBeUndefined();
    expect(env.stsCalls()).toBe(calls);
    tried.refused += 1;
    expect((await issue('plan', 'read')).status).toBe(201);
  });

  it("read credentials under the read-only session policy are refused a write by IAM; the write phase's are not", async () => {
    const read = await issue('both', 'read', { runToken: { lifetimeSeconds: 600 } });
    expect(read.status, read.text).toBe(201);
    tried.cases += 1;
    expect(await tryWrite(read.body.credentials)).toBe('AccessDenied');
    tried.refused += 1;
    const write = await issue('both', 'write');
    expect(write.status, write.text).toBe(201);
    expect(await tryWrite(write.body.credentials)).toBe('written');

    // The read run token refreshes into read credentials only; a token claiming the write phase is refused.
    const refreshed = await env.api('POST', '/v1/issuances/refresh', { authorization: `Bearer ${read.body.runToken}` });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(refreshed.body.phase).toBe('read');
    tried.cases += 1;
    expect(await tryWrite(refreshed.body.credentials)).toBe('AccessDenied');
    tried.refused += 1;
    const [payload, mac] = (read.body.runToken as string).slice('tgr_'.length).split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = `tgr_${Buffer.from(JSON.stringify({ ...claims, phase: 'write' })).toString('base64url')}.${mac}`;
    const refused = await env.api('POST', '/v1/issuances/refresh', { authorization: `Bearer ${forged}` });
    tried.cases += 1;
    expect(refused.status).toBe(401);
    expect(refused.body.error.code).toBe('UNAUTHENTICATED');
    tried.refused += 1;
  });

  it('a role trusting only the read phase: trustgate refuses a write before STS, and STS refuses it when the record is wrong', async () => {
    const scoped = await env.connect('scoped', [env.customer], {
      externalIdTrust: { kind: 'scoped', phases: ['read'] },
    });
    const stack = await env.stack('scoped-stack');
    await env.attach(stack, scoped.id, { phases: ['read', 'write'] });
    const calls = env.stsCalls();
    const before = await issue('scoped-stack', 'write');
    tried.cases += 1;
    expect(before.status, before.text).toBe(422);
    expect(before.body.error.code).toBe('ROLE_REFUSED');
    expect(env.stsCalls()).toBe(calls);
    tried.refused += 1;
    // The stored trust widened behind the role's back: STS, enforcing the role's trust policy, refuses the write ID.
    const record = await env.service.store.connections.get(env.organizationId, scoped.id);
    if (record === undefined) throw new Error('no connection');
    await env.service.store.connections.update({
      ...record,
      externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] },
    });
    const after = await issue('scoped-stack', 'write');
    tried.cases += 1;
    expect(after.status, after.text).toBe(422);
    expect(after.body.error.code).toBe('ROLE_REFUSED');
    expect(after.body.credentials).toBeUndefined();
    expect(env.stsCalls()).toBeGreaterThan(calls);
    tried.refused += 1;
    expect((await issue('scoped-stack', 'read')).status).toBe(201);
  });
});
