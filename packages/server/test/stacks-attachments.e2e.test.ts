import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { loadAwsActionList } from '@trustgate/core';
import type { Sandbox } from '@trustgate/sandbox';
import { DIALECTS } from './test-stores.ts';
import { applyStack, startServiceOnSandbox, type ServiceOnSandbox, type TestService } from './service-harness.ts';

/**
 * Stacks and attachments of the credential broker (issue 12) over HTTP against the sandbox (its STS enforces
 * ExternalId StringEquals/StringLike, sts:TagSession and sts:SetSourceIdentity), on SQLite and PostgreSQL: attaching
 * verifies every allowed phase for real before anything is stored, and a role whose trust is locked to other stacks
 * or to read only is refused at attach time with what to change.
 */
describe.each(DIALECTS)('stacks and attachments against the sandbox on %s', (dialect) => {
  let env: ServiceOnSandbox;
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let tokenB: string;
  let customer: Sandbox['accounts'][number];
  let platform: Sandbox['accounts'][number];
  const creds = (a: Sandbox['accounts'][number]) => ({
    accessKeyId: a.accessKeyId,
    secretAccessKey: a.secretAccessKey,
  });

  beforeAll(async () => {
    env = await startServiceOnSandbox({ dialect, sandbox: { accounts: 3 } });
    ({ sandbox, t, platform } = env);
    customer = sandbox.accounts[1] as typeof customer;
    token = (await t.newOrganization('Acme')).adminToken;
    tokenB = (await t.newOrganization('Rival')).adminToken;
  });
  afterAll(async () => {
    await env?.close();
  });

  async function newStack(slug: string, extra: Record<string, unknown> = {}, as = token) {
    const res = await t.api('POST', '/v1/stacks', { token: as, body: { slug, name: `Stack ${slug}`, ...extra } });
    expect(res.status, res.text).toBe(201);
    return res.body as { id: string; slug: string };
  }

  /** Creates a connection, applies its CloudFormation template in the customer's account and verifies the role. */
  async function connectedConnection(name: string, extra: Record<string, unknown> = {}) {
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: { name, scope: { kind: 'account', accountId: customer.accountId }, roleName: `Tg-${name}`, ...extra },
    });
    expect(created.status, created.text).toBe(201);
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: `tg-${name}`,
      templateBody: created.body.deliverables.formats['cloudformation-yaml'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const verified = await t.api('POST', `/v1/connections/${created.body.connection.id}/verify`, {
      token,
      body: { roleArn: stack.outputs.RoleArn },
    });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.status, verified.body.statusReason).toBe('connected');
    return {
      id: created.body.connection.id as string,
      externalId: created.body.connection.externalId as string,
      trustPolicy: created.body.deliverables.trustPolicy,
    };
  }

  const attach = (stackId: string, body: Record<string, unknown>, as = token) =>
    t.api('POST', `/v1/stacks/${stackId}/attachments`, { token: as, body });

  it('stacks: create, list by space and label, get, rename; bad input is 4xx saying what to fix', async () => {
    const space = await t.api('POST', '/v1/spaces', { token, body: { name: 'platform' } });
    const net = await newStack('net-prod', { spaceId: space.body.id, labels: { env: 'prod' } });
    await newStack('cost-scan', { labels: { env: 'dev' } });

    const dup = await t.api('POST', '/v1/stacks', { token, body: { slug: 'net-prod', name: 'again' } });
    expect(dup.status).toBe(409);
    for (const slug of ['Net', '-net', 'a@b', 'x'.repeat(65), 'a*']) {
      const bad = await t.api('POST', '/v1/stacks', { token, body: { slug, name: 'bad' } });
      expect(bad.status, slug).toBe(400);
      expect(bad.body.error.field).toBe('slug');
    }
    const noSpace = await t.api('POST', '/v1/stacks', {
      token,
      body: { slug: 'nospace', name: 'n', spaceId: 'spc_none' },
    });
    expect(noSpace.status).toBe(404);
    expect(noSpace.body.error.field).toBe('spaceId');

    const bySpace = await t.api('GET', `/v1/stacks?space=${space.body.id}`, { token });
    expect(bySpace.body.map((s: { slug: string }) => s.slug)).toEqual(['net-prod']);
    const byLabel = await t.api('GET', '/v1/stacks?label=env:dev', { token });
    expect(byLabel.body.map((s: { slug: string }) => s.slug)).toEqual(['cost-scan']);

    const renamed = await t.api('PATCH', `/v1/stacks/${net.id}`, { token, body: { name: 'Network (prod)' } });
    expect(renamed.status, renamed.text).toBe(200);
    expect((await t.api('GET', `/v1/stacks/${net.id}`, { token })).body.name).toBe('Network (prod)');
    const reslug = await t.api('PATCH', `/v1/stacks/${net.id}`, { token, body: { slug: 'net-2' } });
    expect(reslug.status).toBe(400);
    expect(reslug.body.error.message).toContain('create a new stack');
    expect((await t.api('GET', `/v1/stacks/${net.id}`, { token })).body.slug).toBe('net-prod');
  });

  it('a scoped connection with session tagging: deliverables trust the patterns and session actions; attaching verifies both phases', async () => {
    const c = await connectedConnection('scoped', {
      externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] },
      sessionTagging: true,
    });
    const statement = c.trustPolicy.Statement[0];
    expect(statement.Condition).toEqual({
      StringLike: { 'sts:ExternalId': [`${c.externalId}@*@read`, `${c.externalId}@*@write`] },
    });
    expect(statement.Action).toEqual(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']);
    const shown = await t.api('GET', `/v1/connections/${c.id}`, { token });
    expect(shown.body).toMatchObject({
      externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] },
      sessionTagging: true,
    });

    const stack = await newStack('app-prod');
    const res = await attach(stack.id, { connectionId: c.id, phases: ['write', 'read'], sessionMode: 'shared' });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      stackId: stack.id,
      connectionId: c.id,
      phases: ['read', 'write'],
      durationSeconds: 3600,
      sessionMode: 'shared',
      accountIds: null,
    });
    expect(res.body.verification.checks).toEqual([
      expect.objectContaining({ accountId: customer.accountId, phase: 'read', ok: true }),
      expect.objectContaining({ accountId: customer.accountId, phase: 'write', ok: true }),
    ]);
    const again = await attach(stack.id, { connectionId: c.id, phases: ['read'] });
    expect(again.status).toBe(409);

    const listed = await t.api('GET', `/v1/stacks/${stack.id}/attachments`, { token });
    expect(listed.body.map((a: { id: string }) => a.id)).toEqual([res.body.id]);
    const reverified = await t.api('POST', `/v1/stacks/${stack.id}/attachments/${res.body.id}/verify`, { token });
    expect(reverified.status, reverified.text).toBe(200);
    expect(reverified.body.verification.checks.every((k: { ok: boolean }) => k.ok)).toBe(true);

    const audit = await t.api('GET', `/v1/audit?connectionId=${c.id}`, { token });
    const actions = audit.body.map((e: { action: string }) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['attachment.create', 'attachment.verify']));

    const detached = await t.api('DELETE', `/v1/stacks/${stack.id}/attachments/${res.body.id}`, { token });
    expect(detached.status).toBe(200);
    expect((await t.api('GET', `/v1/stacks/${stack.id}/attachments`, { token })).body).toEqual([]);
  });

  it('ATTACK: a role locked to stack A refuses stack B at attach time, with the fix; nothing is stored', async () => {
    const c = await connectedConnection('locked', {
      externalIdTrust: { kind: 'scoped', stacks: ['stack-a'], phases: ['read', 'write'] },
    });
    const a = await newStack('stack-a');
    const b = await newStack('stack-b');
    const okA = await attach(a.id, { connectionId: c.id, phases: ['read', 'write'] });
    expect(okA.status, okA.text).toBe(201);
    // The lock was proved: another stack's ID was refused.
    expect(okA.body.verification.checks.every((k: { ok: boolean }) => k.ok)).toBe(true);

    const refused = await attach(b.id, { connectionId: c.id, phases: ['read', 'write'] });
    expect(refused.status, refused.text).toBe(422);
    expect(refused.body.error.code).toBe('VERIFICATION_FAILED');
    const checks = refused.body.error.details.checks as { phase: string; ok: boolean; fixHint?: string }[];
    expect(checks.map((k) => [k.phase, k.ok])).toEqual([
      ['read', false],
      ['write', false],
    ]);
    expect(checks[0]?.fixHint).toContain(`admits only ${c.externalId}@stack-a@read`);
    expect(checks[0]?.fixHint).toContain(`add ${c.externalId}@stack-b@read`);
    expect(checks[1]?.fixHint).toContain(`${c.externalId}@stack-b@write`);
    // AWS's refusal names the platform's own principal: the operator's business, not the tenant's.
    expect(refused.text).not.toContain(':user/');
    expect((await t.api('GET', `/v1/stacks/${b.id}/attachments`, { token })).body).toEqual([]);

    // The customer later locks the role to another stack: verifying again stores the failure with the fix.
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: creds(customer) });
    const relocked = JSON.stringify(c.trustPolicy).replaceAll('@stack-a@', '@stack-z@');
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Tg-locked', PolicyDocument: relocked }));
    const again = await t.api('POST', `/v1/stacks/${a.id}/attachments/${okA.body.id}/verify`, { token });
    expect(again.status, again.text).toBe(200);
    expect(again.body.verification.checks.map((k: { ok: boolean }) => k.ok)).toEqual([false, false]);
    const stored = await t.api('GET', `/v1/stacks/${a.id}/attachments`, { token });
    expect(stored.body[0].verification.checks[0].fixHint).toContain(`${c.externalId}@stack-a@read`);

    // A role wider than the connection says (any stack) is caught too: the lock is proved, not assumed.
    const widened = JSON.stringify(c.trustPolicy).replaceAll('@stack-a@', '@*@');
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'Tg-locked', PolicyDocument: widened }));
    const wide = await t.api('POST', `/v1/stacks/${a.id}/attachments/${okA.body.id}/verify`, { token });
    const [wideCheck] = wide.body.verification.checks;
    expect(wideCheck).toMatchObject({ ok: false, reason: expect.stringContaining('another stack') });
  });

  it('ATTACK: a read-only trusted role refuses a write-phase attach; a read attach works and proves write is refused', async () => {
    const c = await connectedConnection('readonly', { externalIdTrust: { kind: 'scoped', phases: ['read'] } });
    const stack = await newStack('plan-only');
    const refused = await attach(stack.id, { connectionId: c.id, phases: ['read', 'write'] });
    expect(refused.status, refused.text).toBe(422);
    const checks = refused.body.error.details.checks as { phase: string; ok: boolean; fixHint?: string }[];
    expect(checks.map((k) => [k.phase, k.ok])).toEqual([
      ['read', true],
      ['write', false],
    ]);
    expect(checks[1]?.fixHint).toContain('read only');
    expect(checks[1]?.fixHint).toContain(`add ${c.externalId}@plan-only@write`);

    const readOnly = await attach(stack.id, { connectionId: c.id, phases: ['read'] });
    expect(readOnly.status, readOnly.text).toBe(201);
    expect(readOnly.body.verification.checks).toEqual([expect.objectContaining({ phase: 'read', ok: true })]);
  });

  it('an exact-form connection keeps working; a role that admits the platform without an external ID is refused', async () => {
    const c = await connectedConnection('exact');
    const stack = await newStack('legacy');
    // A duration over the role's MaxSessionDuration (the default 3,600 s) is reported at attach time, not at the first run.
    const tooLong = await attach(stack.id, { connectionId: c.id, phases: ['read'], durationSeconds: 7200 });
    expect(tooLong.status, tooLong.text).toBe(422);
    expect(tooLong.body.error.details.checks[0].fixHint).toContain('MaxSessionDuration');
    const res = await attach(stack.id, { connectionId: c.id, phases: ['read', 'write'], durationSeconds: 900 });
    expect(res.status, res.text).toBe(201);
    expect(res.body.verification.checks.map((k: { ok: boolean }) => k.ok)).toEqual([true, true]);

    // The customer's role in a second connection trusts the platform with the external ID and, in a second
    // statement, without one: the insecurity probe must be refused for the attachment to be made.
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'open', scope: { kind: 'account', accountId: customer.accountId }, roleName: 'Tg-open' },
    });
    const open = created.body.connection;
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: creds(customer) });
    const trust = created.body.deliverables.trustPolicy;
    trust.Statement.push({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${platform.accountId}:root` },
      Action: 'sts:AssumeRole',
    });
    await iam.send(new CreateRoleCommand({ RoleName: 'Tg-open', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    const verified = await t.api('POST', `/v1/connections/${open.id}/verify`, {
      token,
      body: { roleArn: `arn:aws:iam::${customer.accountId}:role/Tg-open` },
    });
    expect(verified.body.status).toBe('insecure');
    const refused = await attach(stack.id, { connectionId: open.id, phases: ['read'] });
    expect(refused.status, refused.text).toBe(422);
    const [check] = refused.body.error.details.checks;
    expect(check).toMatchObject({ phase: 'read', ok: false });
    expect(check.reason).toContain('without any external ID');
    expect(check.fixHint).toContain(open.externalId);
  });

  it('ATTACK: an insecurity probe STS does not answer (5xx) is never read as secure: 502, nothing stored', async () => {
    const connections = await t.api('GET', '/v1/connections', { token });
    const c = connections.body.find((x: { name: string }) => x.name === 'exact');
    const stack = await newStack('throttled');
    sandbox.faults.inject({
      service: 'sts',
      action: 'AssumeRole',
      kind: 'server-error',
      count: Infinity,
      when: { param: 'ExternalId', absent: true },
    });
    try {
      const res = await attach(stack.id, { connectionId: c.id, phases: ['read'] });
      expect(res.status, res.text).toBe(502);
      expect(res.body.error.code).toBe('AWS_ERROR');
      expect(res.body.error.message).toContain('without an external ID');
    } finally {
      sandbox.faults.clear();
    }
    expect((await t.api('GET', `/v1/stacks/${stack.id}/attachments`, { token })).body).toEqual([]);
  });

  it('bad attachment input is 4xx saying what to fix, before any AWS call', async () => {
    const connections = await t.api('GET', '/v1/connections', { token });
    const c = connections.body.find((x: { name: string }) => x.name === 'exact');
    const stack = await newStack('bad-input');
    const cases: [Record<string, unknown>, number, string][] = [
      [{ phases: ['read'], customExternalId: 'tenant-chosen' }, 400, 'confused deputy'],
      [{ phases: ['read'], durationSeconds: 600 }, 400, 'durationSeconds'],
      [{ phases: ['read'], durationSeconds: 50_000 }, 400, 'durationSeconds'],
      [{ phases: [] }, 400, 'phases'],
      [{ phases: ['plan'] }, 400, 'phases'],
      [{ phases: ['read'], accountIds: ['999999999999'] }, 400, 'not covered by this connection'],
      [{ phases: ['read'], region: 'mars-1' }, 400, 'region'],
      [{ phases: ['write'], readOnlySessionPolicy: true }, 400, 'read phase'],
    ];
    for (const [body, status, text] of cases) {
      const res = await attach(stack.id, { connectionId: c.id, ...body });
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body.error.message, JSON.stringify(body)).toContain(text);
    }
    expect((await attach('stk_missing', { connectionId: c.id, phases: ['read'] })).status).toBe(404);
    expect((await attach(stack.id, { connectionId: 'con_missing', phases: ['read'] })).status).toBe(404);
    expect((await t.api('GET', `/v1/stacks/${stack.id}/attachments`, { token })).body).toEqual([]);

    // Assume on worker with a custom external ID is accepted, and stored unverified (trustgate cannot act as the worker).
    const worker = await attach(stack.id, {
      connectionId: c.id,
      phases: ['read'],
      assumeOnWorker: true,
      customExternalId: 'worker-chosen-id',
    });
    expect(worker.status, worker.text).toBe(201);
    expect(worker.body).toMatchObject({
      assumeOnWorker: true,
      customExternalId: 'worker-chosen-id',
      verification: null,
    });
  });

  it("ATTACK: another organization can neither see nor attach this organization's stacks or connections (404)", async () => {
    const connections = await t.api('GET', '/v1/connections', { token });
    const c = connections.body.find((x: { name: string }) => x.name === 'exact');
    const stack = await newStack('tenant-a');
    const own = await attach(stack.id, { connectionId: c.id, phases: ['read'] });
    expect(own.status, own.text).toBe(201);

    const rivalStack = await newStack('tenant-a', {}, tokenB); // slugs are unique per organization only
    const probes = [
      await t.api('GET', `/v1/stacks/${stack.id}`, { token: tokenB }),
      await t.api('PATCH', `/v1/stacks/${stack.id}`, { token: tokenB, body: { name: 'mine' } }),
      await t.api('GET', `/v1/stacks/${stack.id}/attachments`, { token: tokenB }),
      await attach(stack.id, { connectionId: c.id, phases: ['read'] }, tokenB),
      await attach(rivalStack.id, { connectionId: c.id, phases: ['read'] }, tokenB),
      await t.api('POST', `/v1/stacks/${stack.id}/attachments/${own.body.id}/verify`, { token: tokenB }),
      await t.api('DELETE', `/v1/stacks/${stack.id}/attachments/${own.body.id}`, { token: tokenB }),
      await t.api('DELETE', `/v1/stacks/${rivalStack.id}/attachments/${own.body.id}`, { token: tokenB }),
      await t.api('DELETE', `/v1/stacks/${stack.id}`, { token: tokenB }),
    ];
    expect(probes.map((p) => p.status)).toEqual(probes.map(() => 404));
    const rivalList = await t.api('GET', '/v1/stacks', { token: tokenB });
    expect(rivalList.body.map((s: { id: string }) => s.id)).toEqual([rivalStack.id]);
    // Everything of organization A is still there.
    expect((await t.api('GET', `/v1/stacks/${stack.id}`, { token })).body.name).toBe('Stack tenant-a');
    expect((await t.api('GET', `/v1/stacks/${stack.id}/attachments`, { token })).body).toHaveLength(1);
  });
  it("changing a verified connection's trust form makes it needs-update and its deliverables follow; a trust that cannot be built is refused", async () => {
    const connections = await t.api('GET', '/v1/connections', { token });
    const c = connections.body.find((x: { name: string }) => x.name === 'exact');
    const tooMany = Array.from({ length: 60 }, (_, i) => `stack-with-a-long-name-${i}`);
    for (const [trust, status] of [
      [{ kind: 'scoped', stacks: ['Bad Slug'], phases: ['read'] }, 400],
      [{ kind: 'scoped', phases: [] }, 400],
      [{ kind: 'fuzzy' }, 400],
      [{ kind: 'scoped', stacks: tooMany, phases: ['read', 'write'] }, 422],
    ] as const) {
      const res = await t.api('PATCH', `/v1/connections/${c.id}`, { token, body: { externalIdTrust: trust } });
      expect(res.status, JSON.stringify(trust)).toBe(status);
    }
    expect((await t.api('GET', `/v1/connections/${c.id}`, { token })).body).toMatchObject({
      status: 'connected',
      externalIdTrust: { kind: 'exact' },
    });

    const changed = await t.api('PATCH', `/v1/connections/${c.id}`, {
      token,
      body: { externalIdTrust: { kind: 'scoped', stacks: ['legacy'], phases: ['read'] }, sessionTagging: true },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.connection).toMatchObject({
      status: 'needs-update',
      externalIdTrust: { kind: 'scoped', stacks: ['legacy'], phases: ['read'] },
      sessionTagging: true,
    });
    const deliverables = await t.api('GET', `/v1/connections/${c.id}/deliverables`, { token });
    expect(deliverables.body.trustPolicy.Statement[0]).toMatchObject({
      Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'],
      Condition: { StringLike: { 'sts:ExternalId': `${c.externalId}@legacy@read` } },
    });
    expect(deliverables.body.formats['quick-create-link']).not.toContain('param_ExternalId');
  });
  it('ATTACK: a member attaches only connections they edit, and cannot move or delete a stack attached to others', async () => {
    const member = await t.api('POST', '/v1/users', { token, body: { email: 'dev@acme.test', name: 'Dev' } });
    const issued = await t.api('POST', '/v1/tokens', {
      token,
      body: { name: 'dev', scopes: ['connections:write'], userId: member.body.id },
    });
    const dev = issued.body.secret as string;
    const connections = await t.api('GET', '/v1/connections', { token });
    const c = connections.body.find((x: { name: string }) => x.name === 'scoped');
    const attached = await newStack('attached-by-admin');
    expect((await attach(attached.id, { connectionId: c.id, phases: ['read'] })).status).toBe(201);

    const own = await newStack('dev-stack', {}, dev);
    expect((await attach(own.id, { connectionId: c.id, phases: ['read'] }, dev)).status).toBe(404);
    await t.api('PUT', `/v1/connections/${c.id}/access/${member.body.id}`, { token, body: { level: 'user' } });
    const asUser = await attach(own.id, { connectionId: c.id, phases: ['read'] }, dev);
    expect(asUser.status).toBe(403);
    expect(asUser.body.error.message).toContain('"editor"');
    await t.api('DELETE', `/v1/connections/${c.id}/access/${member.body.id}`, { token });

    expect((await t.api('GET', `/v1/stacks/${attached.id}/attachments`, { token: dev })).body).toEqual([]);
    expect((await t.api('PATCH', `/v1/stacks/${attached.id}`, { token: dev, body: { name: 'renamed' } })).status).toBe(
      200,
    );
    const space = await t.api('POST', '/v1/spaces', { token, body: { name: 'elsewhere' } });
    const moved = await t.api('PATCH', `/v1/stacks/${attached.id}`, { token: dev, body: { spaceId: space.body.id } });
    expect(moved.status).toBe(403);
    const deleted = await t.api('DELETE', `/v1/stacks/${attached.id}`, { token: dev });
    expect(deleted.status).toBe(403);
    expect(deleted.body.error.message).toContain('attached to 1 connection(s)');
    expect((await t.api('GET', `/v1/stacks/${attached.id}/attachments`, { token })).body).toHaveLength(1);
    // An admin (owner of every connection) may delete it; its attachments go with it.
    expect((await t.api('DELETE', `/v1/stacks/${attached.id}`, { token })).status).toBe(200);
    expect((await t.api('GET', `/v1/stacks/${attached.id}`, { token })).status).toBe(404);
    const audit = await t.api('GET', '/v1/audit?limit=1000', { token });
    const stackEvents = audit.body.filter((e: { details: { stackId?: string } }) => e.details.stackId === attached.id);
    expect(stackEvents.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['stack.create', 'stack.update', 'attachment.create', 'stack.delete']),
    );
  });
  it('the read phase with a read-only session policy is verified with it; one that cannot fit is POLICY_TOO_LARGE at attach time', async () => {
    const connections = await t.api('GET', '/v1/connections', { token });
    const c = connections.body.find((x: { name: string }) => x.name === 'scoped');
    const plan = await newStack('plan-scoped');
    const scoped = await attach(plan.id, {
      connectionId: c.id,
      phases: ['read', 'write'],
      readOnlySessionPolicy: true,
    });
    expect(scoped.status, scoped.text).toBe(201);
    expect(scoped.body.readOnlySessionPolicy).toBe(true);
    expect(scoped.body.verification.checks.every((k: { ok: boolean }) => k.ok)).toBe(true);

    // One List/Read action of each of 150 services, none of which a wildcard can cover without a write action.
    const list = await loadAwsActionList();
    const wide: string[] = [];
    for (const service of list.services()) {
      const actions = list.actionsOf(service);
      const isRead = (a: string) => ['List', 'Read'].includes(list.accessLevel(a) ?? '');
      const read = actions.find(
        (a) =>
          isRead(a) &&
          actions.some((w) => !isRead(w) && w.slice(0, service.length + 4) === a.slice(0, service.length + 4)),
      );
      if (read !== undefined) wide.push(read);
      if (wide.length === 150) break;
    }
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: 'wide',
        scope: { kind: 'account', accountId: customer.accountId },
        selection: { mode: 'custom', products: [], integrations: [] },
        extraActions: wide,
      },
    });
    expect(created.status, created.text).toBe(201);
    // A role row (here a role that does not exist: broken) is all attaching needs before it checks the policy.
    await t.api('POST', `/v1/connections/${created.body.connection.id}/verify`, {
      token,
      body: { roleArn: `arn:aws:iam::${customer.accountId}:role/TrustgateAccess` },
    });
    const tooLarge = await attach(plan.id, {
      connectionId: created.body.connection.id,
      phases: ['read'],
      readOnlySessionPolicy: true,
    });
    expect(tooLarge.status, tooLarge.text).toBe(422);
    expect(tooLarge.body.error.code).toBe('POLICY_TOO_LARGE');
    expect(tooLarge.body.error.message).toContain('readOnlySessionPolicy');
  });
  it('a multi-account connection is verified in every covered account, or only in the listed ones', async () => {
    const [, first, second] = sandbox.accounts as [unknown, typeof customer, typeof customer];
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: 'multi',
        scope: { kind: 'accounts', accountIds: [first.accountId, second.accountId] },
        roleName: 'Tg-multi',
        externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.connection.id;
    const stack = await newStack('multi-account');
    const none = await attach(stack.id, { connectionId: id, phases: ['read'] });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toContain('no role yet');
    for (const account of [first, second]) {
      const applied = await applyStack({
        endpoint: sandbox.endpoint,
        credentials: creds(account),
        stackName: 'tg-multi',
        templateBody: created.body.deliverables.formats['cloudformation-yaml'],
      });
      expect(applied.status, applied.reason).toBe('CREATE_COMPLETE');
      await t.api('POST', `/v1/connections/${id}/verify`, { token, body: { roleArn: applied.outputs.RoleArn } });
    }
    const all = await attach(stack.id, { connectionId: id, phases: ['read', 'write'] });
    expect(all.status, all.text).toBe(201);
    const checked = all.body.verification.checks.map((k: { accountId: string; phase: string; ok: boolean }) => [
      k.accountId,
      k.phase,
      k.ok,
    ]);
    expect(checked.sort()).toEqual(
      [
        [first.accountId, 'read', true],
        [first.accountId, 'write', true],
        [second.accountId, 'read', true],
        [second.accountId, 'write', true],
      ].sort(),
    );
    await t.api('DELETE', `/v1/stacks/${stack.id}/attachments/${all.body.id}`, { token });
    const one = await attach(stack.id, { connectionId: id, phases: ['read'], accountIds: [second.accountId] });
    expect(one.status, one.text).toBe(201);
    expect(one.body.accountIds).toEqual([second.accountId]);
    expect(one.body.verification.checks).toEqual([
      expect.objectContaining({ accountId: second.accountId, phase: 'read', ok: true }),
    ]);
  });
});
