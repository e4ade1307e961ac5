import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  PARTITIONS,
  quickCreateLink,
  renderCloudFormation,
  renderConsoleJson,
  renderDeliverable,
  renderStackSet,
  type PolicyDocument,
} from '../../src/index.ts';
import { expectCfnLintClean } from '../support/cfn-lint.ts';
import {
  CUSTOMER_ACCOUNT,
  allCases,
  compiledExample,
  evaluateTerraformTemplate,
  resolveCfn,
  type DeliverableCase,
} from './deliverable-cases.ts';

let cases: DeliverableCase[] = [];
let dir = '';

beforeAll(async () => {
  cases = await allCases();
  dir = mkdtempSync(join(tmpdir(), 'trustgate-templates-'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const defaults = (c: DeliverableCase) => Object.fromEntries(c.model.parameters.map((p) => [p.name, p.value]));

describe('deliverables for every blueprint and partition', () => {
  it('covers 4 blueprints x 3 partitions', () => {
    expect(cases).toHaveLength(12);
    expect(new Set(cases.map((c) => c.partition))).toEqual(new Set(PARTITIONS));
  });

  it("the cross-account, installer and instance-profile policies are the compiler's documents", async () => {
    for (const partition of PARTITIONS) {
      const compiled = await compiledExample(partition);
      for (const c of cases.filter((x) => x.partition === partition && x.blueprint !== 'spot-fleet')) {
        expect(c.expectedPolicies, c.name).toEqual(compiled.documents);
      }
    }
  });

  it('CloudFormation YAML and JSON parse to the same object, with no YAML tags and quoted versions', () => {
    for (const c of cases) {
      const json = JSON.parse(renderDeliverable(c.model, 'cloudformation-json'));
      const yamlText = renderDeliverable(c.model, 'cloudformation-yaml');
      expect(parseYaml(yamlText), c.name).toEqual(json);
      // A YAML 1.1 reader (PyYAML, older cfn tools) must read the same: no dates, no booleans from strings.
      expect(parseYaml(yamlText, { version: '1.1' }), c.name).toEqual(json);
      expect(yamlText).not.toMatch(/(^|\s)!\w/);
      expect(yamlText).toContain('AWSTemplateFormatVersion: "2010-09-09"');
      expect(yamlText).toMatch(/Version: "2012-10-17"/);
      expect(json).toEqual(renderCloudFormation(c.model));
    }
  });

  it('CloudFormation resolves to the same policies, trust policy and names as the raw JSON', () => {
    for (const c of cases) {
      const template = renderCloudFormation(c.model) as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
      const values = { params: defaults(c), partition: c.partition, accountId: CUSTOMER_ACCOUNT };
      const resolved = resolveCfn(template.Resources, values) as typeof template.Resources;
      const policies = Object.values(resolved)
        .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')
        .map((r) => ({ name: r.Properties.ManagedPolicyName, document: r.Properties.PolicyDocument }));
      expect(policies, c.name).toEqual(c.expectedPolicies);
      const raw = renderConsoleJson(c.model);
      const roles = Object.values(resolved).filter((r) => r.Type === 'AWS::IAM::Role');
      expect(
        roles.map((r) => r.Properties.AssumeRolePolicyDocument),
        c.name,
      ).toEqual(raw.roles.map((r) => r.trustPolicy));
      expect(roles.map((r) => r.Properties.RoleName)).toEqual(raw.roles.map((r) => r.roleName));
      expect(roles.map((r) => r.Properties.ManagedPolicyArns ?? [])).toEqual(
        raw.roles.map((r) => r.attachedPolicyArns),
      );
      // Nothing in a template hard-codes the customer's account or the partition of an ARN.
      const text = JSON.stringify(template);
      expect(text.includes(CUSTOMER_ACCOUNT), c.name).toBe(false);
      expect(/"arn:aws(-us-gov|-cn)?:(?!aws:)/.test(text.replace(/"ServiceToken":"[^"]*"/g, '')), c.name).toBe(false);
    }
  });

  it('Terraform parses with a real HCL parser, and its policies equal the input documents', async () => {
    for (const c of cases) {
      const text = renderDeliverable(c.model, 'terraform');
      const hcl = (await parseHcl('main.tf', text)) as {
        variable: Record<string, Array<{ default: string }>>;
        data: Record<string, unknown>;
        resource: Record<string, Record<string, Array<Record<string, unknown>>>>;
        output: Record<string, unknown>;
      };
      expect(Object.keys(hcl.data).sort()).toEqual(['aws_caller_identity', 'aws_partition']);
      const variables = Object.fromEntries(
        Object.entries(hcl.variable ?? {}).map(([k, v]) => [k, v[0]?.default ?? '']),
      );
      const evaluate = (s: string) =>
        evaluateTerraformTemplate(s, { variables, partition: c.partition, accountId: CUSTOMER_ACCOUNT });
      const policies = Object.values(hcl.resource.aws_iam_policy ?? {}).map((blocks) => ({
        name: evaluate(blocks[0]?.name as string),
        document: JSON.parse(evaluate(blocks[0]?.policy as string)) as PolicyDocument,
      }));
      expect(policies, c.name).toEqual(c.expectedPolicies);
      const raw = renderConsoleJson(c.model);
      const roles = Object.values(hcl.resource.aws_iam_role ?? {}).map(
        (blocks) => JSON.parse(evaluate(blocks[0]?.assume_role_policy as string)) as PolicyDocument,
      );
      expect(roles, c.name).toEqual(raw.roles.map((r) => r.trustPolicy));
      const attachments =
        Object.keys(hcl.resource.aws_iam_role_policy_attachment ?? {}).length +
        Object.keys(hcl.resource.aws_iam_user_policy_attachment ?? {}).length;
      const expectedAttachments =
        raw.roles.concat().reduce((n, r) => n + r.permissionsPolicies.length + r.attachedPolicyArns.length, 0) +
        raw.users.reduce((n, u) => n + u.permissionsPolicies.length + u.attachedPolicyArns.length, 0);
      expect(attachments, c.name).toBe(expectedAttachments);
      expect(text).not.toMatch(/"arn:aws(-us-gov|-cn)?:/);
      if (c.blueprint === 'instance-profile-role')
        expect(Object.keys(hcl.resource.aws_iam_instance_profile ?? {})).toHaveLength(1);
      if (c.blueprint === 'installer-user') expect(Object.keys(hcl.resource.aws_iam_access_key ?? {})).toHaveLength(1);
      if (c.blueprint === 'spot-fleet')
        expect(Object.keys(hcl.resource.aws_iam_service_linked_role ?? {})).toHaveLength(2);
    }
  }, 300_000);

  it('the AWS CLI script is valid bash', () => {
    for (const c of cases) {
      const file = join(dir, `${c.blueprint}-${c.partition}.sh`);
      writeFileSync(file, renderDeliverable(c.model, 'cli'));
      const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      expect(r.status, `${c.name}: ${r.stderr}`).toBe(0);
    }
  }, 300_000);

  it('every CloudFormation output (JSON, YAML, StackSet, with callback) passes cfn-lint with no errors', () => {
    const files: string[] = [];
    for (const c of cases) {
      for (const format of ['cloudformation-json', 'cloudformation-yaml'] as const) {
        const file = join(dir, `${c.blueprint}-${c.partition}.${format === 'cloudformation-json' ? 'json' : 'yaml'}`);
        writeFileSync(file, renderDeliverable(c.model, format));
        files.push(file);
      }
      const stackSet = renderStackSet(c.model, {
        stackSetName: 'trustgate',
        organizationalUnitIds: ['ou-ab12-cdef3456'],
      });
      const file = join(dir, `${c.blueprint}-${c.partition}-stackset.json`);
      writeFileSync(file, stackSet.createStackSet.TemplateBody as string);
      files.push(file);
      if (c.blueprint === 'cross-account-role') {
        const withCallback = {
          ...c.model,
          callback: {
            serviceToken: `arn:${c.partition}:sns:${c.partition === 'aws-cn' ? 'cn-north-1' : c.partition === 'aws' ? 'us-east-1' : 'us-gov-west-1'}:111122223333:trustgate-connect`,
            properties: { ConnectionId: 'conn-1', CallbackToken: 'tok' },
          },
        };
        const cb = join(dir, `${c.blueprint}-${c.partition}-callback.yaml`);
        writeFileSync(cb, renderDeliverable(withCallback, 'cloudformation-yaml'));
        files.push(cb);
      }
    }
    expectCfnLintClean(files);
  }, 300_000);

  it('the raw JSON carries resolved documents and the notes', () => {
    for (const c of cases) {
      const raw = JSON.parse(renderDeliverable(c.model, 'json')) as ReturnType<typeof renderConsoleJson>;
      expect(raw.partition).toBe(c.partition);
      const text = JSON.stringify(raw.roles.map((r) => [r.trustPolicy, r.permissionsPolicies]));
      expect(text).not.toContain('${AWS::');
      if (c.blueprint === 'installer-user') {
        expect(raw.users[0]?.accessKey).toBe(true);
        expect(raw.notes.join(' ')).toMatch(/must store it/);
      }
    }
  });
});

describe('cross-account role details', () => {
  it('binds the trust policy to the ExternalId parameter and outputs the RoleArn', () => {
    const c = cases.find((x) => x.blueprint === 'cross-account-role' && x.partition === 'aws-cn');
    if (!c) throw new Error('missing case');
    const t = renderCloudFormation(c.model) as {
      Parameters: Record<string, { Default: string }>;
      Resources: Record<string, { Properties: Record<string, unknown> }>;
      Outputs: Record<string, unknown>;
    };
    expect(Object.keys(t.Parameters)).toEqual(['ExternalId', 'RoleName']);
    const trust = t.Resources.PlatformRole?.Properties.AssumeRolePolicyDocument as PolicyDocument;
    expect(trust.Statement[0]?.Condition).toEqual({ StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } });
    expect(trust.Statement[0]?.Principal).toEqual({
      AWS: { 'Fn::Sub': 'arn:${AWS::Partition}:iam::111122223333:root' },
    });
    expect(t.Resources.PlatformRole?.Properties.MaxSessionDuration).toBe(7200);
    expect(t.Outputs.RoleArn).toEqual({
      Description: expect.any(String),
      Value: { 'Fn::GetAtt': ['PlatformRole', 'Arn'] },
    });
  });

  it('adds the automatic-connect custom resource after the role and policies', () => {
    const c = cases.find((x) => x.blueprint === 'cross-account-role' && x.partition === 'aws');
    if (!c) throw new Error('missing case');
    const t = renderCloudFormation({
      ...c.model,
      callback: {
        serviceToken: 'arn:aws:sns:us-east-1:111122223333:connect',
        properties: { ConnectionId: 'c-1', CallbackToken: 't-1' },
      },
    }) as { Resources: Record<string, Record<string, unknown>> };
    const policyIds = c.model.resources.filter((r) => r.kind === 'managed-policy').map((r) => r.id);
    expect(t.Resources.TrustgateConnection).toEqual({
      Type: 'Custom::TrustgateConnection',
      DependsOn: ['PlatformRole', ...policyIds],
      Properties: {
        ServiceToken: 'arn:aws:sns:us-east-1:111122223333:connect',
        RoleArn: { 'Fn::GetAtt': ['PlatformRole', 'Arn'] },
        ExternalId: { Ref: 'ExternalId' },
        AccountId: { Ref: 'AWS::AccountId' },
        ConnectionId: 'c-1',
        CallbackToken: 't-1',
      },
    });
  });

  it("writes a quick-create link on each partition's console", () => {
    const hosts = {
      aws: 'https://us-east-1.console.aws.amazon.com/',
      'aws-us-gov': 'https://console.amazonaws-us-gov.com/',
      'aws-cn': 'https://console.amazonaws.cn/',
    } as const;
    for (const partition of PARTITIONS) {
      const link = quickCreateLink({
        partition,
        templateUrl: 'https://bucket.s3.amazonaws.com/t.yaml?x=1&y=2',
        stackName: 'Trustgate',
        parameters: { ExternalId: 'a@b:c/d', RoleName: 'TrustgateAccess' },
      });
      expect(link.startsWith(hosts[partition])).toBe(true);
      const url = new URL(link);
      expect(url.pathname).toBe('/cloudformation/home');
      const query = new URLSearchParams(url.hash.split('?')[1]);
      expect(url.hash.startsWith('#/stacks/quickcreate?')).toBe(true);
      expect(query.get('templateURL')).toBe('https://bucket.s3.amazonaws.com/t.yaml?x=1&y=2');
      expect(query.get('stackName')).toBe('Trustgate');
      expect(query.get('param_ExternalId')).toBe('a@b:c/d');
    }
    expect(() =>
      quickCreateLink({ partition: 'aws-cn', region: 'us-east-1', templateUrl: 'https://x.example/t', stackName: 'T' }),
    ).toThrow(/region/);
    expect(() => quickCreateLink({ partition: 'aws', templateUrl: 'http://x.example/t', stackName: 'T' })).toThrow(
      /https/,
    );
    expect(() => quickCreateLink({ partition: 'aws', templateUrl: 'https://x.example/t', stackName: '1bad' })).toThrow(
      /stackName/,
    );
  });

  it('gives the StackSet variant with service-managed permissions and OU targets', () => {
    const c = cases.find((x) => x.blueprint === 'cross-account-role' && x.partition === 'aws-us-gov');
    if (!c) throw new Error('missing case');
    const s = renderStackSet(c.model, {
      stackSetName: 'trustgate-access',
      organizationalUnitIds: ['ou-ab12-cdef3456', 'r-ab12'],
      parameters: { RoleName: 'OrgTrustgate' },
    });
    expect(s.createStackSet).toMatchObject({
      StackSetName: 'trustgate-access',
      PermissionModel: 'SERVICE_MANAGED',
      AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
      Capabilities: ['CAPABILITY_NAMED_IAM'],
      Parameters: [{ ParameterKey: 'RoleName', ParameterValue: 'OrgTrustgate' }],
    });
    expect(JSON.parse(s.createStackSet.TemplateBody as string)).toEqual(s.template);
    expect(s.createStackInstances).toMatchObject({
      DeploymentTargets: { OrganizationalUnitIds: ['ou-ab12-cdef3456', 'r-ab12'] },
      Regions: ['us-gov-west-1'],
    });
    expect(s.commands[0]).toContain('--permission-model SERVICE_MANAGED');
    expect(s.commands[1]).toContain('OrganizationalUnitIds=ou-ab12-cdef3456,r-ab12');
    expect([s.createStackSet.CallAs, s.createStackInstances.CallAs]).toEqual(['SELF', 'SELF']);
    // A delegated administrator (a member account) must say so in both calls, or CloudFormation refuses them.
    const delegated = renderStackSet(c.model, {
      stackSetName: 'trustgate-access',
      organizationalUnitIds: ['r-ab12'],
      callAs: 'DELEGATED_ADMIN',
    });
    expect([delegated.createStackSet.CallAs, delegated.createStackInstances.CallAs]).toEqual([
      'DELEGATED_ADMIN',
      'DELEGATED_ADMIN',
    ]);
    for (const command of delegated.commands) expect(command).toContain('--call-as DELEGATED_ADMIN');
    expect(() =>
      renderStackSet(c.model, { stackSetName: 'x', organizationalUnitIds: ['r-ab12'], callAs: 'ADMIN' as 'SELF' }),
    ).toThrow(/callAs/);
    // A custom resource's ServiceToken must be in the stack's region, so the automatic-connect callback pins it.
    const withCallback = {
      ...c.model,
      callback: { serviceToken: 'arn:aws-us-gov:sns:us-gov-east-1:111122223333:connect', properties: {} },
    };
    expect(() => renderStackSet(withCallback, { stackSetName: 'x', organizationalUnitIds: ['r-ab12'] })).toThrow(
      expect.objectContaining({ field: 'region' }),
    );
    expect(
      renderStackSet(withCallback, { stackSetName: 'x', organizationalUnitIds: ['r-ab12'], region: 'us-gov-east-1' })
        .createStackInstances.Regions,
    ).toEqual(['us-gov-east-1']);
    expect(() => renderStackSet(c.model, { stackSetName: 'x', organizationalUnitIds: ['ou-bad'] })).toThrow(
      /organizationalUnitIds\[0\]/,
    );
    expect(() =>
      renderStackSet(c.model, { stackSetName: 'x', organizationalUnitIds: ['r-ab12'], region: 'us-east-1' }),
    ).toThrow(/region/);
    expect(() =>
      renderStackSet(c.model, { stackSetName: 'x', organizationalUnitIds: ['r-ab12'], parameters: { Nope: 'x' } }),
    ).toThrow(/parameters\.Nope/);
  });
});

describe('spot-fleet, installer-user and instance-profile details', () => {
  it("spot-fleet: service-linked roles, confused-deputy tagging role with AWS's managed policy, PassRole only for it, KMS step", () => {
    for (const partition of PARTITIONS) {
      const c = cases.find((x) => x.blueprint === 'spot-fleet' && x.partition === partition);
      if (!c) throw new Error('missing case');
      const raw = renderConsoleJson(c.model);
      expect(raw.serviceLinkedRoles).toEqual([
        { roleName: 'AWSServiceRoleForEC2SpotFleet', awsServiceName: 'spotfleet.amazonaws.com' },
        { roleName: 'AWSServiceRoleForEC2Spot', awsServiceName: 'spot.amazonaws.com' },
      ]);
      expect(raw.roles[0]?.roleName).toBe('aws-ec2-spot-fleet-tagging-role');
      expect(raw.roles[0]?.attachedPolicyArns).toEqual([
        `arn:${partition}:iam::aws:policy/service-role/AmazonEC2SpotFleetTaggingRole`,
      ]);
      expect(raw.roles[0]?.trustPolicy.Statement[0]?.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': CUSTOMER_ACCOUNT },
        ArnLike: { 'aws:SourceArn': `arn:${partition}:ec2:*:${CUSTOMER_ACCOUNT}:spot-fleet-request/sfr-*` },
      });
      const passRole = c.expectedPolicies[0]?.document.Statement.find((s) => s.Action === 'iam:PassRole');
      expect(passRole?.Resource).toBe(`arn:${partition}:iam::${CUSTOMER_ACCOUNT}:role/aws-ec2-spot-fleet-tagging-role`);
      expect(raw.manualSteps[0]?.command).toMatch(/^aws kms create-grant/);
      expect(raw.manualSteps[0]?.command).toContain(
        `arn:${partition}:iam::${CUSTOMER_ACCOUNT}:role/aws-service-role/spotfleet.amazonaws.com/AWSServiceRoleForEC2SpotFleet`,
      );
      const cli = renderDeliverable(c.model, 'cli');
      expect(cli).toContain("aws iam create-service-linked-role --aws-service-name 'spotfleet.amazonaws.com'");
      expect(cli).toContain("aws iam create-service-linked-role --aws-service-name 'spot.amazonaws.com'");
    }
  });

  it('installer-user: programmatic access only, access key, secret warning everywhere', () => {
    const c = cases.find((x) => x.blueprint === 'installer-user' && x.partition === 'aws');
    if (!c) throw new Error('missing case');
    const t = renderCloudFormation(c.model) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      Outputs: Record<string, unknown>;
    };
    const types = Object.values(t.Resources)
      .map((r) => r.Type)
      .sort();
    expect(types).toContain('AWS::IAM::User');
    expect(types).toContain('AWS::IAM::AccessKey');
    expect(types).toContain('AWS::SecretsManager::Secret');
    expect(JSON.stringify(t.Resources)).not.toContain('LoginProfile');
    expect(JSON.stringify(t.Outputs)).not.toContain('SecretAccessKey"]');
    for (const format of ['terraform', 'cli'] as const)
      expect(renderDeliverable(c.model, format)).toMatch(/must store it/);
    expect(renderDeliverable(c.model, 'cli')).toMatch(/printed ONCE/);
    expect(renderDeliverable(c.model, 'terraform')).toMatch(/sensitive\s+= true/);
  });

  it('instance-profile-role: EC2 principal of the partition and an instance profile with the same name', () => {
    for (const partition of PARTITIONS) {
      const c = cases.find((x) => x.blueprint === 'instance-profile-role' && x.partition === partition);
      if (!c) throw new Error('missing case');
      const raw = renderConsoleJson(c.model);
      expect(raw.roles[0]?.trustPolicy.Statement[0]?.Principal).toEqual({
        Service: partition === 'aws-cn' ? 'ec2.amazonaws.com.cn' : 'ec2.amazonaws.com',
      });
      expect(raw.roles[0]?.instanceProfile).toBe(true);
      const t = renderCloudFormation(c.model) as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
      expect(t.Resources.InstanceRoleInstanceProfile?.Properties).toEqual({
        InstanceProfileName: { Ref: 'InstanceRole' },
        Path: '/',
        Roles: [{ Ref: 'InstanceRole' }],
      });
    }
  });
});
