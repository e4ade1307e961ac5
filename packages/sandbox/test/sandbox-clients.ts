import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';

/** Credentials as the SDK takes them. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** SDK v3 clients pointed at an endpoint (the sandbox or moto) with the given credentials; no retries unless asked. */
export function clients(endpoint: string, region: string, credentials: Credentials, maxAttempts = 1) {
  const config = { endpoint, region, credentials, maxAttempts };
  return { sts: new STSClient(config), iam: new IAMClient(config), cfn: new CloudFormationClient(config) };
}

/**
 * Creates IAM user `name` in the account whose credentials are `root`, with the inline policy `policy` if given
 * (named `policyName`, default `p`) and an access key; returns the key.
 */
export async function createUserWithKey(
  at: { endpoint: string; region: string },
  options: { root: Credentials; name: string; policy?: string; policyName?: string },
): Promise<Credentials> {
  const { iam } = clients(at.endpoint, at.region, options.root);
  await iam.send(new CreateUserCommand({ UserName: options.name }));
  if (options.policy !== undefined)
    await iam.send(
      new PutUserPolicyCommand({
        UserName: options.name,
        PolicyName: options.policyName ?? 'p',
        PolicyDocument: options.policy,
      }),
    );
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: options.name }))).AccessKey!;
  return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
}

/** Polls DescribeStacks until the stack leaves its *_IN_PROGRESS states. */
export async function waitForStack(cfn: CloudFormationClient, stackName: string, timeoutMs = 20_000): Promise<Stack> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stack = (await cfn.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
    if (stack && !stack.StackStatus?.endsWith('_IN_PROGRESS')) return stack;
    if (Date.now() > deadline) throw new Error(`stack ${stackName} still ${stack?.StackStatus}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The error an SDK call rejects with: AWS error code (name) and HTTP status. */
export async function awsError(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

/** A trust policy document allowing a principal to assume the role. */
export function trustPolicy(principal: Record<string, string | string[]>, condition?: Record<string, unknown>): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: principal,
        Action: 'sts:AssumeRole',
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  });
}

/** An identity policy document allowing actions on resources. */
export function allowPolicy(actions: string[], resources: string[] = ['*']): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: actions, Resource: resources }],
  });
}
