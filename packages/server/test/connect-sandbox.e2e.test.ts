import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CloudFormationClient, DeleteStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { Sandbox } from '@trustgate/sandbox';
import { DIALECTS } from './test-stores.ts';
import { applyStack, startServiceOnSandbox, type ServiceOnSandbox, type TestService } from './service-harness.ts';
import { reverifyDueConnections } from '../src/app/jobs/reverify-connections.ts';

/**
 * The acceptance flows over HTTP against the sandbox (AWS-compatible STS/IAM/CloudFormation that enforces trust
 * policies and external IDs), on SQLite and on PostgreSQL.
 */
describe.each(DIALECTS)('connections end to end against the sandbox on %s', (dialect) => {
  let env: ServiceOnSandbox;
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let platform: Sandbox['accounts'][number];
  let customer: Sandbox['accounts'][number];
  let other: Sandbox['accounts'][number];
  const creds = (a: Sandbox['accounts'][number]) => ({
    accessKeyId: a.accessKeyId,
    secretAccessKey: a.secretAccessKey,
  });

  beforeAll(async () => {
    env = await startServiceOnSandbox({ dialect, sandbox: { accounts: 3, customResourceTimeoutMs: 20_000 } });
    ({ sandbox, t, platform } = env);
    [, customer, other] = sandbox.accounts as [typeof platform, typeof customer, typeof other];
    token = (await t.newOrganization('Acme')).adminToken;
  });
  afterAll(async () => {
    await env?.close();
  });

  async function newConnection(name: string, extra: Record<string, unknown> = {}, accountId = customer.accountId) {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: { name, scope: { kind: 'account', accountId }, roleName: `Tg-${name}`, ...extra },
    });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }

  it('manual: create -> apply the template -> verify -> connected; then a selection change -> needs-update with a diff, stack update -> connected', async () => {
    const created = await newConnection('manual');
    expect(created.connection.status).toBe('pending');
    expect(created.connection.externalId).toMatch(/^tg-/);
    for (const format of [
      'json',
      'cloudformation-json',
      'cloudformation-yaml',
      'quick-create-link',
      'stackset',
      'terraform',
      'cli',
    ]) {
      expect(created.deliverables.formats[format], format).toBeTruthy();
    }
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-manual',
      templateBody: created.deliverables.formats['cloudformation-yaml'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const roleArn = stack.outputs.RoleArn;
    expect(roleArn).toBe(`arn:aws:iam::${customer.accountId}:role/Tg-manual`);

    const stackId = `arn:aws:cloudformation:us-east-1:${customer.accountId}:stack/tg-manual/0f1e2d3c-aaaa-bbbb-cccc-123456789012`;
    const verified = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, {
      token,
      body: { roleArn, stackId },
    });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.status, verified.body.statusReason).toBe('connected');
    expect(verified.body.roles[0]).toMatchObject({ accountId: customer.accountId, status: 'connected', missing: [] });

    // Selection change: the customer's role now lacks the write actions that were added. (The read-only
    // additions are already granted by the AWS managed ReadOnlyAccess policy of the default `plan` integration,
    // as they would be in AWS, so they must not be reported missing.)
    const changed = await t.api('PATCH', `/v1/connections/${created.connection.id}`, {
      token,
      body: {
        selection: {
          mode: 'custom',
          products: ['cost-inventory'],
          integrations: ['state-backend', 'plan', 'spot-fleet-iam-console', 'load-balancers'],
        },
      },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.connection.status).toBe('needs-update');
    expect(changed.body.diff.changed).toBe(true);
    const added = changed.body.diff.added.map((a: { integrationId: string }) => a.integrationId);
    expect(added).toContain('savings-plans');
    expect(changed.body.connection.pendingChanges.added).toEqual(changed.body.diff.added);

    const stillMissing = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, { token, body: {} });
    expect(stillMissing.body.status).toBe('needs-update');
    const missing = stillMissing.body.roles[0].missing as Array<{ integrationId: string; actions: string[] }>;
    expect(missing.map((m) => m.integrationId).sort()).toEqual(['load-balancers', 'spot-fleet-iam-console']);
    const consoleMissing = missing.find((m) => m.integrationId === 'spot-fleet-iam-console')!.actions;
    expect(consoleMissing).toContain('iam:CreateRole');
    expect(consoleMissing).not.toContain('iam:GetRole'); // granted by ReadOnlyAccess

    const template = await t.api('GET', `/v1/connections/${created.connection.id}/deliverables/cloudformation-json`, {
      token,
    });
    expect(template.headers.get('content-type')).toContain('application/json');
    const links = (await t.api('GET', `/v1/connections/${created.connection.id}/deliverables`, { token })).body
      .updateStackLinks;
    expect(links).toEqual([
      { accountId: customer.accountId, stackId, link: expect.stringContaining(encodeURIComponent(stackId)) },
    ]);
    const updated = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-manual',
      templateBody: template.text,
      update: true,
    });
    expect(updated.status, updated.reason).toBe('UPDATE_COMPLETE');
    const again = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, { token, body: {} });
    expect(again.body.status, again.body.statusReason).toBe('connected');
    expect(again.body.pendingChanges).toBeNull();
  });

  it('a role whose trust policy lacks the external ID is insecure, with a fix', async () => {
    const created = await newConnection('insecure');
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: creds(customer) });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'Tg-insecure',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${platform.accountId}:root` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    for (const p of created.deliverables.permissionPolicies) {
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'Tg-insecure',
          PolicyName: p.name,
          PolicyDocument: JSON.stringify(p.document),
        }),
      );
    }
    const res = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, {
      token,
      body: { roleArn: `arn:aws:iam::${customer.accountId}:role/Tg-insecure` },
    });
    expect(res.body.status).toBe('insecure');
    expect(res.body.roles[0].fixHint).toContain('sts:ExternalId');
    expect(res.body.roles[0].fixHint).toContain(created.connection.externalId);
  });

  it('a role missing actions lists them per integration', async () => {
    const created = await newConnection('missing');
    const trust = created.deliverables.trustPolicy;
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: creds(customer) });
    await iam.send(new CreateRoleCommand({ RoleName: 'Tg-missing', AssumeRolePolicyDocument: JSON.stringify(trust) }));
    // Only the first required integration's actions (and the self-inspection reads) are granted.
    const [first, ...rest] = created.connection.requiredActions as {
      productId: string;
      integrationId: string;
      actions: string[];
    }[];
    const granted = [
      ...(first?.actions ?? []),
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
    ];
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'Tg-missing',
        PolicyName: 'partial',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: granted, Resource: '*' }],
        }),
      }),
    );
    const res = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, {
      token,
      body: { roleArn: `arn:aws:iam::${customer.accountId}:role/Tg-missing` },
    });
    expect(res.body.status).toBe('needs-update');
    const missing = res.body.roles[0].missing as { productId: string; integrationId: string; actions: string[] }[];
    expect(missing.map((m) => m.integrationId)).not.toContain(first?.integrationId);
    // sts:GetCallerIdentity needs no permission in AWS (STS API reference), so it is never missing.
    const notNeeded = ['sts:GetCallerIdentity'];
    const expected = rest
      .map((r) => ({
        productId: r.productId,
        integrationId: r.integrationId,
        actions: r.actions.filter((a) => !granted.includes(a) && !notNeeded.includes(a)),
      }))
      .filter((r) => r.actions.length > 0);
    expect(missing).toEqual(expected);
  });

  it("automatic: the stack's custom resource reports back and the connection becomes connected; the token is one-time", async () => {
    const created = await newConnection('auto', { mode: 'automatic' });
    expect(created.deliverables.formats['cloudformation-json']).toContain('Custom::TrustgateConnection');
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-auto',
      templateBody: created.deliverables.formats['cloudformation-json'],
    });
    await t.service.background.idle();
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const got = await t.api('GET', `/v1/connections/${created.connection.id}`, { token });
    expect(got.body.status, got.body.statusReason).toBe('connected');
    const audit = await t.api('GET', `/v1/audit?connectionId=${created.connection.id}`, { token });
    expect(audit.body.map((e: { action: string }) => e.action)).toContain('connection.callback');
    // The template used has a spent token: the same template in another stack fails visibly.
    const replay = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-auto-replay',
      templateBody: created.deliverables.formats['cloudformation-json'].replaceAll('Tg-auto', 'Tg-auto2'),
    });
    expect(replay.status).toMatch(/ROLLBACK_COMPLETE|CREATE_FAILED/);
    await t.service.background.idle();
    // Both answers are audited: the SUCCESS, and the FAILED for the spent token (which no audit row records).
    const answers = (await t.api('GET', `/v1/audit?connectionId=${created.connection.id}`, { token })).body
      .filter((e: { action: string }) => e.action === 'connection.callback')
      .map(
        (e: { details: { answer: string; refusal?: string } }) =>
          `${e.details.answer}${e.details.refusal === undefined ? '' : ` ${e.details.refusal}`}`,
      );
    expect(answers.sort()).toEqual(['FAILED invalid-callback-token', 'SUCCESS']);
    // The one-time token is in the template only: never in the audit log or the connection's view.
    const template = JSON.parse(created.deliverables.formats['cloudformation-json']) as {
      Resources: Record<string, { Type: string; Properties: { CallbackToken?: string } }>;
    };
    const callbackToken = Object.values(template.Resources).find((r) => r.Type === 'Custom::TrustgateConnection')
      ?.Properties.CallbackToken;
    expect(callbackToken).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect((await t.api('GET', '/v1/audit', { token })).text).not.toContain(callbackToken);
    expect((await t.api('GET', `/v1/connections/${created.connection.id}`, { token })).text).not.toContain(
      callbackToken,
    );

    // A selection change: needs-update, an update-stack link for the stack that reported itself, and the
    // stack update (carrying a fresh one-time token) reports back and connects again.
    const changed = await t.api('PATCH', `/v1/connections/${created.connection.id}`, {
      token,
      body: { selection: { mode: 'custom', products: ['cost-inventory'] } },
    });
    expect(changed.body.connection.status).toBe('needs-update');
    const deliverables = (await t.api('GET', `/v1/connections/${created.connection.id}/deliverables`, { token })).body;
    expect(deliverables.updateStackLinks).toHaveLength(1);
    expect(deliverables.updateStackLinks[0].link).toContain(
      encodeURIComponent(deliverables.updateStackLinks[0].stackId),
    );
    expect(deliverables.updateStackLinks[0].link).toMatch(/#\/stacks\/update\/template\?/);
    const updated = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-auto',
      templateBody: deliverables.formats['cloudformation-json'],
      update: true,
    });
    expect(updated.status, updated.reason).toBe('UPDATE_COMPLETE');
    await t.service.background.idle();
    const after = (await t.api('GET', `/v1/connections/${created.connection.id}`, { token })).body;
    expect(after.status, after.statusReason).toBe('connected');
    expect(after.pendingChanges).toBeNull();

    // Deleting the stack is never blocked: the Delete request is answered SUCCESS.
    const cfn = new CloudFormationClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: creds(customer),
    });
    await cfn.send(new DeleteStackCommand({ StackName: 'tg-auto' }));
    let status = 'DELETE_IN_PROGRESS';
    for (let i = 0; i < 200 && status === 'DELETE_IN_PROGRESS'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      status =
        (
          await cfn
            .send(new DescribeStacksCommand({ StackName: 'tg-auto' }))
            .catch(() => ({ Stacks: [{ StackStatus: 'DELETE_COMPLETE' }] }))
        ).Stacks?.[0]?.StackStatus ?? 'DELETE_COMPLETE';
    }
    expect(status).toBe('DELETE_COMPLETE');
  });

  it('automatic: a stack in an account outside the scope fails with the reason instead of looking done', async () => {
    const created = await newConnection('auto-wrong', { mode: 'automatic' });
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(other),
      stackName: 'tg-auto-wrong',
      templateBody: created.deliverables.formats['cloudformation-json'],
    });
    expect(stack.status).toMatch(/ROLLBACK_COMPLETE|CREATE_FAILED/);
    const got = await t.api('GET', `/v1/connections/${created.connection.id}`, { token });
    expect(got.body.status).toBe('pending');
  });

  it("several accounts: pending until every account's role is verified, then connected", async () => {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: 'multi',
        roleName: 'Tg-multi',
        scope: { kind: 'accounts', accountIds: [customer.accountId, other.accountId] },
        selection: { mode: 'custom', products: ['cost-inventory'] },
      },
    });
    expect(res.status, res.text).toBe(201);
    const id = res.body.connection.id;
    const template = res.body.deliverables.formats['cloudformation-json'];
    for (const [i, account] of [customer, other].entries()) {
      const stack = await applyStack({
        endpoint: sandbox.endpoint,
        credentials: creds(account),
        stackName: 'tg-multi',
        templateBody: template,
      });
      expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
      const verified = await t.api('POST', `/v1/connections/${id}/verify`, {
        token,
        body: { roleArn: stack.outputs.RoleArn },
      });
      expect(verified.body.status, verified.body.statusReason).toBe(i === 0 ? 'pending' : 'connected');
    }
    const got = (await t.api('GET', `/v1/connections/${id}`, { token })).body;
    expect(got.roles.map((r: { accountId: string; status: string }) => [r.accountId, r.status]).sort()).toEqual(
      [
        [customer.accountId, 'connected'],
        [other.accountId, 'connected'],
      ].sort(),
    );
  });

  it('rotates the external ID without an outage and re-verification catches a deleted role', async () => {
    const created = await newConnection('rotate');
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-rotate',
      templateBody: created.deliverables.formats['cloudformation-json'],
    });
    const id = created.connection.id;
    expect(
      (await t.api('POST', `/v1/connections/${id}/verify`, { token, body: { roleArn: stack.outputs.RoleArn } })).body
        .status,
    ).toBe('connected');
    const rotated = await t.api('POST', `/v1/connections/${id}/rotate-external-id`, { token });
    expect(rotated.body.previousExternalId).toBe(created.connection.externalId);
    expect(rotated.body.externalId).not.toBe(created.connection.externalId);
    // Before the stack is updated the old ID still works: not broken, asked to update.
    const during = await t.api('POST', `/v1/connections/${id}/verify`, { token, body: {} });
    expect(during.body.status).toBe('needs-update');
    expect(during.body.statusReason).toContain('previous external ID');
    const template = await t.api('GET', `/v1/connections/${id}/deliverables/cloudformation-json`, { token });
    expect(template.text).toContain(created.connection.externalId);
    expect(template.text).toContain(rotated.body.externalId);
    const updated = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(customer),
      stackName: 'tg-rotate',
      templateBody: template.text,
      update: true,
      parameters: { ExternalId: rotated.body.externalId },
    });
    expect(updated.status, updated.reason).toBe('UPDATE_COMPLETE');
    const after = await t.api('POST', `/v1/connections/${id}/verify`, { token, body: {} });
    expect(after.body.status, after.body.statusReason).toBe('connected');
    expect(after.body.previousExternalId).toBeNull();

    // The customer deletes the stack; the scheduled re-verification finds the role gone.
    await new CloudFormationClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: creds(customer),
    }).send(new DeleteStackCommand({ StackName: 'tg-rotate' }));
    await new Promise((r) => setTimeout(r, 300));
    const run = await reverifyDueConnections(t.service.deps, {
      holder: 'test',
      intervalMs: 1000,
      now: new Date(Date.now() + 60_000),
    });
    expect(run.ran).toBe(true);
    const broken = await t.api('GET', `/v1/connections/${id}`, { token });
    expect(broken.body.status).toBe('broken');
  });
});
