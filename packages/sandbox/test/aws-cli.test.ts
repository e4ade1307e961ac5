import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';

const run = promisify(execFile);

interface CliResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** Runs the AWS CLI against the sandbox with credentials only from the environment. */
async function aws(
  sandbox: Sandbox,
  home: string,
  creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  args: string[],
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_DEFAULT_REGION: sandbox.region,
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
    ...(creds.sessionToken ? { AWS_SESSION_TOKEN: creds.sessionToken } : {}),
  };
  try {
    const { stdout, stderr } = await run('aws', ['--endpoint-url', sandbox.endpoint, '--output', 'json', ...args], {
      env,
      timeout: 60_000,
    });
    return { ok: true, stdout, stderr };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const template = (platformAccount: string): string =>
  JSON.stringify({
    AWSTemplateFormatVersion: '2010-09-09',
    Parameters: { ExternalId: { Type: 'String', MinLength: 2, MaxLength: 1224 } },
    Resources: {
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: 'CliPlatformRole',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: { 'Fn::Sub': `arn:\${AWS::Partition}:iam::${platformAccount}:root` } },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'read',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }],
              },
            },
          ],
        },
      },
    },
    Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
  });

/** The same acceptance flow with the AWS CLI (botocore's signer and parser, not the JS SDK's). */
describe('AWS CLI against the sandbox', () => {
  let sandbox: Sandbox;
  let home: string;
  let platformUser: { accessKeyId: string; secretAccessKey: string };
  let roleArn: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2 });
    home = mkdtempSync(join(tmpdir(), 'tg-cli-'));
    writeFileSync(join(home, 'config'), '');
    writeFileSync(join(home, 'credentials'), '');
    const [platform, customer] = sandbox.accounts;
    expect((await aws(sandbox, home, platform!, ['iam', 'create-user', '--user-name', 'broker'])).ok).toBe(true);
    expect(
      (
        await aws(sandbox, home, platform!, [
          'iam',
          'put-user-policy',
          '--user-name',
          'broker',
          '--policy-name',
          'assume',
          '--policy-document',
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
          }),
        ])
      ).ok,
    ).toBe(true);
    const key = JSON.parse(
      (await aws(sandbox, home, platform!, ['iam', 'create-access-key', '--user-name', 'broker'])).stdout,
    ) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
    platformUser = { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey };
    const file = join(home, 'template.json');
    writeFileSync(file, template(platform!.accountId));
    const created = await aws(sandbox, home, customer!, [
      'cloudformation',
      'create-stack',
      '--stack-name',
      'cli-stack',
      '--template-body',
      `file://${file}`,
      '--parameters',
      'ParameterKey=ExternalId,ParameterValue=cli-external-id-42',
      '--capabilities',
      'CAPABILITY_NAMED_IAM',
    ]);
    expect(created.stderr).toBe('');
    expect(
      (
        await aws(sandbox, home, customer!, [
          'cloudformation',
          'wait',
          'stack-create-complete',
          '--stack-name',
          'cli-stack',
        ])
      ).ok,
    ).toBe(true);
    const described = JSON.parse(
      (await aws(sandbox, home, customer!, ['cloudformation', 'describe-stacks', '--stack-name', 'cli-stack'])).stdout,
    ) as { Stacks: Array<{ Outputs: Array<{ OutputKey: string; OutputValue: string }> }> };
    roleArn = described.Stacks[0]!.Outputs.find((o) => o.OutputKey === 'RoleArn')!.OutputValue;
  }, 120_000);
  afterAll(async () => sandbox.stop());

  it('create-stack without the IAM capability fails as CloudFormation does', async () => {
    const file = join(home, 'template.json');
    const r = await aws(sandbox, home, sandbox.accounts[1]!, [
      'cloudformation',
      'create-stack',
      '--stack-name',
      'no-caps',
      '--template-body',
      `file://${file}`,
      '--parameters',
      'ParameterKey=ExternalId,ParameterValue=abc',
    ]);
    expect(r.ok).toBe(false);
    expect(r.stderr).toContain('InsufficientCapabilitiesException');
    expect(r.stderr).toContain('Requires capabilities : [CAPABILITY_NAMED_IAM]');
  });

  it('assume-role with the external ID, then get-caller-identity shows the assumed role', async () => {
    const assumed = await aws(sandbox, home, platformUser, [
      'sts',
      'assume-role',
      '--role-arn',
      roleArn,
      '--role-session-name',
      'cli-session',
      '--external-id',
      'cli-external-id-42',
    ]);
    expect(assumed.stderr).toBe('');
    const creds = (
      JSON.parse(assumed.stdout) as {
        Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
      }
    ).Credentials;
    const session = {
      accessKeyId: creds.AccessKeyId,
      secretAccessKey: creds.SecretAccessKey,
      sessionToken: creds.SessionToken,
    };
    const me = JSON.parse((await aws(sandbox, home, session, ['sts', 'get-caller-identity'])).stdout) as {
      Arn: string;
    };
    expect(me.Arn).toBe(`arn:aws:sts::${sandbox.accounts[1]!.accountId}:assumed-role/CliPlatformRole/cli-session`);
    const role = JSON.parse(
      (await aws(sandbox, home, session, ['iam', 'get-role', '--role-name', 'CliPlatformRole'])).stdout,
    ) as { Role: { AssumeRolePolicyDocument: { Statement: unknown[] } } };
    expect(role.Role.AssumeRolePolicyDocument.Statement).toHaveLength(1); // botocore decodes IAM's URL-encoded document
    const denied = await aws(sandbox, home, session, ['iam', 'list-users']);
    expect(denied.ok).toBe(false);
    expect(denied.stderr).toContain('(AccessDenied)');
    expect(denied.stderr).toContain('is not authorized to perform: iam:ListUsers');
  });

  it('assume-role without or with a wrong external ID is AccessDenied', async () => {
    for (const extra of [[], ['--external-id', 'cli-external-id-43']]) {
      const r = await aws(sandbox, home, platformUser, [
        'sts',
        'assume-role',
        '--role-arn',
        roleArn,
        '--role-session-name',
        'x1',
        ...extra,
      ]);
      expect(r.ok).toBe(false);
      expect(r.stderr).toContain('An error occurred (AccessDenied) when calling the AssumeRole operation');
    }
  });

  it('a wrong secret is SignatureDoesNotMatch and an unknown key InvalidClientTokenId', async () => {
    const wrong = await aws(
      sandbox,
      home,
      { accessKeyId: platformUser.accessKeyId, secretAccessKey: 'not-the-secret' },
      ['sts', 'get-caller-identity'],
    );
    expect(wrong.stderr).toContain('(SignatureDoesNotMatch)');
    const unknown = await aws(sandbox, home, { accessKeyId: 'AKIAAAAAAAAAAAAAAAAA', secretAccessKey: 'x' }, [
      'sts',
      'get-caller-identity',
    ]);
    expect(unknown.stderr).toContain('(InvalidClientTokenId)');
  });
});
