import { GetPolicyCommand, GetPolicyVersionCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../src/index.ts';
import { allowPolicy, awsError, clients, createUserWithKey } from './sandbox-clients.ts';

/**
 * AWS managed policies (`arn:aws:iam::aws:policy/...`) belong to no customer account: an IAM principal whose
 * identity policy allows iam:GetPolicy reads them as it reads its own account's policies (no resource policy
 * is involved), and one without that allow is denied.
 */
describe('reading AWS managed policies as a non-root principal', () => {
  let sandbox: Sandbox;
  const arn = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

  async function userClient(name: string, actions: string[]) {
    return clients(
      sandbox.endpoint,
      sandbox.region,
      await createUserWithKey(sandbox, { root: sandbox.accounts[0]!, name, policy: allowPolicy(actions) }),
    );
  }

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1 });
  });
  afterAll(async () => sandbox.stop());

  it('is allowed by an identity policy that allows iam:GetPolicy and iam:GetPolicyVersion', async () => {
    const reader = await userClient('reader', ['iam:GetPolicy', 'iam:GetPolicyVersion']);
    const policy = (await reader.iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    expect(policy.Arn).toBe(arn);
    const version = (
      await reader.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId! }))
    ).PolicyVersion!;
    expect(JSON.parse(decodeURIComponent(version.Document!)).Statement.length).toBeGreaterThan(0);
  });

  it('is denied without such an allow', async () => {
    const other = await userClient('other', ['iam:ListRoles']);
    expect((await awsError(other.iam.send(new GetPolicyCommand({ PolicyArn: arn })))).name).toBe('AccessDenied');
  });
});
