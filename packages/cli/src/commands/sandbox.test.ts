import { DescribeOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { isTrustgateError } from '@trustgate/core';
import { describe, expect, it } from 'vitest';
import { describeSandbox, runSandboxCommand } from './sandbox.ts';

describe('trustgate sandbox', () => {
  it('starts the sandbox and prints an endpoint and root credentials that work', async () => {
    const sandbox = await runSandboxCommand({ port: '0', accounts: '2', partition: 'aws-us-gov' });
    try {
      const text = describeSandbox(sandbox);
      expect(text).toContain(`listening on ${sandbox.endpoint}`);
      expect(text).toContain('region us-gov-west-1');
      const key = /AWS_ACCESS_KEY_ID=(\S+)\n\s+AWS_SECRET_ACCESS_KEY=(\S+)/.exec(text)!;
      const sts = new STSClient({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: { accessKeyId: key[1]!, secretAccessKey: key[2]! },
      });
      const me = await sts.send(new GetCallerIdentityCommand({}));
      expect(me.Arn).toBe(`arn:aws-us-gov:iam::${sandbox.accounts[0]!.accountId}:root`);
      expect(text.match(/^account \d: \d{12}$/gm)).toHaveLength(2);
    } finally {
      await sandbox.stop();
    }
  });

  it('--organization-members leaves the other accounts outside the organization', async () => {
    const sandbox = await runSandboxCommand({
      port: '0',
      accounts: '2',
      partition: 'aws',
      organization: true,
      organizationMembers: '1',
    });
    try {
      const describe = (i: number) =>
        new OrganizationsClient({
          endpoint: sandbox.endpoint,
          region: 'us-east-1',
          credentials: sandbox.accounts[i]!,
        }).send(new DescribeOrganizationCommand({}));
      expect((await describe(0)).Organization?.MasterAccountId).toBe(sandbox.accounts[0]!.accountId);
      await expect(describe(1)).rejects.toMatchObject({ name: 'AWSOrganizationsNotInUseException' });
    } finally {
      await sandbox.stop();
    }
  });

  it('refuses bad options with INVALID_INPUT naming the option', async () => {
    for (const options of [
      { port: '70000', accounts: '3' },
      { port: '0', accounts: '0' },
      { port: 'x', accounts: '3' },
      { port: '0', accounts: '3', organization: true, organizationMembers: '0' },
    ]) {
      const error = await runSandboxCommand({ ...options, partition: 'aws' }).catch((e: unknown) => e);
      expect(isTrustgateError(error) && error.code).toBe('INVALID_INPUT');
    }
  });
});
