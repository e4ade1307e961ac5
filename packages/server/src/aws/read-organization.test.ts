import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { isTrustgateError } from '@trustgate/core';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { sdkClientFactory, type AwsCredentials } from './aws-clients.ts';
import { createPlatformUser } from './create-platform-user.ts';
import { readOrganization } from './read-organization.ts';

type Account = Sandbox['accounts'][number];
const creds = (a: Account): AwsCredentials => ({ accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey });

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected readOrganization to throw');
}

/**
 * readOrganization's answers, against the sandbox's Organizations over HTTP (the same JSON protocol and error
 * codes as AWS) with the service's own SDK clients: a member account, a standalone account
 * (AWSOrganizationsNotInUseException), a session that may not ask (AccessDeniedException: fail closed, never
 * "none"), and AWS giving no answer (throttling, 5xx: AWS_ERROR, never a verdict on the account).
 */
describe('readOrganization against the sandbox', () => {
  let sandbox: Sandbox;
  let management: Account;
  let member: Account;
  let standalone: Account;
  // Two attempts: the SDK's retry is exercised, and the faults below cover every attempt.
  const organizationsOf = (credentials: AwsCredentials) =>
    sdkClientFactory({ aws: { endpoint: sandbox.endpoint, maxAttempts: 2 } }).organizations({
      partition: 'aws',
      credentials,
    });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 3, organization: true, organizationMembers: 2 });
    [management, member, standalone] = sandbox.accounts as [Account, Account, Account];
  });
  afterAll(async () => sandbox?.stop());

  it('a member account: its organization and management account', async () => {
    const expected = (
      await new OrganizationsClient({
        endpoint: sandbox.endpoint,
        region: 'us-east-1',
        credentials: creds(management),
      }).send(new DescribeOrganizationCommand({}))
    ).Organization!;
    expect(expected.Id).toMatch(/^o-[a-z0-9]{10,32}$/);
    expect(await readOrganization(organizationsOf(creds(member)))).toEqual({
      kind: 'member',
      organizationId: expected.Id,
      managementAccountId: management.accountId,
    });
  });

  it('a standalone account (AWSOrganizationsNotInUseException): none', async () => {
    expect(await readOrganization(organizationsOf(creds(standalone)))).toEqual({ kind: 'none' });
  });

  it('a principal without organizations:DescribeOrganization (AccessDeniedException): unreadable — fail closed, not "none"', async () => {
    const user = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: creds(member),
      userName: 'no-organizations',
    });
    const observation = await readOrganization(organizationsOf(user.credentials));
    expect(observation).toMatchObject({ kind: 'unreadable' });
    expect(observation.kind === 'unreadable' && observation.error).toMatch(/^AccessDeniedException: /);
  });

  it.each([
    ['throttle', 'TooManyRequestsException'],
    ['server-error', 'ServiceException'],
  ] as const)(
    'AWS gives no answer (%s on every attempt): AWS_ERROR, never a verdict on the account',
    async (kind, name) => {
      const before = sandbox.faults.injected.length;
      sandbox.faults.inject({ service: 'organizations', action: 'DescribeOrganization', kind, count: Infinity });
      try {
        const error = await failure(readOrganization(organizationsOf(creds(member))));
        expect(isTrustgateError(error) && error.code).toBe('AWS_ERROR');
        expect((error as Error).message).toContain(name);
        // The SDK retried before readOrganization gave up.
        expect(sandbox.faults.injected.slice(before).map((f) => f.kind)).toEqual([kind, kind]);
      } finally {
        sandbox.faults.clear();
      }
    },
  );

  it("a throttle the SDK's retry outlasts: the answer", async () => {
    sandbox.faults.inject({ service: 'organizations', action: 'DescribeOrganization', kind: 'throttle', count: 1 });
    expect(await readOrganization(organizationsOf(creds(standalone)))).toEqual({ kind: 'none' });
    expect(await readOrganization(organizationsOf(creds(member)))).toMatchObject({ kind: 'member' });
  });
});
