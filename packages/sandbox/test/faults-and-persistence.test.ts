import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { startSandbox } from '../src/index.ts';
import { awsError, clients, trustPolicy } from './sandbox-clients.ts';

describe('fault injection', () => {
  it('Throttling for the next N calls: a retrying client recovers, a non-retrying one sees the code', async () => {
    const sandbox = await startSandbox({ accounts: 1 });
    try {
      sandbox.faults.throttle('GetCallerIdentity', 2);
      const retrying = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!, 3).sts;
      const out = await retrying.send(new GetCallerIdentityCommand({}));
      expect(out.Account).toBe(sandbox.accounts[0]!.accountId);
      expect(out.$metadata.attempts).toBe(3);
      expect(sandbox.faults.injected.map((f) => f.kind)).toEqual(['throttle', 'throttle']);
      sandbox.faults.throttle('GetCallerIdentity', 1);
      const once = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!, 1).sts;
      expect(await awsError(once.send(new GetCallerIdentityCommand({})))).toMatchObject({ name: 'Throttling', status: 400, message: 'Rate exceeded' });
      await once.send(new GetCallerIdentityCommand({}));
    } finally {
      await sandbox.stop();
    }
  });

  it('server errors (500) and only for the named action and service', async () => {
    const sandbox = await startSandbox({ accounts: 1 });
    try {
      sandbox.faults.inject({ action: 'GetRole', service: 'iam', kind: 'server-error', count: 1 });
      const c = clients(sandbox.endpoint, sandbox.region, sandbox.accounts[0]!);
      await c.sts.send(new GetCallerIdentityCommand({}));
      await c.iam.send(new CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }) }));
      expect(await awsError(c.iam.send(new GetRoleCommand({ RoleName: 'r' })))).toMatchObject({ name: 'ServiceFailureException', status: 500 });
      await c.iam.send(new GetRoleCommand({ RoleName: 'r' }));
    } finally {
      await sandbox.stop();
    }
  });

  it('a timeout never answers, and latency delays past a client timeout', async () => {
    const sandbox = await startSandbox({ accounts: 1 });
    try {
      const sts = new STSClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: { ...sandbox.accounts[0]! }, maxAttempts: 1, requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true } });
      sandbox.faults.inject({ action: 'GetCallerIdentity', kind: 'timeout' });
      expect((await awsError(sts.send(new GetCallerIdentityCommand({})))).name).toBe('TimeoutError');
      sandbox.faults.inject({ action: 'GetCallerIdentity', kind: 'latency', latencyMs: 2000 });
      expect((await awsError(sts.send(new GetCallerIdentityCommand({})))).name).toBe('TimeoutError');
      await sts.send(new GetCallerIdentityCommand({}));
    } finally {
      await sandbox.stop();
    }
  });
});

describe('persistence', () => {
  it('state survives a restart: accounts, credentials and roles', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tg-sbx-')), 'state.json');
    const first = await startSandbox({ accounts: 2, persistFile: file });
    await clients(first.endpoint, first.region, first.accounts[0]!).iam.send(new CreateRoleCommand({ RoleName: 'kept', AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }) }));
    await first.stop();
    const second = await startSandbox({ persistFile: file });
    try {
      const ids = (s: typeof first) => s.accounts.map((a) => ({ accountId: a.accountId, accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }));
      expect(ids(second)).toEqual(ids(first));
      expect((await clients(second.endpoint, second.region, second.accounts[0]!).iam.send(new GetRoleCommand({ RoleName: 'kept' }))).Role?.RoleName).toBe('kept');
    } finally {
      await second.stop();
    }
  });
});
