import {
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
  ListStacksCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
} from '@aws-sdk/client-cloudformation';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  CreateServiceLinkedRoleCommand,
  CreateUserCommand,
  DeleteAccessKeyCommand,
  DeleteInstanceProfileCommand,
  DeleteOpenIDConnectProviderCommand,
  DeletePolicyCommand,
  DeletePolicyVersionCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DeleteUserCommand,
  DetachRolePolicyCommand,
  GetInstanceProfileCommand,
  GetOpenIDConnectProviderCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  ListAccessKeysCommand,
  ListAttachedRolePoliciesCommand,
  ListInstanceProfilesForRoleCommand,
  ListOpenIDConnectProvidersCommand,
  ListPolicyVersionsCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListRoleTagsCommand,
  ListUsersCommand,
  PutRolePolicyCommand,
  RemoveRoleFromInstanceProfileCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { clients } from './sandbox-clients.ts';

/** One recorded call: its response shape, or its error name and HTTP status. */
export type Outcome = { ok: true; value: unknown } | { ok: false; name: string; status: number | undefined };

type Clients = ReturnType<typeof clients>;

/** A scenario: a named sequence of SDK calls, each recorded under a step name. */
export interface Scenario {
  name: string;
  run(
    c: Clients,
    record: (step: string, call: Promise<unknown>) => Promise<unknown>,
    env: { accountId: string },
  ): Promise<void>;
}

const trust = (accountId: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${accountId}:root` }, Action: 'sts:AssumeRole' }],
  });
const policy = (action: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });

/**
 * The non-security scenarios run against both the sandbox and moto with identical SDK calls. Security
 * behaviour (trust policies, external IDs, authorization) is left out: moto does not enforce it.
 */
export const SCENARIOS: Scenario[] = [
  {
    name: 'sts',
    async run(c, record, { accountId }) {
      await record('GetCallerIdentity', c.sts.send(new GetCallerIdentityCommand({})));
      await c.iam.send(new CreateRoleCommand({ RoleName: 'conf-assume', AssumeRolePolicyDocument: trust(accountId) }));
      const arn = `arn:aws:iam::${accountId}:role/conf-assume`;
      await record(
        'AssumeRole',
        c.sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'conformance', DurationSeconds: 900 })),
      );
      await record(
        'AssumeRole.shortDuration',
        c.sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'conformance', DurationSeconds: 100 })),
      );
      await record(
        'AssumeRole.badSessionName',
        c.sts.send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'has space' })),
      );
    },
  },
  {
    name: 'iam-roles',
    async run(c, record, { accountId }) {
      await record(
        'CreateRole',
        c.iam.send(
          new CreateRoleCommand({
            RoleName: 'conf-role',
            Path: '/team/',
            AssumeRolePolicyDocument: trust(accountId),
            Description: 'd',
            MaxSessionDuration: 7200,
            Tags: [{ Key: 'k', Value: 'v' }],
          }),
        ),
      );
      await record(
        'CreateRole.duplicate',
        c.iam.send(new CreateRoleCommand({ RoleName: 'conf-role', AssumeRolePolicyDocument: trust(accountId) })),
      );
      await record(
        'CreateRole.malformed',
        c.iam.send(new CreateRoleCommand({ RoleName: 'conf-bad', AssumeRolePolicyDocument: '{not json' })),
      );
      await record('GetRole', c.iam.send(new GetRoleCommand({ RoleName: 'conf-role' })));
      await record('GetRole.missing', c.iam.send(new GetRoleCommand({ RoleName: 'conf-nope' })));
      await record('ListRoles', c.iam.send(new ListRolesCommand({ PathPrefix: '/team/' })));
      await record(
        'UpdateRole',
        c.iam.send(new UpdateRoleCommand({ RoleName: 'conf-role', MaxSessionDuration: 3600 })),
      );
      await record(
        'UpdateAssumeRolePolicy',
        c.iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: 'conf-role', PolicyDocument: trust(accountId) })),
      );
      await record(
        'TagRole',
        c.iam.send(new TagRoleCommand({ RoleName: 'conf-role', Tags: [{ Key: 'k2', Value: 'v2' }] })),
      );
      await record('UntagRole', c.iam.send(new UntagRoleCommand({ RoleName: 'conf-role', TagKeys: ['k'] })));
      await record('ListRoleTags', c.iam.send(new ListRoleTagsCommand({ RoleName: 'conf-role' })));
      await record(
        'PutRolePolicy',
        c.iam.send(
          new PutRolePolicyCommand({
            RoleName: 'conf-role',
            PolicyName: 'inline',
            PolicyDocument: policy('s3:GetObject'),
          }),
        ),
      );
      await record(
        'PutRolePolicy.noVendor',
        c.iam.send(
          new PutRolePolicyCommand({ RoleName: 'conf-role', PolicyName: 'bad', PolicyDocument: policy('getobject') }),
        ),
      );
      await record(
        'GetRolePolicy',
        c.iam.send(new GetRolePolicyCommand({ RoleName: 'conf-role', PolicyName: 'inline' })),
      );
      await record('ListRolePolicies', c.iam.send(new ListRolePoliciesCommand({ RoleName: 'conf-role' })));
      await record('DeleteRole.conflict', c.iam.send(new DeleteRoleCommand({ RoleName: 'conf-role' })));
      await record(
        'DeleteRolePolicy',
        c.iam.send(new DeleteRolePolicyCommand({ RoleName: 'conf-role', PolicyName: 'inline' })),
      );
      await record('DeleteRole', c.iam.send(new DeleteRoleCommand({ RoleName: 'conf-role' })));
      await record('DeleteRole.missing', c.iam.send(new DeleteRoleCommand({ RoleName: 'conf-role' })));
    },
  },
  {
    name: 'iam-managed-policies',
    async run(c, record, { accountId }) {
      await c.iam.send(new CreateRoleCommand({ RoleName: 'conf-attach', AssumeRolePolicyDocument: trust(accountId) }));
      const created = (await record(
        'CreatePolicy',
        c.iam.send(
          new CreatePolicyCommand({
            PolicyName: 'conf-policy',
            PolicyDocument: policy('s3:ListBucket'),
            Description: 'desc',
          }),
        ),
      )) as { Policy?: { Arn?: string } } | undefined;
      const arn = created?.Policy?.Arn ?? `arn:aws:iam::${accountId}:policy/conf-policy`;
      await record(
        'CreatePolicy.duplicate',
        c.iam.send(new CreatePolicyCommand({ PolicyName: 'conf-policy', PolicyDocument: policy('s3:ListBucket') })),
      );
      await record('GetPolicy', c.iam.send(new GetPolicyCommand({ PolicyArn: arn })));
      await record(
        'GetPolicy.missing',
        c.iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${accountId}:policy/nope` })),
      );
      await record(
        'CreatePolicyVersion',
        c.iam.send(
          new CreatePolicyVersionCommand({
            PolicyArn: arn,
            PolicyDocument: policy('s3:GetObject'),
            SetAsDefault: true,
          }),
        ),
      );
      await record('GetPolicyVersion', c.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })));
      await record('ListPolicyVersions', c.iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn })));
      await record(
        'DeletePolicyVersion.default',
        c.iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v2' })),
      );
      await record(
        'DeletePolicyVersion',
        c.iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' })),
      );
      await record(
        'AttachRolePolicy',
        c.iam.send(new AttachRolePolicyCommand({ RoleName: 'conf-attach', PolicyArn: arn })),
      );
      await record(
        'AttachRolePolicy.missingPolicy',
        c.iam.send(
          new AttachRolePolicyCommand({ RoleName: 'conf-attach', PolicyArn: `arn:aws:iam::${accountId}:policy/nope` }),
        ),
      );
      await record(
        'ListAttachedRolePolicies',
        c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'conf-attach' })),
      );
      await record('DeletePolicy.attached', c.iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
      await record(
        'DetachRolePolicy',
        c.iam.send(new DetachRolePolicyCommand({ RoleName: 'conf-attach', PolicyArn: arn })),
      );
      await record('DeletePolicy', c.iam.send(new DeletePolicyCommand({ PolicyArn: arn })));
      await record(
        'AttachRolePolicy.awsManaged',
        c.iam.send(
          new AttachRolePolicyCommand({ RoleName: 'conf-attach', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }),
        ),
      );
    },
  },
  {
    name: 'iam-users',
    async run(c, record) {
      await record(
        'CreateUser',
        c.iam.send(new CreateUserCommand({ UserName: 'conf-user', Tags: [{ Key: 'team', Value: 'a' }] })),
      );
      await record('GetUser', c.iam.send(new GetUserCommand({ UserName: 'conf-user' })));
      await record('GetUser.missing', c.iam.send(new GetUserCommand({ UserName: 'conf-nouser' })));
      await record('ListUsers', c.iam.send(new ListUsersCommand({})));
      const key = (await record(
        'CreateAccessKey',
        c.iam.send(new CreateAccessKeyCommand({ UserName: 'conf-user' })),
      )) as { AccessKey?: { AccessKeyId?: string } } | undefined;
      await record('ListAccessKeys', c.iam.send(new ListAccessKeysCommand({ UserName: 'conf-user' })));
      await record('DeleteUser.conflict', c.iam.send(new DeleteUserCommand({ UserName: 'conf-user' })));
      await record(
        'DeleteAccessKey',
        c.iam.send(
          new DeleteAccessKeyCommand({ UserName: 'conf-user', AccessKeyId: key?.AccessKey?.AccessKeyId ?? 'AKIA' }),
        ),
      );
      await record('DeleteUser', c.iam.send(new DeleteUserCommand({ UserName: 'conf-user' })));
    },
  },
  {
    name: 'iam-instance-profiles-and-providers',
    async run(c, record, { accountId }) {
      await c.iam.send(new CreateRoleCommand({ RoleName: 'conf-ip-role', AssumeRolePolicyDocument: trust(accountId) }));
      await record(
        'CreateInstanceProfile',
        c.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: 'conf-ip' })),
      );
      await record(
        'AddRoleToInstanceProfile',
        c.iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: 'conf-ip', RoleName: 'conf-ip-role' })),
      );
      await record('GetInstanceProfile', c.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'conf-ip' })));
      await record(
        'ListInstanceProfilesForRole',
        c.iam.send(new ListInstanceProfilesForRoleCommand({ RoleName: 'conf-ip-role' })),
      );
      await record(
        'DeleteInstanceProfile.conflict',
        c.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'conf-ip' })),
      );
      await record(
        'RemoveRoleFromInstanceProfile',
        c.iam.send(
          new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: 'conf-ip', RoleName: 'conf-ip-role' }),
        ),
      );
      await record(
        'DeleteInstanceProfile',
        c.iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: 'conf-ip' })),
      );
      await record(
        'GetInstanceProfile.missing',
        c.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: 'conf-ip' })),
      );
      await record(
        'CreateServiceLinkedRole',
        c.iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: 'spotfleet.amazonaws.com' })),
      );
      const oidc = (await record(
        'CreateOpenIDConnectProvider',
        c.iam.send(
          new CreateOpenIDConnectProviderCommand({
            Url: 'https://token.example.com',
            ClientIDList: ['sts.amazonaws.com'],
            ThumbprintList: ['a'.repeat(40)],
          }),
        ),
      )) as { OpenIDConnectProviderArn?: string } | undefined;
      const arn = oidc?.OpenIDConnectProviderArn ?? '';
      await record(
        'CreateOpenIDConnectProvider.duplicate',
        c.iam.send(
          new CreateOpenIDConnectProviderCommand({
            Url: 'https://token.example.com',
            ClientIDList: ['x'],
            ThumbprintList: ['a'.repeat(40)],
          }),
        ),
      );
      await record(
        'GetOpenIDConnectProvider',
        c.iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
      );
      await record('ListOpenIDConnectProviders', c.iam.send(new ListOpenIDConnectProvidersCommand({})));
      await record(
        'DeleteOpenIDConnectProvider',
        c.iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn })),
      );
    },
  },
  {
    name: 'cloudformation',
    async run(c, record) {
      const body = (action: string) =>
        JSON.stringify({
          AWSTemplateFormatVersion: '2010-09-09',
          Description: 'conformance',
          Parameters: { Env: { Type: 'String', Default: 'dev' } },
          Resources: {
            Role: {
              Type: 'AWS::IAM::Role',
              Properties: {
                RoleName: 'conf-cfn-role',
                AssumeRolePolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [
                    { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
                  ],
                },
              },
            },
            Policy: {
              Type: 'AWS::IAM::ManagedPolicy',
              Properties: {
                PolicyDocument: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }],
                },
                Roles: [{ Ref: 'Role' }],
              },
            },
          },
          Outputs: {
            RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] }, Description: 'arn' },
            Env: { Value: { Ref: 'Env' } },
          },
        });
      await record('ValidateTemplate', c.cfn.send(new ValidateTemplateCommand({ TemplateBody: body('s3:GetObject') })));
      await record(
        'CreateStack',
        c.cfn.send(
          new CreateStackCommand({
            StackName: 'conf-stack',
            TemplateBody: body('s3:GetObject'),
            Capabilities: ['CAPABILITY_NAMED_IAM'],
            Tags: [{ Key: 'a', Value: 'b' }],
          }),
        ),
      );
      for (let i = 0; i < 100; i++) {
        const s = (await c.cfn.send(new DescribeStacksCommand({ StackName: 'conf-stack' }))).Stacks?.[0];
        if (!s?.StackStatus?.endsWith('IN_PROGRESS')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await record(
        'CreateStack.duplicate',
        c.cfn.send(
          new CreateStackCommand({
            StackName: 'conf-stack',
            TemplateBody: body('s3:GetObject'),
            Capabilities: ['CAPABILITY_NAMED_IAM'],
          }),
        ),
      );
      await record('DescribeStacks', c.cfn.send(new DescribeStacksCommand({ StackName: 'conf-stack' })));
      await record('DescribeStacks.missing', c.cfn.send(new DescribeStacksCommand({ StackName: 'conf-nostack' })));
      await record('ListStackResources', c.cfn.send(new ListStackResourcesCommand({ StackName: 'conf-stack' })));
      await record(
        'DescribeStackResources',
        c.cfn.send(new DescribeStackResourcesCommand({ StackName: 'conf-stack' })),
      );
      await record('GetTemplate', c.cfn.send(new GetTemplateCommand({ StackName: 'conf-stack' })));
      await record(
        'UpdateStack',
        c.cfn.send(
          new UpdateStackCommand({
            StackName: 'conf-stack',
            TemplateBody: body('s3:PutObject'),
            Capabilities: ['CAPABILITY_NAMED_IAM'],
          }),
        ),
      );
      for (let i = 0; i < 100; i++) {
        const s = (await c.cfn.send(new DescribeStacksCommand({ StackName: 'conf-stack' }))).Stacks?.[0];
        if (!s?.StackStatus?.endsWith('IN_PROGRESS')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await record('DescribeStacks.afterUpdate', c.cfn.send(new DescribeStacksCommand({ StackName: 'conf-stack' })));
      await record('DescribeStackEvents', c.cfn.send(new DescribeStackEventsCommand({ StackName: 'conf-stack' })));
      await record('DeleteStack', c.cfn.send(new DeleteStackCommand({ StackName: 'conf-stack' })));
      for (let i = 0; i < 100; i++) {
        const s = (await c.cfn.send(new ListStacksCommand({}))).StackSummaries?.find(
          (x) => x.StackName === 'conf-stack',
        );
        if (!s?.StackStatus?.endsWith('IN_PROGRESS')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await record('ListStacks', c.cfn.send(new ListStacksCommand({ StackStatusFilter: ['DELETE_COMPLETE'] })));
      await record('GetRole.afterDelete', c.iam.send(new GetRoleCommand({ RoleName: 'conf-cfn-role' })));
    },
  },
];
