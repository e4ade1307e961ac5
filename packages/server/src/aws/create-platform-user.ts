import { splitArn, TrustgateError } from '@trustgate/core';
import { sharedClientOptions, type AwsCredentials } from './aws-clients.ts';
import { loadIam } from './sdk.ts';

/**
 * Creates an IAM user for the platform in an account (with the account's admin credentials) that may only call
 * `sts:AssumeRole` (with `sts:TagSession` and `sts:SetSourceIdentity`, which AWS also checks against the caller's
 * own policies when a run's session carries tags and a source identity) and `sts:GetCallerIdentity`, and returns its
 * access key. AWS refuses AssumeRole from an account's root user ("Roles may not be assumed by root accounts"), so
 * the platform identity must be an IAM user or role. Used to bootstrap the demo against the sandbox or a test account.
 */
export async function createPlatformUser(options: {
  endpoint?: string;
  region: string;
  adminCredentials: AwsCredentials;
  userName?: string;
}): Promise<{ accountId: string; userArn: string; credentials: AwsCredentials }> {
  const settings = {
    region: options.region,
    credentials: options.adminCredentials,
    ...sharedClientOptions(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  };
  const { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } = await loadIam();
  const iam = new IAMClient(settings);
  const userName = options.userName ?? 'trustgate-platform';
  const user = await iam.send(new CreateUserCommand({ UserName: userName }));
  await iam.send(
    new PutUserPolicyCommand({
      UserName: userName,
      PolicyName: 'trustgate-assume-customer-roles',
      PolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity', 'sts:GetCallerIdentity'],
            Resource: '*',
          },
        ],
      }),
    }),
  );
  const key = await iam.send(new CreateAccessKeyCommand({ UserName: userName }));
  // The account from the user's ARN (arn:<partition>:iam::<account>:user/<name>) as CreateUser returned it.
  const accountId = splitArn(user.User?.Arn ?? '')?.account;
  if (key.AccessKey?.AccessKeyId === undefined || key.AccessKey.SecretAccessKey === undefined || !accountId) {
    throw new TrustgateError(
      'AWS_ERROR',
      'IAM returned no access key (CreateAccessKey) or no user ARN naming an account (CreateUser) for the platform user.',
    );
  }
  return {
    accountId,
    userArn: user.User?.Arn ?? '',
    credentials: { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey },
  };
}
