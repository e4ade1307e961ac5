import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRoleCommand, GetRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { startSandbox, type FaultRule, type Sandbox } from '../src/index.ts';
import { allowPolicy, awsError, clients, createUserWithKey, trustPolicy, type Credentials } from './sandbox-clients.ts';

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
      expect(await awsError(once.send(new GetCallerIdentityCommand({})))).toMatchObject({
        name: 'Throttling',
        status: 400,
        message: 'Rate exceeded',
      });
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
      await c.iam.send(
        new CreateRoleCommand({
          RoleName: 'r',
          AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }),
        }),
      );
      expect(await awsError(c.iam.send(new GetRoleCommand({ RoleName: 'r' })))).toMatchObject({
        name: 'ServiceFailureException',
        status: 500,
      });
      await c.iam.send(new GetRoleCommand({ RoleName: 'r' }));
    } finally {
      await sandbox.stop();
    }
  });

  it('a timeout never answers, and latency delays past a client timeout', async () => {
    const sandbox = await startSandbox({ accounts: 1 });
    try {
      const sts = new STSClient({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: { ...sandbox.accounts[0]! },
        maxAttempts: 1,
        requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
      });
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

/**
 * A sandbox started with `faults`, role `open` in its first account trusting anyone (`Principal: {"AWS": "*"}`, no
 * ExternalId condition: the role a connection check must never call connected), and the key of a user of the
 * second account allowed sts:AssumeRole. Stop the sandbox when done.
 */
async function openRoleSandbox(
  faults: FaultRule[],
): Promise<{ sandbox: Sandbox; roleArn: string; caller: Credentials }> {
  const sandbox = await startSandbox({ accounts: 2, faults });
  const owner = sandbox.accounts[0]!;
  await clients(sandbox.endpoint, sandbox.region, owner).iam.send(
    new CreateRoleCommand({ RoleName: 'open', AssumeRolePolicyDocument: trustPolicy({ AWS: '*' }) }),
  );
  const caller = await createUserWithKey(sandbox, {
    root: sandbox.accounts[1]!,
    name: 'platform',
    policy: allowPolicy(['sts:AssumeRole']),
  });
  return { sandbox, roleArn: `arn:aws:iam::${owner.accountId}:role/open`, caller };
}

describe('fault rules matching a request parameter', () => {
  it('throttles AssumeRole calls without an ExternalId, as STS throttles (Throttling, 400, "Rate exceeded"), and serves calls with one', async () => {
    const { sandbox, roleArn, caller } = await openRoleSandbox([
      {
        service: 'sts',
        action: 'AssumeRole',
        kind: 'throttle',
        count: Infinity,
        when: { param: 'ExternalId', absent: true },
      },
    ]);
    try {
      const sts = clients(sandbox.endpoint, sandbox.region, caller).sts;
      const probe = () => sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'probe' }));
      expect(await awsError(probe())).toEqual({ name: 'Throttling', message: 'Rate exceeded', status: 400 });
      expect(await awsError(probe())).toMatchObject({ name: 'Throttling', status: 400 });
      // A retrying client gives up too: every attempt without an ExternalId is throttled.
      const retrying = clients(sandbox.endpoint, sandbox.region, caller, 3).sts;
      expect(
        await awsError(retrying.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'probe' }))),
      ).toMatchObject({ name: 'Throttling' });
      for (const ExternalId of ['tg-1', 'anything-else']) {
        const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'run', ExternalId }));
        expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${sandbox.accounts[0]!.accountId}:assumed-role/open/run`);
      }
      // Other actions are untouched: only the five AssumeRole calls without an ExternalId were faulted.
      await sts.send(new GetCallerIdentityCommand({}));
      expect(sandbox.faults.injected).toEqual(
        Array.from({ length: 5 }, () => ({ service: 'sts', action: 'AssumeRole', kind: 'throttle' })),
      );
    } finally {
      await sandbox.stop();
    }
  });

  it('fails calls whose ExternalId differs from the expected one with a 500, absent included; with present: true only a wrong value', async () => {
    const { sandbox, roleArn, caller } = await openRoleSandbox([
      {
        service: 'sts',
        action: 'AssumeRole',
        kind: 'server-error',
        count: Infinity,
        when: { param: 'ExternalId', notEquals: 'tg-right' },
      },
    ]);
    try {
      const sts = clients(sandbox.endpoint, sandbox.region, caller).sts;
      const assume = (ExternalId?: string) =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: roleArn,
            RoleSessionName: 'run',
            ...(ExternalId === undefined ? {} : { ExternalId }),
          }),
        );
      expect(await awsError(assume())).toMatchObject({ name: 'InternalFailure', status: 500 });
      expect(await awsError(assume('tg-wrong'))).toMatchObject({ name: 'InternalFailure', status: 500 });
      expect(await awsError(assume('TG-RIGHT'))).toMatchObject({ name: 'InternalFailure', status: 500 });
      expect((await assume('tg-right')).Credentials?.AccessKeyId).toMatch(/^ASIA/);

      sandbox.faults.clear();
      sandbox.faults.inject({
        action: 'AssumeRole',
        kind: 'server-error',
        count: Infinity,
        when: [
          { param: 'ExternalId', present: true },
          { param: 'ExternalId', notEquals: 'tg-right' },
        ],
      });
      expect((await assume()).Credentials?.AccessKeyId).toMatch(/^ASIA/);
      expect(await awsError(assume('tg-wrong'))).toMatchObject({ name: 'InternalFailure', status: 500 });
      expect((await assume('tg-right')).Credentials?.AccessKeyId).toMatch(/^ASIA/);

      sandbox.faults.clear();
      sandbox.faults.inject({
        action: 'AssumeRole',
        kind: 'throttle',
        count: 1,
        when: { param: 'ExternalId', equals: 'tg-wrong' },
      });
      expect((await assume('tg-right')).Credentials?.AccessKeyId).toMatch(/^ASIA/);
      expect(await awsError(assume('tg-wrong'))).toMatchObject({ name: 'Throttling', status: 400 });
      expect((await assume('tg-wrong')).Credentials?.AccessKeyId).toMatch(/^ASIA/); // count 1: used up
    } finally {
      await sandbox.stop();
    }
  });

  it('leaves AssumeRole calls without an ExternalId unanswered (timeout) while calls with one are served', async () => {
    const { sandbox, roleArn, caller } = await openRoleSandbox([
      {
        service: 'sts',
        action: 'AssumeRole',
        kind: 'timeout',
        count: Infinity,
        when: { param: 'ExternalId', absent: true },
      },
    ]);
    try {
      const sts = new STSClient({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: caller,
        maxAttempts: 1,
        requestHandler: { requestTimeout: 300, throwOnRequestTimeout: true },
      });
      expect(
        (await awsError(sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'probe' })))).name,
      ).toBe('TimeoutError');
      expect(
        (await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'run', ExternalId: 'tg-1' })))
          .Credentials?.AccessKeyId,
      ).toMatch(/^ASIA/);
    } finally {
      await sandbox.stop();
    }
  });

  it('refuses a condition without exactly one test, so a typo cannot fault every call', async () => {
    const sandbox = await startSandbox({ accounts: 1 });
    try {
      const bad: unknown[] = [
        { param: 'ExternalId' },
        { param: 'ExternalId', absent: true, equals: 'x' },
        { param: 'ExternalId', absent: false },
        { param: 'ExternalId', equal: 'x' },
        { param: 'ExternalId', equals: 42 },
        { param: '', absent: true },
      ];
      for (const when of bad)
        expect(
          () => sandbox.faults.inject({ action: 'AssumeRole', kind: 'throttle', when: when as FaultRule['when'] }),
          JSON.stringify(when),
        ).toThrow(TypeError);
    } finally {
      await sandbox.stop();
    }
    await expect(
      startSandbox({
        faults: [
          { action: 'AssumeRole', kind: 'throttle', when: { param: 'ExternalId' } as unknown as FaultRule['when'] },
        ],
      }),
    ).rejects.toThrow(/exactly one of/);
  });
});

describe('persistence', () => {
  it('state survives a restart: accounts, credentials and roles', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tg-sbx-')), 'state.json');
    const first = await startSandbox({ accounts: 2, persistFile: file });
    await clients(first.endpoint, first.region, first.accounts[0]!).iam.send(
      new CreateRoleCommand({
        RoleName: 'kept',
        AssumeRolePolicyDocument: trustPolicy({ Service: 'ec2.amazonaws.com' }),
      }),
    );
    await first.stop();
    const second = await startSandbox({ persistFile: file });
    try {
      const ids = (s: typeof first) =>
        s.accounts.map((a) => ({
          accountId: a.accountId,
          accessKeyId: a.accessKeyId,
          secretAccessKey: a.secretAccessKey,
        }));
      expect(ids(second)).toEqual(ids(first));
      expect(
        (
          await clients(second.endpoint, second.region, second.accounts[0]!).iam.send(
            new GetRoleCommand({ RoleName: 'kept' }),
          )
        ).Role?.RoleName,
      ).toBe('kept');
    } finally {
      await second.stop();
    }
  });
});
