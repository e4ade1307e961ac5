/**
 * The sandbox's request rates over HTTP with the SDK v3 clients: GetCallerIdentity (SigV4 + Query protocol
 * only) is the in-run baseline; AssumeRole adds trust-policy evaluation by core's engine and a new session;
 * GetRole as a role session adds per-call authorization; a blueprint stack measures CloudFormation end to
 * end. moto's GetCallerIdentity is printed as an external reference when `moto_server` is on PATH.
 */
import { CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  GetRoleCommand,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { crossAccountRoleBlueprint, renderDeliverable } from '@trustgate/core';
import { startSandbox } from '../packages/sandbox/src/index.ts';
import { startMoto } from '../test/support/moto-server.ts';

async function rate(fn: () => Promise<unknown>, ms = 2000): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return (n * 1000) / (performance.now() - start);
}

export default async function run(): Promise<void> {
  const sandbox = await startSandbox({ accounts: 2 });
  try {
    const [platform, customer] = sandbox.accounts;
    const cfg = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => ({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials,
      maxAttempts: 1,
    });
    const rootSts = new STSClient(cfg(platform!));
    const rootIam = new IAMClient(cfg(platform!));
    await rootIam.send(new CreateUserCommand({ UserName: 'bench' }));
    await rootIam.send(
      new PutUserPolicyCommand({
        UserName: 'bench',
        PolicyName: 'p',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
        }),
      }),
    );
    const key = (await rootIam.send(new CreateAccessKeyCommand({ UserName: 'bench' }))).AccessKey!;
    const userSts = new STSClient(cfg({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${platform!.accountId}:user/bench` },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'sts:ExternalId': 'bench-external-id' } },
        },
      ],
    });
    const roleArn = (
      await rootIam.send(new CreateRoleCommand({ RoleName: 'bench-role', AssumeRolePolicyDocument: trust }))
    ).Role!.Arn!;
    await rootIam.send(
      new PutRolePolicyCommand({
        RoleName: 'bench-role',
        PolicyName: 'read',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' }],
        }),
      }),
    );
    const session = (
      await userSts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bench', ExternalId: 'bench-external-id' }),
      )
    ).Credentials!;
    const sessionIam = new IAMClient(
      cfg({
        accessKeyId: session.AccessKeyId!,
        secretAccessKey: session.SecretAccessKey!,
        sessionToken: session.SessionToken!,
      }),
    );

    const base = await rate(() => rootSts.send(new GetCallerIdentityCommand({})));
    const assume = await rate(() =>
      userSts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bench', ExternalId: 'bench-external-id' }),
      ),
    );
    const authorized = await rate(() => sessionIam.send(new GetRoleCommand({ RoleName: 'bench-role' })));
    console.log(`GetCallerIdentity (baseline)        ${base.toFixed(0)} req/s`);
    console.log(
      `AssumeRole (trust + identity eval)  ${assume.toFixed(0)} req/s  (${(assume / base).toFixed(2)}x baseline)`,
    );
    console.log(
      `GetRole as a role session (authz)   ${authorized.toFixed(0)} req/s  (${(authorized / base).toFixed(2)}x baseline)`,
    );

    const cfn = new CloudFormationClient(cfg(customer!));
    const template = renderDeliverable(
      crossAccountRoleBlueprint({
        partition: 'aws',
        platform: { aws: { accountId: platform!.accountId } },
        externalIds: ['bench-external-id'],
        roleName: 'BenchRole',
        policies: [
          {
            name: 'BenchRead',
            document: {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' }],
            },
          },
        ],
      }),
      'cloudformation-json',
    );
    const stacks = 20;
    const start = performance.now();
    for (let i = 0; i < stacks; i++) {
      const name = `bench-${i}`;
      await cfn.send(
        new CreateStackCommand({
          StackName: name,
          TemplateBody: template.replace(/BenchRole|BenchRead/g, (m) => `${m}${i}`),
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
      while (
        (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks![0]!.StackStatus!.endsWith(
          'IN_PROGRESS',
        )
      )
        await new Promise((r) => setTimeout(r, 2));
    }
    console.log(
      `blueprint stack create->complete     ${((performance.now() - start) / stacks).toFixed(1)} ms per stack (${stacks} stacks)`,
    );
  } finally {
    await sandbox.stop();
  }

  try {
    const moto = await startMoto();
    try {
      const sts = new STSClient({
        endpoint: moto.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' },
        maxAttempts: 1,
      });
      const motoRate = await rate(() => sts.send(new GetCallerIdentityCommand({})));
      console.log(`moto GetCallerIdentity (reference)  ${motoRate.toFixed(0)} req/s`);
    } finally {
      await moto.stop();
    }
  } catch (error) {
    console.log(`moto reference skipped: ${error instanceof Error ? error.message : String(error)}`);
  }
}
