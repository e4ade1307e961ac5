import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IAMClient, CreatePolicyVersionCommand } from '@aws-sdk/client-iam';
import type { Sandbox } from '@trustgate/sandbox';
import { DIALECTS } from './test-stores.ts';
import { applyStack, startServiceOnSandbox, type ServiceOnSandbox, type TestService } from './service-harness.ts';

/**
 * GET /v1/connections/:id/drift against the sandbox: after a real verification, each role's policies as IAM holds
 * them beside the documents the connection expects; the customer edits the role's inline policy with IAM, a
 * re-verification reads the edit back. And GET /v1/audit's filters (action, actor, time range) on each dialect.
 */
describe.each(DIALECTS)('connection drift and audit filters, against the sandbox on %s', (dialect) => {
  let env: ServiceOnSandbox;
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let adminId: string;
  let connectionId: string;
  let roleArn: string;
  let expected: { name: string; document: { Statement: { Action: string | string[] }[] } }[];
  const startedAt = new Date().toISOString();

  beforeAll(async () => {
    env = await startServiceOnSandbox({ dialect, sandbox: { accounts: 2 } });
    ({ sandbox, t } = env);
    ({ adminToken: token, adminId } = await t.newOrganization('Acme'));
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a connection never verified has no role to compare; an unknown one is 404', async () => {
    const customer = sandbox.accounts[1]!;
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'drifting', scope: { kind: 'account', accountId: customer.accountId }, roleName: 'TgDrift' },
    });
    expect(created.status, created.text).toBe(201);
    connectionId = created.body.connection.id;
    expected = created.body.deliverables.permissionPolicies;
    expect(expected.length).toBeGreaterThan(0);
    const drift = await t.api('GET', `/v1/connections/${connectionId}/drift`, { token });
    expect(drift.status, drift.text).toBe(200);
    expect(drift.body.expected.policies).toEqual(expected);
    expect(drift.body.roles).toEqual([]);
    const unknown = await t.api('GET', '/v1/connections/con_doesnotexist/drift', { token });
    expect(unknown.status).toBe(404);

    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
      stackName: 'tg-drifting',
      templateBody: created.body.deliverables.formats['cloudformation-json'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    roleArn = stack.outputs.RoleArn!;
  });

  it("after verification, the role's current documents are the expected ones; an IAM edit shows after re-verifying", async () => {
    const verified = await t.api('POST', `/v1/connections/${connectionId}/verify`, { token, body: { roleArn } });
    expect(verified.body.status, verified.text).toBe('connected');
    const drift = await t.api('GET', `/v1/connections/${connectionId}/drift`, { token });
    expect(drift.status, drift.text).toBe(200);
    const [role] = drift.body.roles;
    expect(role).toMatchObject({ roleArn, status: 'connected' });
    expect(role.verifiedAt).not.toBeNull();
    const customer = sandbox.accounts[1]!;
    const arnOf = (name: string) => `arn:aws:iam::${customer.accountId}:policy/${name}`;
    const current = new Map(
      role.observed.policies.map((p: { source: string; name: string; document: unknown }) => [
        `${p.name} ${p.source}`,
        p.document,
      ]),
    );
    for (const { name, document } of expected) expect(current.get(`${name} ${arnOf(name)}`)).toEqual(document);

    // The customer cuts the first policy down to its first statement's first action.
    const first = expected[0]!;
    const action = [first.document.Statement[0]!.Action].flat()[0]!;
    const cut = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [action], Resource: '*' }] };
    const iam = new IAMClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
    });
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: arnOf(first.name),
        PolicyDocument: JSON.stringify(cut),
        SetAsDefault: true,
      }),
    );
    const again = await t.api('POST', `/v1/connections/${connectionId}/verify`, { token, body: {} });
    expect(again.body.status, again.text).toBe('needs-update');
    const after = await t.api('GET', `/v1/connections/${connectionId}/drift`, { token });
    const edited = after.body.roles[0].observed.policies.find((p: { name: string }) => p.name === first.name);
    expect(edited.document).toEqual(cut);
    expect(after.body.roles[0].status).toBe('needs-update');
    // What is expected does not move: the template still writes the full document.
    expect(after.body.expected.policies).toEqual(expected);
  });

  it('GET /v1/audit filters by action, actor and time range, and refuses a malformed time naming it', async () => {
    const events = async (query: string) => {
      const res = await t.api('GET', `/v1/audit?${query}`, { token });
      expect(res.status, res.text).toBe(200);
      return res.body as { action: string; actorUserId: string | null; at: string; connectionId: string | null }[];
    };
    const all = await events('');
    expect(new Set(all.map((e) => e.action))).toEqual(
      new Set(['organization.create', 'connection.create', 'connection.verify']),
    );
    const verifies = await events('action=connection.verify');
    expect(verifies.map((e) => e.action)).toEqual(['connection.verify', 'connection.verify']);
    expect(await events(`action=connection.verify&connectionId=${connectionId}`)).toEqual(verifies);
    expect(await events('action=connection.delete')).toEqual([]);
    // The organization was created by the operator (no user): the admin's events are the rest.
    const byAdmin = await events(`actorUserId=${adminId}`);
    expect(byAdmin).toEqual(all.filter((e) => e.actorUserId === adminId));
    expect(byAdmin.map((e) => e.action).sort()).toEqual([
      'connection.create',
      'connection.verify',
      'connection.verify',
    ]);
    expect(await events('actorUserId=usr_someoneelse')).toEqual([]);
    // The time range: since is inclusive, until exclusive, offsets accepted.
    const oldest = all[all.length - 1]!;
    expect(await events(`since=${encodeURIComponent(startedAt)}`)).toEqual(all);
    expect(await events(`until=${encodeURIComponent(oldest.at)}`)).toEqual([]);
    expect(await events(`since=${encodeURIComponent(oldest.at)}&until=${encodeURIComponent(oldest.at)}`)).toEqual([]);
    const newest = all[0]!;
    expect((await events(`since=${encodeURIComponent(newest.at)}`)).map((e) => e.at)).toEqual([newest.at]);
    expect(await events('since=2999-01-01T00:00:00%2B02:00')).toEqual([]);
    // Paging with after=<seq> keeps the filter.
    const ordered = await events('after=0&action=connection.verify');
    expect(ordered.map((e) => e.action)).toEqual(['connection.verify', 'connection.verify']);
    const bad = await t.api('GET', '/v1/audit?since=yesterday', { token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('since');
  });
});
