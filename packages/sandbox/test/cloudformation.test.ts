import {
  CreateStackCommand,
  type CreateStackCommandInput,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
  GetTemplateCommand,
  ListStackResourcesCommand,
} from '@aws-sdk/client-cloudformation';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { allowPolicy, awsError, clients, waitForStack } from './sandbox-clients.ts';

const doc = (actions: string[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
});
const trust = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
};

describe('CloudFormation over the SDK', () => {
  let sandbox: Sandbox;
  let c: ReturnType<typeof clients>;
  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2 });
    c = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
  });
  afterAll(async () => sandbox.stop());

  it('evaluates parameters, conditions, pseudo parameters and intrinsics into outputs', async () => {
    const template = {
      Parameters: {
        Env: { Type: 'String', AllowedValues: ['prod', 'dev'] },
        Names: { Type: 'CommaDelimitedList', Default: 'a,b,c' },
      },
      Conditions: {
        IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      },
      Mappings: { Sizes: { prod: { Duration: 7200 }, dev: { Duration: 3600 } } },
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            AssumeRolePolicyDocument: trust,
            MaxSessionDuration: { 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Duration'] },
            Description: { 'Fn::If': ['IsProd', 'production', { Ref: 'AWS::NoValue' }] },
          },
        },
        DevOnly: {
          Type: 'AWS::IAM::ManagedPolicy',
          Condition: 'NotProd',
          Properties: { PolicyDocument: doc(['s3:GetObject']), Roles: [{ Ref: 'Role' }] },
        },
      },
      Outputs: {
        Arn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } },
        Sub: {
          Value: {
            'Fn::Sub': [
              '${AWS::StackName}/${AWS::Region}/${AWS::AccountId}/${AWS::Partition}/${Role}/${X}',
              { X: { 'Fn::Select': [1, { Ref: 'Names' }] } },
            ],
          },
        },
        Joined: { Value: { 'Fn::Join': ['-', { Ref: 'Names' }] } },
        DevPolicy: { Condition: 'NotProd', Value: { Ref: 'DevOnly' } },
      },
    };
    await c.cfn.send(
      new CreateStackCommand({
        StackName: 'intrinsics',
        TemplateBody: JSON.stringify(template),
        Parameters: [{ ParameterKey: 'Env', ParameterValue: 'prod' }],
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const stack = await waitForStack(c.cfn, 'intrinsics');
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    const out = Object.fromEntries(stack.Outputs!.map((o) => [o.OutputKey, o.OutputValue]));
    const roleName = out.Arn!.split('/').pop()!;
    expect(roleName).toMatch(/^intrinsics-Role-[A-Z2-7]{12}$/);
    expect(out.Sub).toBe(`intrinsics/${sandbox.region}/${sandbox.accounts[0]!.accountId}/aws/${roleName}/b`);
    expect(out.Joined).toBe('a-b-c');
    expect(out.DevPolicy).toBeUndefined();
    const role = (await c.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role!;
    expect([role.MaxSessionDuration, role.Description]).toEqual([7200, 'production']);
    expect((await c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies).toEqual(
      [],
    );
    expect(stack.Parameters).toContainEqual({ ParameterKey: 'Env', ParameterValue: 'prod' });
  });

  it('refuses bad parameters and templates synchronously with ValidationError', async () => {
    const body = JSON.stringify({
      Parameters: { P: { Type: 'String', AllowedPattern: '[a-z]+' } },
      Resources: { R: { Type: 'AWS::IAM::User' } },
    });
    const cases: Array<[CreateStackCommandInput, string]> = [
      [{ StackName: 'p1', TemplateBody: body, Capabilities: ['CAPABILITY_IAM'] }, 'Parameters: [P] must have values'],
      [
        {
          StackName: 'p2',
          TemplateBody: body,
          Capabilities: ['CAPABILITY_IAM'],
          Parameters: [
            { ParameterKey: 'P', ParameterValue: 'a' },
            { ParameterKey: 'Q', ParameterValue: 'b' },
          ],
        },
        'Parameters: [Q] do not exist in the template',
      ],
      [
        {
          StackName: 'p3',
          TemplateBody: body,
          Capabilities: ['CAPABILITY_IAM'],
          Parameters: [{ ParameterKey: 'P', ParameterValue: 'ABC' }],
        },
        "Parameter 'P' must match pattern [a-z]+",
      ],
      [
        { StackName: 'p4', TemplateBody: '{"Resources": {}}' },
        'Template format error: At least one Resources member must be defined.',
      ],
      [
        {
          StackName: 'p5',
          TemplateBody: '{"Resources": {"A": {"Type": "AWS::IAM::Role", "Properties": {"X": {"Ref": "Nope"}}}}}',
        },
        'Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template',
      ],
      [
        {
          StackName: 'p6',
          TemplateBody:
            '{"Resources": {"A": {"Type": "AWS::IAM::User", "DependsOn": "B"}, "B": {"Type": "AWS::IAM::User", "DependsOn": "A"}}}',
        },
        'Circular dependency between resources: [A, B]',
      ],
    ];
    for (const [input, message] of cases) {
      const error = await awsError(c.cfn.send(new CreateStackCommand(input)));
      expect({ name: error.name, status: error.status, message: error.message }).toEqual({
        name: 'ValidationError',
        status: 400,
        message,
      });
    }
  });

  it('requires CAPABILITY_IAM, and CAPABILITY_NAMED_IAM for named IAM resources', async () => {
    const unnamed = JSON.stringify({ Resources: { U: { Type: 'AWS::IAM::User' } } });
    const named = JSON.stringify({
      Resources: { U: { Type: 'AWS::IAM::User', Properties: { UserName: 'named-user' } } },
    });
    expect(
      await awsError(c.cfn.send(new CreateStackCommand({ StackName: 'cap1', TemplateBody: unnamed }))),
    ).toMatchObject({
      name: 'InsufficientCapabilitiesException',
      status: 400,
      message: 'Requires capabilities : [CAPABILITY_IAM]',
    });
    expect(
      await awsError(
        c.cfn.send(
          new CreateStackCommand({ StackName: 'cap2', TemplateBody: named, Capabilities: ['CAPABILITY_IAM'] }),
        ),
      ),
    ).toMatchObject({
      name: 'InsufficientCapabilitiesException',
      message: 'Requires capabilities : [CAPABILITY_NAMED_IAM]',
    });
    const v = await c.cfn.send(new ValidateTemplateCommand({ TemplateBody: named }));
    expect(v.Capabilities).toEqual(['CAPABILITY_NAMED_IAM']);
  });

  it('rolls back a failed creation and deletes what it had created', async () => {
    const template = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'rollback-role', AssumeRolePolicyDocument: trust } },
        Bad: {
          Type: 'AWS::IAM::ManagedPolicy',
          DependsOn: 'Role',
          Properties: {
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'getobject', Resource: '*' }],
            },
          },
        },
      },
    };
    await c.cfn.send(
      new CreateStackCommand({
        StackName: 'rollback',
        TemplateBody: JSON.stringify(template),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    const stack = await waitForStack(c.cfn, 'rollback');
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    expect(await awsError(c.iam.send(new GetRoleCommand({ RoleName: 'rollback-role' })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
    const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: 'rollback' }))).StackEvents!;
    expect(events.find((e) => e.ResourceStatus === 'ROLLBACK_IN_PROGRESS')?.ResourceStatusReason).toBe(
      'The following resource(s) failed to create: [Bad]. Rollback requested by user.',
    );
    const failed = events.find((e) => e.LogicalResourceId === 'Bad' && e.ResourceStatus === 'CREATE_FAILED')!;
    expect(failed.ResourceStatusReason).toContain('Actions/Conditions must be prefaced by a vendor');
    expect(events.map((e) => `${e.LogicalResourceId}:${e.ResourceStatus}`).reverse()).toEqual([
      'rollback:CREATE_IN_PROGRESS',
      'Role:CREATE_IN_PROGRESS',
      'Role:CREATE_COMPLETE',
      'Bad:CREATE_IN_PROGRESS',
      'Bad:CREATE_FAILED',
      'rollback:ROLLBACK_IN_PROGRESS',
      'Role:DELETE_IN_PROGRESS',
      'Role:DELETE_COMPLETE',
      'rollback:ROLLBACK_COMPLETE',
    ]);
    // A stack in ROLLBACK_COMPLETE can only be deleted.
    expect(
      await awsError(c.cfn.send(new UpdateStackCommand({ StackName: 'rollback', UsePreviousTemplate: true }))),
    ).toMatchObject({ name: 'ValidationError' });
  });

  it('keeps created resources with DisableRollback (CREATE_FAILED)', async () => {
    const template = {
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'kept-role', AssumeRolePolicyDocument: trust } },
        Dup: {
          Type: 'AWS::IAM::Role',
          DependsOn: 'Role',
          Properties: { RoleName: 'kept-role', AssumeRolePolicyDocument: trust },
        },
      },
    };
    await c.cfn.send(
      new CreateStackCommand({
        StackName: 'norollback',
        TemplateBody: JSON.stringify(template),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        DisableRollback: true,
      }),
    );
    const stack = await waitForStack(c.cfn, 'norollback');
    expect(stack.StackStatus).toBe('CREATE_FAILED');
    expect((await c.iam.send(new GetRoleCommand({ RoleName: 'kept-role' }))).Role?.RoleName).toBe('kept-role');
    const events = (await c.cfn.send(new DescribeStackEventsCommand({ StackName: 'norollback' }))).StackEvents!;
    expect(
      events.find((e) => e.ResourceStatus === 'CREATE_FAILED' && e.LogicalResourceId === 'Dup')?.ResourceStatusReason,
    ).toContain('Role with name kept-role already exists.');
  });

  it('updates in place, rolls a failed update back, and deletes', async () => {
    const v1 = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'updated-role',
            AssumeRolePolicyDocument: trust,
            Policies: [{ PolicyName: 'p', PolicyDocument: doc(['s3:GetObject']) }],
          },
        },
      },
    };
    await c.cfn.send(
      new CreateStackCommand({
        StackName: 'upd',
        TemplateBody: JSON.stringify(v1),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    expect((await waitForStack(c.cfn, 'upd')).StackStatus).toBe('CREATE_COMPLETE');
    expect(
      await awsError(
        c.cfn.send(
          new UpdateStackCommand({
            StackName: 'upd',
            TemplateBody: JSON.stringify(v1),
            Capabilities: ['CAPABILITY_NAMED_IAM'],
          }),
        ),
      ),
    ).toMatchObject({ name: 'ValidationError', message: 'No updates are to be performed.' });
    const v2 = {
      Resources: {
        Role: {
          Type: 'AWS::IAM::Role',
          Properties: {
            RoleName: 'updated-role',
            AssumeRolePolicyDocument: trust,
            MaxSessionDuration: 7200,
            Policies: [{ PolicyName: 'p', PolicyDocument: doc(['s3:PutObject']) }],
          },
        },
        Extra: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { PolicyDocument: doc(['sqs:SendMessage']), Roles: [{ Ref: 'Role' }] },
        },
      },
    };
    await c.cfn.send(
      new UpdateStackCommand({
        StackName: 'upd',
        TemplateBody: JSON.stringify(v2),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    expect((await waitForStack(c.cfn, 'upd')).StackStatus).toBe('UPDATE_COMPLETE');
    expect((await c.iam.send(new GetRoleCommand({ RoleName: 'updated-role' }))).Role?.MaxSessionDuration).toBe(7200);
    expect(
      decodeURIComponent(
        (await c.iam.send(new GetRolePolicyCommand({ RoleName: 'updated-role', PolicyName: 'p' }))).PolicyDocument!,
      ),
    ).toContain('s3:PutObject');
    const extraArn = (
      await c.cfn.send(new ListStackResourcesCommand({ StackName: 'upd' }))
    ).StackResourceSummaries!.find((r) => r.LogicalResourceId === 'Extra')!.PhysicalResourceId!;
    // v3 changes the inline policy and adds a resource that fails: everything returns to v2.
    const v3 = {
      Resources: {
        ...v2.Resources,
        Role: {
          ...v2.Resources.Role,
          Properties: {
            ...v2.Resources.Role.Properties,
            Policies: [{ PolicyName: 'p', PolicyDocument: doc(['kms:Decrypt']) }],
          },
        },
        Broken: { Type: 'AWS::IAM::User', DependsOn: 'Role', Properties: { UserName: 'bad name with spaces' } },
      },
    };
    await c.cfn.send(
      new UpdateStackCommand({
        StackName: 'upd',
        TemplateBody: JSON.stringify(v3),
        Capabilities: ['CAPABILITY_NAMED_IAM'],
      }),
    );
    const rolled = await waitForStack(c.cfn, 'upd');
    expect(rolled.StackStatus).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(
      decodeURIComponent(
        (await c.iam.send(new GetRolePolicyCommand({ RoleName: 'updated-role', PolicyName: 'p' }))).PolicyDocument!,
      ),
    ).toContain('s3:PutObject');
    expect(JSON.parse((await c.cfn.send(new GetTemplateCommand({ StackName: 'upd' }))).TemplateBody!)).toEqual(v2);
    await c.cfn.send(new DeleteStackCommand({ StackName: 'upd' }));
    const deadline = Date.now() + 10_000;
    while (
      (await c.cfn.send(new DescribeStacksCommand({}))).Stacks!.some((s) => s.StackName === 'upd') &&
      Date.now() < deadline
    )
      await new Promise((r) => setTimeout(r, 20));
    expect(await awsError(c.iam.send(new GetRoleCommand({ RoleName: 'updated-role' })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
    expect(await awsError(c.iam.send(new GetPolicyCommand({ PolicyArn: extraArn })))).toMatchObject({
      name: 'NoSuchEntityException',
      status: 404,
    });
    expect(await awsError(c.cfn.send(new DescribeStacksCommand({ StackName: 'upd' })))).toMatchObject({
      name: 'ValidationError',
      message: 'Stack with id upd does not exist',
    });
  });

  it('rejects a second stack with the same name', async () => {
    const body = JSON.stringify({ Resources: { U: { Type: 'AWS::IAM::User' } } });
    await c.cfn.send(
      new CreateStackCommand({ StackName: 'twice', TemplateBody: body, Capabilities: ['CAPABILITY_IAM'] }),
    );
    expect(
      await awsError(
        c.cfn.send(
          new CreateStackCommand({ StackName: 'twice', TemplateBody: body, Capabilities: ['CAPABILITY_IAM'] }),
        ),
      ),
    ).toMatchObject({ name: 'AlreadyExistsException', message: 'Stack [twice] already exists' });
  });

  it('provisions as the caller: a user without iam:CreateRole gets a failed, rolled back stack', async () => {
    await c.iam.send(new CreateUserCommand({ UserName: 'deployer' }));
    await c.iam.send(
      new PutUserPolicyCommand({
        UserName: 'deployer',
        PolicyName: 'cfn',
        PolicyDocument: allowPolicy(['cloudformation:*']),
      }),
    );
    const key = (await c.iam.send(new CreateAccessKeyCommand({ UserName: 'deployer' }))).AccessKey!;
    const deployer = clients(sandbox.endpoint, sandbox.region, {
      accessKeyId: key.AccessKeyId!,
      secretAccessKey: key.SecretAccessKey!,
    });
    await deployer.cfn.send(
      new CreateStackCommand({
        StackName: 'as-caller',
        TemplateBody: JSON.stringify({
          Resources: { R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust } } },
        }),
        Capabilities: ['CAPABILITY_IAM'],
      }),
    );
    const stack = await waitForStack(deployer.cfn, 'as-caller');
    expect(stack.StackStatus).toBe('ROLLBACK_COMPLETE');
    const events = (await deployer.cfn.send(new DescribeStackEventsCommand({ StackName: 'as-caller' }))).StackEvents!;
    expect(events.find((e) => e.ResourceStatus === 'CREATE_FAILED')?.ResourceStatusReason).toMatch(
      /is not authorized to perform: iam:CreateRole on resource: .*HandlerErrorCode: AccessDenied/,
    );
  });

  it('accepts YAML templates with short-form intrinsics', async () => {
    const yaml = [
      'AWSTemplateFormatVersion: 2010-09-09',
      'Parameters:',
      '  Suffix: {Type: String, Default: yml}',
      'Resources:',
      '  Profile:',
      '    Type: AWS::IAM::InstanceProfile',
      '    Properties:',
      '      InstanceProfileName: !Sub "profile-${Suffix}"',
      '      Roles: [!Ref Role]',
      '  Role:',
      '    Type: AWS::IAM::Role',
      '    Properties:',
      '      RoleName: !Join ["-", [role, !Ref Suffix]]',
      '      AssumeRolePolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Principal: {Service: ec2.amazonaws.com}, Action: "sts:AssumeRole"}]}',
      'Outputs:',
      '  ProfileArn: {Value: !GetAtt Profile.Arn}',
    ].join('\n');
    await c.cfn.send(
      new CreateStackCommand({ StackName: 'yaml', TemplateBody: yaml, Capabilities: ['CAPABILITY_NAMED_IAM'] }),
    );
    const stack = await waitForStack(c.cfn, 'yaml');
    expect(stack.StackStatus).toBe('CREATE_COMPLETE');
    expect(stack.Outputs?.[0]?.OutputValue).toBe(
      `arn:aws:iam::${sandbox.accounts[0]!.accountId}:instance-profile/profile-yml`,
    );
  });
});
