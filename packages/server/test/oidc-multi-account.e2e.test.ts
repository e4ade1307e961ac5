import { randomBytes } from 'node:crypto';
import {
  CloudFormationClient,
  CreateStackInstancesCommand,
  CreateStackSetCommand,
  DescribeStackSetOperationCommand,
} from '@aws-sdk/client-cloudformation';
import { CreateRoleCommand, GetRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { buildTrustPolicy, oidcSubjectPattern } from '@trustgate/core';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox, type SandboxAccount } from '@trustgate/sandbox';
import { selfInspectionPolicy } from '../src/model/self-inspection-policy.ts';
import { applyStack, startTestService, type TestService } from './service-harness.ts';

const ISSUER = 'https://id.trustgate.test';
const PROVIDER_PATH = 'oidc-provider/id.trustgate.test';

/** The final status of a StackSet operation (polled while RUNNING). */
async function operationStatus(cfn: CloudFormationClient, stackSetName: string, operationId: string): Promise<string> {
  for (let i = 0; i < 500; i++) {
    const op = await cfn.send(
      new DescribeStackSetOperationCommand({ StackSetName: stackSetName, OperationId: operationId }),
    );
    if (op.StackSetOperation?.Status !== 'RUNNING') return op.StackSetOperation?.Status ?? 'UNKNOWN';
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('the StackSet operation is still running');
}

/**
 * OIDC connections of several accounts and of an organization against the sandbox, with a service that holds no AWS
 * identity: each account's role trusts its own account's OIDC provider and is verified with trustgate's tokens on its
 * own; an organization's accounts also prove their membership as the role's session.
 */
describe('OIDC connections of several accounts and organizations against the sandbox', () => {
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let org: string;
  let stackA: string;
  // The organization: management [0], members [1] and [2]. Standalone accounts [3] and [4].
  let management: SandboxAccount;
  let members: SandboxAccount[];
  let standalone: SandboxAccount[];
  let organizationId: string;
  const creds = (a: SandboxAccount) => ({ accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });
  const providerArn = (a: SandboxAccount) => `arn:aws:iam::${a.accountId}:${PROVIDER_PATH}`;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 5, organization: true, organizationMembers: 3 });
    const all = sandbox.accounts;
    management = all[0]!;
    members = [all[1]!, all[2]!];
    standalone = [all[3]!, all[4]!];
    t = await startTestService({
      dialect: 'sqlite',
      partitions: { aws: { endpoint: sandbox.endpoint, region: sandbox.region } },
      identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) },
    });
    sandbox.routeOidcIssuer(ISSUER, t.url);
    ({ adminToken: token, organizationId: org } = await t.newOrganization('Acme'));
    stackA = (await t.api('POST', '/v1/stacks', { token, body: { slug: 'alpha', name: 'alpha' } })).body.id;
    organizationId = (
      await new OrganizationsClient({
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        credentials: creds(management),
      }).send(new DescribeOrganizationCommand({}))
    ).Organization!.Id!;
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  const connect = async (body: Record<string, unknown>) => {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: `c-${randomBytes(4).toString('hex')}`,
        trust: { kind: 'oidc', stackIds: [stackA], phases: ['read', 'write'] },
        ...body,
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.body as { connection: { id: string }; deliverables: { formats: Record<string, string> } };
  };
  const verify = (id: string, roleArn: string) =>
    t.api('POST', `/v1/connections/${id}/verify`, { token, body: { roleArn } });
  const apply = (account: SandboxAccount, stackName: string, templateBody: string, providerExists = false) =>
    applyStack({
      endpoint: sandbox.endpoint,
      credentials: creds(account),
      stackName,
      templateBody,
      ...(providerExists ? { parameters: { OidcProviderArn: providerArn(account) } } : {}),
    });
  const federatedOf = async (account: SandboxAccount, roleName: string) => {
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: creds(account) });
    const role = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!;
    const trust = JSON.parse(decodeURIComponent(role.AssumeRolePolicyDocument!));
    return trust.Statement[0].Principal.Federated as string;
  };

  describe('scope accounts', () => {
    let id: string;
    const roleArns: string[] = [];

    it("one template for every account: each account's role trusts its own provider; pending until each is verified", async () => {
      const created = await connect({
        roleName: 'TrustgateMulti',
        scope: { kind: 'accounts', accountIds: standalone.map((a) => a.accountId) },
      });
      id = created.connection.id;
      const template = created.deliverables.formats['cloudformation-yaml']!;
      for (const [i, account] of standalone.entries()) {
        const stack = await apply(account, 'trustgate-oidc-multi', template);
        expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
        expect(await federatedOf(account, 'TrustgateMulti')).toBe(providerArn(account));
        roleArns.push(stack.outputs.RoleArn!);
        const res = await verify(id, stack.outputs.RoleArn!);
        expect(res.status, res.text).toBe(200);
        const mine = res.body.roles.find((r: { accountId: string }) => r.accountId === account.accountId);
        expect(mine.status, mine.statusReason).toBe('connected');
        expect(res.body.status, res.body.statusReason).toBe(i === 0 ? 'pending' : 'connected');
      }
      expect(roleArns.map((a) => a.split(':')[4])).toEqual(standalone.map((a) => a.accountId));
    });

    it('a role in an account outside the scope is refused before any AWS call (400 roleArn)', async () => {
      const res = await verify(id, `arn:aws:iam::${members[0]!.accountId}:role/TrustgateMulti`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'roleArn' });
    });

    it("attaching proves every account; a run chooses its account and gets that account's role", async () => {
      const attached = await t.api('POST', `/v1/stacks/${stackA}/attachments`, {
        token,
        body: { connectionId: id, phases: ['read'] },
      });
      expect(attached.status, attached.text).toBe(201);
      const minted = await t.api('POST', '/v1/tokens', {
        token,
        body: { name: 'runs', scopes: ['credentials:issue'] },
      });
      const issuer = (minted.body.secret ?? minted.body.token?.secret) as string;
      const issue = (accountId?: string) =>
        t.api('POST', '/v1/issuances', {
          token: issuer,
          body: {
            stack: 'alpha',
            phase: 'read',
            runId: `run-${randomBytes(3).toString('hex')}`,
            connectionId: id,
            ...(accountId === undefined ? {} : { accountId }),
          },
        });
      for (const account of standalone) {
        const res = await issue(account.accountId);
        expect(res.status, res.text).toBe(201);
        expect(res.body.assumedRoleArn).toMatch(
          new RegExp(`^arn:aws:sts::${account.accountId}:assumed-role/TrustgateMulti/`),
        );
      }
      const ambiguous = await issue();
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.body.error.field).toBe('accountId');
    });
  });

  describe('scope organization', () => {
    it('the StackSet deliverable, rolled out from the management account, gives each member its provider and role: each connects once Organizations, asked as the role, names the organization', async () => {
      const created = await connect({
        roleName: 'TrustgateOrg',
        scope: { kind: 'organization', organizationId, organizationalUnitIds: ['r-abcd'] },
      });
      const stackSet = JSON.parse(created.deliverables.formats.stackset!);
      const cfn = new CloudFormationClient({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: creds(management),
      });
      await cfn.send(new CreateStackSetCommand(stackSet.createStackSet));
      const { OperationId } = await cfn.send(new CreateStackInstancesCommand(stackSet.createStackInstances));
      expect(await operationStatus(cfn, stackSet.createStackSet.StackSetName, OperationId!)).toBe('SUCCEEDED');
      for (const [i, member] of members.entries()) {
        expect(await federatedOf(member, 'TrustgateOrg')).toBe(providerArn(member));
        const res = await verify(created.connection.id, `arn:aws:iam::${member.accountId}:role/TrustgateOrg`);
        expect(res.status, res.text).toBe(200);
        expect(res.body.roles[i].status, res.body.roles[i].statusReason).toBe('connected');
      }
      const got = await t.api('GET', `/v1/connections/${created.connection.id}`, { token });
      expect(got.body.status, got.body.statusReason).toBe('connected');
      expect(got.body.roles).toHaveLength(2);
    });

    it('a member whose role may not read its organization is never connected: needs-update, saying what to grant', async () => {
      const created = await connect({ roleName: 'NoOrgRead', scope: { kind: 'organization', organizationId } });
      const member = members[1]!;
      const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: creds(member) });
      const trust = buildTrustPolicy({
        partition: 'aws',
        principals: [
          {
            type: 'oidc',
            accountId: member.accountId,
            issuer: ISSUER,
            audiences: ['sts.amazonaws.com'],
            subjects: [oidcSubjectPattern({ org, stack: stackA })],
          },
        ],
      });
      const role = await iam.send(
        new CreateRoleCommand({ RoleName: 'NoOrgRead', AssumeRolePolicyDocument: JSON.stringify(trust.document) }),
      );
      // It may read itself (as the template lets it) but not its organization.
      const self = selfInspectionPolicy('aws', 'NoOrgRead');
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'NoOrgRead',
          PolicyName: self.name,
          PolicyDocument: JSON.stringify(self.document),
        }),
      );
      const res = await verify(created.connection.id, role.Role!.Arn!);
      expect(res.body.status).toBe('needs-update');
      expect(res.body.roles[0].statusReason).toMatch(
        /Could not check that account .* organizations:DescribeOrganization/,
      );
      // Organizations was asked, as the role, and refused it (not left unasked).
      expect(res.body.roles[0].statusReason).not.toMatch(/it was not asked/);
    });

    it('an account in no organization is broken, however well its role trusts the tokens', async () => {
      const created = await connect({ roleName: 'TrustgateOrg', scope: { kind: 'organization', organizationId } });
      const outsider = standalone[0]!;
      const stack = await apply(
        outsider,
        'trustgate-oidc-org',
        created.deliverables.formats['cloudformation-json']!,
        true,
      );
      expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
      const res = await verify(created.connection.id, stack.outputs.RoleArn!);
      expect(res.body.status).toBe('broken');
      expect(res.body.roles[0].statusReason).toMatch(/not in any organization/);
    });
  });
});
