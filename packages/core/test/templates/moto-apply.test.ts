/**
 * Every blueprint's CloudFormation applied to moto (an independent AWS emulator), and the AWS CLI script run
 * against it, then the IAM resources read back with the AWS SDK and compared with what the deliverable meant.
 *
 * What moto ignores (so it is not asserted here; cfn-lint and the resolved-template tests cover it):
 * - `AWS::IAM::Role.ManagedPolicyArns`: moto creates the role but attaches nothing, and it has no
 *   `service-role/AmazonEC2SpotFleetTaggingRole` AWS managed policy. trustgate's own policies are attached from
 *   the policy side (`AWS::IAM::ManagedPolicy.Roles` / `.Users`), which moto does apply.
 * - `AWS::IAM::ServiceLinkedRole`: the stack completes but moto creates no role (physical ID "None"); the CLI
 *   path (`create-service-linked-role`) does create it and is checked.
 * - `Custom::TrustgateConnection` with an SNS ServiceToken: moto treats every custom resource as Lambda-backed
 *   and never completes the stack, so the automatic-connect variant is only linted, not applied.
 * - `AWS::SecretsManager::Secret`: moto's CloudFormation does not create it (resource listed as "None"), so the
 *   installer's AccessKeySecretArn output is missing there; the access key itself is created and checked.
 * - Service-linked role names: moto calls them AWSServiceRoleFor<service> (AWSServiceRoleForspotfleet) instead of
 *   AWSServiceRoleForEC2SpotFleet, so they are found by path (/aws-service-role/<service>/).
 * - Partitions: moto is one commercial partition (account 123456789012); GovCloud and China templates resolve
 *   `AWS::Partition` to `aws` there, and their CLI scripts are expected to refuse to run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import {
  GetInstanceProfileCommand,
  GetLoginProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetUserCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListPoliciesCommand,
  ListRolesCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PARTITIONS,
  TemplateStrings,
  mapStrings,
  renderConsoleJson,
  renderDeliverable,
  resolveSegments,
  type DeliverableModel,
  type PolicyDocument,
} from '../../src/index.ts';
import { allCases, type DeliverableCase } from './deliverable-cases.ts';
import { startMoto, type MotoServer } from '../../../../test/support/moto-server.ts';

const MOTO_ACCOUNT = '123456789012';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };

let moto: MotoServer;
let iam: IAMClient;
let cfn: CloudFormationClient;
let cases: DeliverableCase[] = [];
let dir = '';

beforeAll(async () => {
  moto = await startMoto({ managedPolicies: true });
  iam = new IAMClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
  cfn = new CloudFormationClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials });
  cases = await allCases();
  dir = mkdtempSync(join(tmpdir(), 'trustgate-moto-'));
}, 120_000);
afterAll(async () => {
  await moto?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What the deliverable means in moto's account and partition: the raw JSON resolved there. */
function expected(model: DeliverableModel) {
  const strings = new TemplateStrings(model);
  const params = Object.fromEntries(model.parameters.map((p) => [p.name, p.value]));
  const resolve = (s: string) =>
    resolveSegments(strings.segments(s), { params, partition: 'aws', accountId: MOTO_ACCOUNT });
  const raw = renderConsoleJson(model);
  const doc = (d: PolicyDocument) => mapStrings(d, resolve) as PolicyDocument;
  const policies = model.resources.flatMap((r) =>
    r.kind === 'managed-policy' ? [{ name: resolve(r.policyName), document: doc(r.document) }] : [],
  );
  return {
    raw,
    policies,
    roles: model.resources.flatMap((r) => (r.kind === 'role' ? [{ ...r, trustPolicy: doc(r.trustPolicy) }] : [])),
  };
}

const decode = (text: string | undefined) => JSON.parse(decodeURIComponent(text ?? '{}')) as unknown;

async function checkAccount(model: DeliverableModel, path: 'cloudformation' | 'cli'): Promise<void> {
  const want = expected(model);
  // Every customer managed policy exists with exactly the document meant.
  const listed = await iam.send(new ListPoliciesCommand({ Scope: 'Local' }));
  for (const p of want.policies) {
    const meta = listed.Policies?.find((x) => x.PolicyName === p.name);
    expect(meta, p.name).toBeDefined();
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: meta?.Arn }));
    const version = await iam.send(
      new GetPolicyVersionCommand({ PolicyArn: meta?.Arn, VersionId: policy.Policy?.DefaultVersionId }),
    );
    expect(decode(version.PolicyVersion?.Document), p.name).toEqual(p.document);
  }
  for (const role of want.roles) {
    const got = (await iam.send(new GetRoleCommand({ RoleName: role.roleName }))).Role;
    expect(got?.Arn).toBe(`arn:aws:iam::${MOTO_ACCOUNT}:role${role.path ?? '/'}${role.roleName}`);
    expect(decode(got?.AssumeRolePolicyDocument)).toEqual(role.trustPolicy);
    expect(got?.MaxSessionDuration).toBe(role.maxSessionDuration ?? 3600);
    expect(got?.Description).toBe(role.description);
    const attached = (
      await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role.roleName }))
    ).AttachedPolicies?.map((a) => a.PolicyName).sort();
    const mine = model.resources.flatMap((r) =>
      r.kind === 'managed-policy' && r.attachTo.includes(role.id) ? [r.policyName] : [],
    );
    // moto leaves out AWS managed policies (see the file comment); the CLI path attaches them only if moto knows them.
    for (const name of mine) expect(attached, `${path} ${role.roleName}`).toContain(name);
    if (role.instanceProfile) {
      const profile = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: role.roleName }));
      expect(profile.InstanceProfile?.Roles?.map((r) => r.RoleName)).toEqual([role.roleName]);
    }
  }
  for (const user of model.resources.filter((r) => r.kind === 'user')) {
    if (user.kind !== 'user') continue;
    const got = await iam.send(new GetUserCommand({ UserName: user.userName }));
    expect(got.User?.UserName).toBe(user.userName);
    const attached = (
      await iam.send(new ListAttachedUserPoliciesCommand({ UserName: user.userName }))
    ).AttachedPolicies?.map((a) => a.PolicyName);
    for (const r of model.resources)
      if (r.kind === 'managed-policy' && r.attachTo.includes(user.id)) expect(attached).toContain(r.policyName);
    const keys = await iam.send(new ListAccessKeysCommand({ UserName: user.userName }));
    expect(keys.AccessKeyMetadata).toHaveLength(1);
    // Programmatic access only: no console password.
    await expect(iam.send(new GetLoginProfileCommand({ UserName: user.userName }))).rejects.toThrow(
      /NoSuchEntity|not found|cannot be found/i,
    );
  }
}

async function createStack(name: string, body: string): Promise<string> {
  await cfn.send(
    new CreateStackCommand({ StackName: name, TemplateBody: body, Capabilities: ['CAPABILITY_NAMED_IAM'] }),
  );
  for (let i = 0; i < 100; i++) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks?.[0];
    if (stack?.StackStatus && !stack.StackStatus.endsWith('_IN_PROGRESS')) return stack.StackStatus;
    await new Promise((r) => setTimeout(r, 100));
  }
  return 'TIMEOUT';
}

describe.each(PARTITIONS)('CloudFormation applied to moto (%s templates)', (partition) => {
  it('creates what every blueprint means', async () => {
    for (const [i, c] of cases.filter((x) => x.partition === partition).entries()) {
      // Each blueprint in a fresh account: they share the compiler's policy names.
      await moto.reset();
      const format = i % 2 === 0 ? 'cloudformation-json' : 'cloudformation-yaml';
      const stackName = `tg-${c.blueprint}`;
      const status = await createStack(stackName, renderDeliverable(c.model, format));
      expect(status, c.name).toBe('CREATE_COMPLETE');
      await checkAccount(c.model, 'cloudformation');
      const outputs = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.Outputs ?? [];
      const byKey = Object.fromEntries(outputs.map((o) => [o.OutputKey, o.OutputValue]));
      if (c.blueprint === 'cross-account-role')
        expect(byKey.RoleArn).toBe(`arn:aws:iam::${MOTO_ACCOUNT}:role/TrustgateAccess`);
      if (c.blueprint === 'spot-fleet') {
        expect(byKey.TaggingRoleArn).toBe(`arn:aws:iam::${MOTO_ACCOUNT}:role/aws-ec2-spot-fleet-tagging-role`);
        expect(byKey.UserPolicyArn).toBe(`arn:aws:iam::${MOTO_ACCOUNT}:policy/SpotFleetUserPolicy`);
      }
      if (c.blueprint === 'installer-user') {
        expect(byKey.AccessKeyId).toMatch(/^AKIA/);
        expect(JSON.stringify(outputs)).not.toMatch(/SecretAccessKey/);
        const resources =
          (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
        expect(resources.find((r) => r.ResourceType === 'AWS::IAM::AccessKey')?.PhysicalResourceId).toBe(
          byKey.AccessKeyId,
        );
      }
      if (c.blueprint === 'instance-profile-role') expect(byKey.InstanceProfileName).toBe('TrustgateInstanceRole');
    }
  }, 600_000);
});

describe('AWS CLI scripts run against moto', () => {
  const run = (c: DeliverableCase) => {
    const file = join(dir, `${c.blueprint}-${c.partition}.sh`);
    writeFileSync(file, renderDeliverable(c.model, 'cli'));
    return spawnSync('bash', [file], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      },
      timeout: 120_000,
    });
  };

  it('create what every blueprint means (commercial partition) and print the ARNs', async () => {
    for (const c of cases.filter((x) => x.partition === 'aws')) {
      await moto.reset();
      const r = run(c);
      expect(r.status, `${c.name}\n${r.stderr}`).toBe(0);
      await checkAccount(c.model, 'cli');
      if (c.blueprint === 'cross-account-role')
        expect(r.stdout).toContain(`RoleArn: arn:aws:iam::${MOTO_ACCOUNT}:role/TrustgateAccess`);
      if (c.blueprint === 'installer-user') {
        expect(r.stderr).toMatch(/printed ONCE/);
        expect(
          JSON.parse(r.stdout.slice(r.stdout.indexOf('{'), r.stdout.lastIndexOf('}') + 1)).AccessKey.SecretAccessKey,
        ).toBeTruthy();
      }
      if (c.blueprint === 'spot-fleet') {
        // moto names service-linked roles AWSServiceRoleFor<service> (AWSServiceRoleForspotfleet), not AWS's
        // names; find them by their path, which moto does get right.
        for (const service of ['spotfleet.amazonaws.com', 'spot.amazonaws.com']) {
          const roles =
            (await iam.send(new ListRolesCommand({ PathPrefix: `/aws-service-role/${service}/` }))).Roles ?? [];
          expect(roles, service).toHaveLength(1);
        }
      }
    }
  }, 600_000);

  it('refuse to run with credentials of another partition', () => {
    for (const c of cases.filter((x) => x.partition !== 'aws' && x.blueprint === 'cross-account-role')) {
      const r = run(c);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`for partition ${c.partition}, but the credentials are for aws`);
    }
  }, 120_000);
});
