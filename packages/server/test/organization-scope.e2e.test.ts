import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, DescribeStackEventsCommand } from '@aws-sdk/client-cloudformation';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import type { PolicyDocument } from '@trustgate/core';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';
import { selfInspectionPolicy } from '../src/model/self-inspection-policy.ts';
import { DIALECTS } from './test-stores.ts';
import {
  applyStack,
  startServiceOnSandbox,
  startTestService,
  type ServiceOnSandbox,
  type TestService,
} from './service-harness.ts';

type Account = Sandbox['accounts'][number];

/**
 * Organization-scoped connections against a sandbox with two organizations and standalone accounts, over HTTP,
 * on SQLite and PostgreSQL: membership is proven by Organizations as the role's own session, and verification
 * fails closed — an account outside the organization (in none, or in another) never becomes connected, in
 * manual and automatic mode, and neither does a role that may not read its organization.
 */
describe.each(DIALECTS)('organization-scoped connections against the sandbox on %s', (dialect) => {
  let env: ServiceOnSandbox;
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  // Organization A: management + two members. Organization B: management + member. Two standalone accounts.
  let mgmtA: Account;
  let memberA: Account;
  let memberA2: Account;
  let memberB: Account;
  let standalone: Account;
  let orgA: string;
  let orgB: string;
  const creds = (a: Account) => ({ accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });
  const organizationOf = async (a: Account) =>
    (
      await new OrganizationsClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: creds(a) }).send(
        new DescribeOrganizationCommand({}),
      )
    ).Organization!.Id!;

  beforeAll(async () => {
    // The last account is the platform's.
    env = await startServiceOnSandbox({
      dialect,
      sandbox: {
        accounts: 7,
        organization: true,
        organizationMembers: 3,
        otherOrganizations: [2],
        customResourceTimeoutMs: 20_000,
      },
      platformAccount: 6,
    });
    ({ sandbox, t } = env);
    let _mgmtB: Account;
    [mgmtA, memberA, memberA2, _mgmtB, memberB, standalone] = sandbox.accounts as [
      Account,
      Account,
      Account,
      Account,
      Account,
      Account,
    ];
    [orgA, orgB] = [await organizationOf(memberA), await organizationOf(memberB)];
    token = (await t.newOrganization('Acme')).adminToken;
  });
  afterAll(async () => {
    await env?.close();
  });

  async function newConnection(name: string, extra: Record<string, unknown> = {}) {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: { name, scope: { kind: 'organization', organizationId: orgA }, roleName: `Tg-${name}`, ...extra },
    });
    expect(res.status, res.text).toBe(201);
    return res.body;
  }
  async function applyAndVerify(
    created: { connection: { id: string }; deliverables: { formats: Record<string, string> } },
    account: Account,
    name: string,
  ) {
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(account),
      stackName: `tg-${name}`,
      templateBody: created.deliverables.formats['cloudformation-yaml']!,
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const res = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, {
      token,
      body: { roleArn: stack.outputs.RoleArn },
    });
    expect(res.status, res.text).toBe(200);
    return res.body;
  }

  it('the template grants organizations:DescribeOrganization; a member account and the management account connect', async () => {
    expect(orgB).not.toBe(orgA);
    const created = await newConnection('org-member');
    const statements = (created.deliverables.permissionPolicies as { document: PolicyDocument }[]).flatMap((p) =>
      [p.document.Statement].flat(),
    );
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Action: 'organizations:DescribeOrganization', Resource: '*' }),
    );
    const member = await applyAndVerify(created, memberA, 'org-member');
    expect(member.status, member.statusReason).toBe('connected');
    const management = await applyAndVerify(created, mgmtA, 'org-member-mgmt');
    expect(management.status, management.statusReason).toBe('connected');
    expect(management.roles.map((r: { accountId: string; status: string }) => [r.accountId, r.status]).sort()).toEqual(
      [
        [memberA.accountId, 'connected'],
        [mgmtA.accountId, 'connected'],
      ].sort(),
    );
  });

  it('an account-scoped connection does not ask for organizations:DescribeOrganization (least privilege)', async () => {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'single', scope: { kind: 'account', accountId: memberA.accountId }, roleName: 'Tg-single' },
    });
    expect(res.status, res.text).toBe(201);
    expect(JSON.stringify(res.body.deliverables.permissionPolicies)).not.toContain('organizations:');
  });

  it('a standalone account is not connected: broken, the reason says it is in no organization', async () => {
    const created = await newConnection('org-standalone');
    const verified = await applyAndVerify(created, standalone, 'org-standalone');
    expect(verified.status).toBe('broken');
    expect(verified.statusReason).toContain(`Account ${standalone.accountId} is not in any organization`);
    expect(verified.statusReason).toContain(orgA);
  });

  it('an account of another organization is not connected: broken, the reason names both organizations', async () => {
    const created = await newConnection('org-other');
    const verified = await applyAndVerify(created, memberB, 'org-other');
    expect(verified.status).toBe('broken');
    expect(verified.statusReason).toContain(
      `Account ${memberB.accountId} belongs to organization ${orgB}, not ${orgA}`,
    );
    // One outside account makes the whole connection broken even next to a connected member.
    const member = await applyAndVerify(created, memberA2, 'org-other-member');
    expect(member.status).toBe('broken');
    expect(member.roles.find((r: { accountId: string }) => r.accountId === memberA2.accountId).status).toBe(
      'connected',
    );
  });

  it("fails closed: a member account's role without organizations:DescribeOrganization is not connected (needs-update), and connects once granted", async () => {
    // A selection without AWS managed policies: ReadOnlyAccess would grant organizations:Describe* by itself, as in AWS.
    const created = await newConnection('org-noperm', { selection: { mode: 'custom', integrations: ['inventory'] } });
    expect(created.deliverables.managedPolicyArns).toEqual([]);
    const roleName = 'Tg-org-noperm';
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: creds(memberA2) });
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify(created.deliverables.trustPolicy),
      }),
    );
    const policies = created.deliverables.permissionPolicies as { name: string; document: PolicyDocument }[];
    const withoutOrg = (doc: PolicyDocument): PolicyDocument => ({
      ...doc,
      Statement: [doc.Statement].flat().filter((s) => s.Action !== 'organizations:DescribeOrganization'),
    });
    for (const p of policies)
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: p.name,
          PolicyDocument: JSON.stringify(withoutOrg(p.document)),
        }),
      );
    const roleArn = `arn:aws:iam::${memberA2.accountId}:role/${roleName}`;
    const denied = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, { token, body: { roleArn } });
    expect(denied.body.status).toBe('needs-update');
    expect(denied.body.statusReason).toContain('organizations:DescribeOrganization');
    expect(denied.body.statusReason).toContain(orgA);
    // The customer grants it (as the current template does): verification proves membership and connects.
    for (const p of policies)
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: p.name,
          PolicyDocument: JSON.stringify(p.document),
        }),
      );
    const granted = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, { token, body: {} });
    expect(granted.body.status, granted.body.statusReason).toBe('connected');
  });

  it("when Organizations gives no answer (5xx after the SDK's retries) there is no verdict: AWS_ERROR, and the account is not connected", async () => {
    const created = await newConnection('org-outage');
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(memberA),
      stackName: 'tg-org-outage',
      templateBody: created.deliverables.formats['cloudformation-yaml'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    sandbox.faults.inject({
      service: 'organizations',
      action: 'DescribeOrganization',
      kind: 'server-error',
      count: 10,
    });
    try {
      const res = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, {
        token,
        body: { roleArn: stack.outputs.RoleArn },
      });
      expect(res.status, res.text).toBe(502);
      expect(res.body.error.code).toBe('AWS_ERROR');
      expect(res.body.error.message).toContain('organization');
    } finally {
      sandbox.faults.clear();
    }
    const after = (await t.api('GET', `/v1/connections/${created.connection.id}`, { token })).body;
    expect(after.status).toBe('pending');
    const again = await t.api('POST', `/v1/connections/${created.connection.id}/verify`, {
      token,
      body: { roleArn: stack.outputs.RoleArn },
    });
    expect(again.body.status, again.body.statusReason).toBe('connected');
  });

  it('a connection issued before verification asked Organizations is upgraded when read: its template grants organizations:DescribeOrganization', async () => {
    const created = await newConnection('org-legacy');
    const stored = (await t.service.store.connections.getAnyOrganization(created.connection.id))!;
    const legacy = {
      ...stored.issuedPolicy,
      documents: stored.issuedPolicy.documents.map((d) =>
        d.name.endsWith('-verification') ? selfInspectionPolicy('aws', stored.roleName) : d,
      ),
    };
    expect(JSON.stringify(legacy)).not.toContain('organizations:DescribeOrganization');
    await t.service.store.connections.update({ ...stored, issuedPolicy: legacy });
    const template = await t.api('GET', `/v1/connections/${created.connection.id}/deliverables/cloudformation-json`, {
      token,
    });
    expect(template.status).toBe(200);
    expect(template.text).toContain('organizations:DescribeOrganization');
  });

  it('automatic: the callback of a stack in an account outside the organization answers FAILED with the reason; inside, it connects', async () => {
    const created = await newConnection('org-auto', { mode: 'automatic' });
    const outside = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(standalone),
      stackName: 'tg-org-auto-out',
      templateBody: created.deliverables.formats['cloudformation-json'],
    });
    await t.service.background.idle();
    expect(outside.status).toMatch(/ROLLBACK_COMPLETE|CREATE_FAILED/);
    const cfn = new CloudFormationClient({
      endpoint: sandbox.endpoint,
      region: 'us-east-1',
      credentials: creds(standalone),
    });
    const events = (await cfn.send(new DescribeStackEventsCommand({ StackName: 'tg-org-auto-out' }))).StackEvents ?? [];
    const failed = events.find(
      (e) => e.ResourceType === 'Custom::TrustgateConnection' && e.ResourceStatus === 'CREATE_FAILED',
    );
    expect(failed?.ResourceStatusReason).toContain(`Account ${standalone.accountId} is not in any organization`);
    const audit = (await t.api('GET', `/v1/audit?connectionId=${created.connection.id}`, { token })).body as {
      action: string;
      details: { answer: string };
    }[];
    expect(audit.filter((e) => e.action === 'connection.callback').map((e) => e.details.answer)).toEqual(['FAILED']);
    const after = (await t.api('GET', `/v1/connections/${created.connection.id}`, { token })).body;
    expect(after.status).not.toBe('connected');

    // The same template in a member account reports back and connects that account.
    const inside = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(memberA2),
      stackName: 'tg-org-auto-in',
      templateBody: created.deliverables.formats['cloudformation-json'],
    });
    await t.service.background.idle();
    expect(inside.status, inside.reason).toBe('CREATE_COMPLETE');
    const roles = (await t.api('GET', `/v1/connections/${created.connection.id}`, { token })).body.roles as {
      accountId: string;
      status: string;
    }[];
    expect(roles.find((r) => r.accountId === memberA2.accountId)?.status).toBe('connected');
    expect(roles.find((r) => r.accountId === standalone.accountId)?.status).toBe('broken');
  });
});

/**
 * Organizations is global per partition and signed for that partition's Region (us-gov-west-1, cn-northwest-1
 * — not the partition's default Region cn-north-1): the service's Organizations client must reach the sandbox
 * of GovCloud and of China with a signature those endpoints accept.
 */
describe.each([['aws-us-gov'], ['aws-cn']] as const)('organization-scoped connection in %s', (partition) => {
  let sandbox: Sandbox;
  let t: TestService;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 3, partition, organization: true, organizationMembers: 2 });
    const admin = sandbox.accounts[2]!;
    const identity = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    });
    t = await startTestService({
      dialect: 'sqlite',
      partitions: {
        [partition]: {
          endpoint: sandbox.endpoint,
          region: sandbox.region,
          credentials: identity.credentials,
          accountId: identity.accountId,
        },
      },
    });
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  it("a member account connects: the service signs its Organizations call for the partition's Organizations Region", async () => {
    const token = (await t.newOrganization('Partitioned')).adminToken;
    const member = sandbox.accounts[1]!;
    const credentials = { accessKeyId: member.accessKeyId, secretAccessKey: member.secretAccessKey };
    const orgId = (
      await new OrganizationsClient({
        endpoint: sandbox.endpoint,
        region: partition === 'aws-cn' ? 'cn-northwest-1' : 'us-gov-west-1',
        credentials,
      }).send(new DescribeOrganizationCommand({}))
    ).Organization!.Id!;
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: 'org',
        partition,
        scope: { kind: 'organization', organizationId: orgId },
        selection: { mode: 'custom', integrations: ['inventory'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials,
      stackName: 'tg-org',
      templateBody: created.body.deliverables.formats['cloudformation-json'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const verified = await t.api('POST', `/v1/connections/${created.body.connection.id}/verify`, {
      token,
      body: { roleArn: stack.outputs.RoleArn },
    });
    expect(verified.body.status, verified.body.statusReason).toBe('connected');
  });
});
