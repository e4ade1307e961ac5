import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerEnv, type BrokerEnv } from '../../issuance-harness.ts';
import { attackerOf, Tally, type Attacker } from './deputy-tenants.ts';

/**
 * Confused deputy, every way in (issue 16), for external-ID trust: the attacker, another tenant of the same service,
 * knows the victim's role ARN (and, in the worst case, even its external ID: AWS does not treat one as a secret) and
 * tries to make trustgate assume that role for it — a manual connection naming the ARN, attachments to it (assumed by
 * trustgate, assumed on the worker, with a custom external ID), wildcards in stack slugs and scoped trust. The
 * sandbox's STS evaluates the victim role's trust policy over HTTP as AWS does; every refusal must be a clear 4xx
 * with its code, never a throttle, a timeout or a 5xx read as secure.
 */
describe('confused deputy through external-ID trust', () => {
  let env: BrokerEnv;
  let mallory: Attacker;
  let victim: { id: string; externalId: string; roleName: string; roleArn: string };
  /** The attacker's connection naming the victim's role (its own external ID), and its stack. */
  let stolen: { id: string; externalId: string };
  let stackId: string;
  const tally = new Tally();

  beforeAll(async () => {
    env = await startBrokerEnv({ dialect: 'sqlite' });
    victim = await env.connect('victim');
    mallory = await attackerOf(env);
    const created = await mallory.api('POST', '/v1/connections', {
      name: 'stolen',
      scope: { kind: 'account', accountId: env.customer.accountId },
      roleName: victim.roleName,
    });
    expect(created.status, created.text).toBe(201);
    stolen = created.body.connection;
    const stack = await mallory.api('POST', '/v1/stacks', { slug: 'heist', name: 'heist' });
    expect(stack.status, stack.text).toBe(201);
    stackId = stack.body.id;
  }, 60_000);
  afterAll(async () => {
    console.log(tally.summary('confused deputy, external-ID trust'));
    await env?.close();
  });

  it("a manual connection naming the victim's role ARN is refused by STS with a clear AccessDenied, and stays unconnected", async () => {
    const before = await env.api('GET', `/v1/connections/${victim.id}`, { token: env.adminToken });
    const calls = env.stsCalls();
    const verified = await mallory.api('POST', `/v1/connections/${stolen.id}/verify`, { roleArn: victim.roleArn });
    expect(verified.status, verified.text).toBe(200);
    // STS was asked (the refusal is the role's trust policy, not a check that never reached AWS) and said no.
    expect(env.stsCalls()).toBeGreaterThan(calls);
    const role = verified.body.roles.find((r: { roleArn: string }) => r.roleArn === victim.roleArn);
    tally.check(
      'manual connect with the victim ARN',
      verified.body.status === 'broken' && role?.status === 'broken' && /AccessDenied/.test(role?.statusReason ?? ''),
      `status ${verified.body.status}, role ${JSON.stringify(role)}`,
    );
    expect(role?.statusReason).not.toMatch(/Throttl|timed? ?out|InternalError|ServiceUnavailable/i);
    // The victim's connection is untouched.
    const own = await env.api('GET', `/v1/connections/${victim.id}`, { token: env.adminToken });
    expect(own.body).toEqual(before.body);
  });

  it('attaching a stack to it is refused for each phase and mode, nothing stored', async () => {
    for (const body of [
      { phases: ['read'] },
      { phases: ['write'] },
      { phases: ['read', 'write'], readOnlySessionPolicy: true },
      { phases: ['read', 'write'], assumeOnWorker: true },
      { phases: ['read'], sessionMode: 'shared' },
    ]) {
      const res = await mallory.api('POST', `/v1/stacks/${stackId}/attachments`, { connectionId: stolen.id, ...body });
      tally.refusal(`attach ${JSON.stringify(body)}`, res, ['VERIFICATION_FAILED']);
    }
    expect((await mallory.api('GET', `/v1/stacks/${stackId}/attachments`)).body).toEqual([]);
  });

  it("a custom external ID (even the victim's own) is refused unless the worker assumes, and then trustgate hands out no unverified role", async () => {
    const platform = await mallory.api('POST', `/v1/stacks/${stackId}/attachments`, {
      connectionId: stolen.id,
      phases: ['read'],
      customExternalId: victim.externalId,
    });
    tally.refusal('custom external ID, assumed by trustgate', platform, ['INVALID_INPUT']);
    expect(platform.body.error.field).toBe('customExternalId');
    // On the worker: trustgate does not assume, so it verifies nothing; it must not give the worker the victim's ARN.
    const worker = await mallory.api('POST', `/v1/stacks/${stackId}/attachments`, {
      connectionId: stolen.id,
      phases: ['read'],
      assumeOnWorker: true,
      customExternalId: victim.externalId,
    });
    if (worker.status === 201) {
      const issued = await mallory.api('POST', '/v1/issuances', { stack: 'heist', phase: 'read', runId: 'r1' });
      tally.refusal('assume-on-worker issuance with the victim ARN and ID', issued, [
        'VERIFICATION_FAILED',
        'ROLE_REFUSED',
        'FORBIDDEN',
      ]);
      expect(issued.text).not.toContain(victim.roleArn);
      await mallory.api('DELETE', `/v1/stacks/${stackId}/attachments/${worker.body.id}`);
    } else tally.refusal('assume-on-worker attachment with the victim ARN and ID', worker, ['VERIFICATION_FAILED']);
  });

  it('wildcards cannot enter a scoped external ID: slugs and trusted stacks with * or ? are refused, naming the field', async () => {
    for (const slug of ['*', 'we?', 'web*', 'a@b', 'A', '-x']) {
      const res = await mallory.api('POST', '/v1/stacks', { slug, name: 'x' });
      tally.refusal(`stack slug ${slug}`, res, ['INVALID_INPUT']);
      expect(res.body.error.field).toBe('slug');
    }
    for (const stacks of [['*'], ['web?'], ['web', '*']]) {
      const res = await mallory.api('POST', '/v1/connections', {
        name: `scoped-${stacks.length}`,
        scope: { kind: 'account', accountId: env.customer.accountId },
        externalIdTrust: { kind: 'scoped', stacks, phases: ['read'] },
      });
      tally.refusal(`scoped trust stacks ${JSON.stringify(stacks)}`, res, ['INVALID_INPUT']);
      expect(res.body.error.field).toMatch(/^externalIdTrust\.stacks/);
    }
  });

  it("a scoped connection of the attacker naming the victim's role is refused by STS too", async () => {
    const created = await mallory.api('POST', '/v1/connections', {
      name: 'stolen-scoped',
      scope: { kind: 'account', accountId: env.customer.accountId },
      roleName: victim.roleName,
      externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] },
    });
    expect(created.status, created.text).toBe(201);
    const verified = await mallory.api('POST', `/v1/connections/${created.body.connection.id}/verify`, {
      roleArn: victim.roleArn,
    });
    const role = verified.body.roles?.[0];
    tally.check(
      'scoped connection with the victim ARN',
      verified.body.status === 'broken' && /AccessDenied/.test(role?.statusReason ?? ''),
      `status ${verified.body.status}, role ${JSON.stringify(role)}`,
    );
  });

  it('a role trusting one stack slug is not assumed for another whose slug starts the same, even when the record is widened', async () => {
    const locked = await env.connect('locked', [env.customer], {
      externalIdTrust: { kind: 'scoped', stacks: ['web'], phases: ['read', 'write'] },
    });
    const stack = await env.stack('web-evil');
    await env.attach(stack, locked.id, { phases: ['read'] });
    const issue = () =>
      env.api('POST', '/v1/issuances', {
        token: env.adminToken,
        body: { stack: 'web-evil', phase: 'read', runId: 'r1' },
      });
    tally.refusal('scoped trust, another slug (recorded trust)', await issue(), ['ROLE_REFUSED']);
    const record = await env.service.store.connections.get(env.organizationId, locked.id);
    if (record === undefined) throw new Error('no connection');
    await env.service.store.connections.update({ ...record, externalIdTrust: { kind: 'scoped', phases: ['read'] } });
    const calls = env.stsCalls();
    tally.refusal('scoped trust, another slug (STS)', await issue(), ['ROLE_REFUSED']);
    expect(env.stsCalls()).toBeGreaterThan(calls);
  });

  it('refused every way, with no failure', () => {
    expect(tally.failures).toEqual([]);
  });
});
