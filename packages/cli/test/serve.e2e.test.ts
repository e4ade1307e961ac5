import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { startMoto, type MotoServer } from '../../../test/support/moto-server.ts';
import { applyStack } from '../../server/test/service-harness.ts';
import { BIN, runServe as serve, stopServe as stop, type Served } from './run-serve.ts';

/**
 * `trustgate serve` as a newcomer runs it: the real bin in a child process, its printed URL, admin token and
 * sandbox accounts used as printed. With `--aws default` the platform identity comes from the SDK's default
 * credential chain and AWS's standard endpoint setting (`AWS_ENDPOINT_URL`), here pointed at moto, an emulator
 * trustgate did not write.
 */

async function call(
  served: Served,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = served.token,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
): Promise<{ status: number; body: any; text: string }> {
  const res = await fetch(`${served.url}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

describe('trustgate serve (the README main job)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('with no AWS flags: prints a working URL, admin token and sandbox accounts; a printed account connects for real; SIGTERM stops it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-serve-'));
    dirs.push(dir);
    const served = await serve(['--db', join(dir, 'trustgate.db')]);
    try {
      const text = served.output();
      expect(text).toMatch(/API docs:\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
      // The admin token is printed once, in a line a shell runs; the try line that follows uses the variable, and
      // works as printed (the request it makes, made here).
      expect(text.split(served.token)).toHaveLength(2);
      expect(text).toContain(
        `    export TRUSTGATE_TOKEN=${served.token}\n    curl -H "Authorization: Bearer $TRUSTGATE_TOKEN" ${served.url}/v1/connections\n`,
      );
      const tried = await call(served, 'GET', '/v1/connections');
      expect(tried.status, tried.text).toBe(200);
      expect(Array.isArray(tried.body)).toBe(true);
      expect((await call(served, 'GET', '/v1/connections', undefined, null)).status).toBe(401);
      const openapi = await fetch(`${served.url}/openapi.json`);
      expect(openapi.status).toBe(200);
      const sandboxEndpoint = /AWS sandbox at (http:\/\/\S+)/.exec(text)?.[1];
      const account = /account (\d{12})\s+AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)/.exec(text);
      expect(sandboxEndpoint).toBeDefined();
      expect(account).not.toBeNull();
      const [, accountId, accessKeyId, secretAccessKey] = account as unknown as [string, string, string, string];

      const created = await call(served, 'POST', '/v1/connections', {
        name: 'demo',
        scope: { kind: 'account', accountId },
        roleName: 'TrustgateDemo',
        selection: { mode: 'default' },
      });
      expect(created.status, created.text).toBe(201);
      // As the CloudFormation console opens the quick-create link: its templateURL (a presigned URL of the template
      // in the sandbox's S3 bucket) and its param_ values, passed to CreateStack unchanged.
      expect(text).toMatch(/templates:\s+published to the sandbox's S3 bucket trustgate-templates-\d{12}/);
      const link = new URLSearchParams(
        new URL(created.body.deliverables.formats['quick-create-link']).hash.replace(/^#\/stacks\/quickcreate\?/, ''),
      );
      const cfn = new CloudFormationClient({
        endpoint: sandboxEndpoint!,
        region: 'us-east-1',
        credentials: { accessKeyId, secretAccessKey },
      });
      await cfn.send(
        new CreateStackCommand({
          StackName: link.get('stackName')!,
          TemplateURL: link.get('templateURL')!,
          Capabilities: ['CAPABILITY_NAMED_IAM'],
          Parameters: [...link]
            .filter(([k]) => k.startsWith('param_'))
            .map(([k, v]) => ({ ParameterKey: k.slice('param_'.length), ParameterValue: v })),
        }),
      );
      let stack = (await cfn.send(new DescribeStacksCommand({ StackName: link.get('stackName')! }))).Stacks![0]!;
      for (let i = 0; i < 300 && stack.StackStatus!.endsWith('_IN_PROGRESS'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        stack = (await cfn.send(new DescribeStacksCommand({ StackName: link.get('stackName')! }))).Stacks![0]!;
      }
      expect(stack.StackStatus, stack.StackStatusReason).toBe('CREATE_COMPLETE');
      const roleArn = stack.Outputs?.find((o) => o.OutputKey === 'RoleArn')?.OutputValue;
      const verified = await call(served, 'POST', `/v1/connections/${created.body.connection.id}/verify`, { roleArn });
      expect(verified.status, verified.text).toBe(200);
      expect(verified.body.status, verified.body.statusReason).toBe('connected');
      // The admin token and the sandbox's secrets are printed once, for the person at the terminal; the
      // service's own log lines never carry them.
      const afterStart = served.output().slice(served.output().indexOf('apply a template'));
      expect(afterStart).not.toContain(served.token);
      expect(afterStart).not.toContain(secretAccessKey);
    } finally {
      expect(await stop(served)).toBe(0);
    }
    expect(served.output()).toContain('stopping');
  });

  describe('with --aws default', () => {
    let moto: MotoServer | undefined;
    afterAll(async () => {
      await moto?.stop();
    });

    it('takes the platform identity from the SDK default chain and the standard AWS_ENDPOINT_URL, and verifies a role there', async () => {
      moto = await startMoto();
      const env = {
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'AKIAMOTOSERVETEST001',
        AWS_SECRET_ACCESS_KEY: 'moto-secret',
        AWS_REGION: 'us-east-1',
        AWS_PROFILE: '',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      };
      const served = await serve(['--aws', 'default', '--db', ':memory:'], env);
      try {
        expect(served.output()).not.toContain('AWS sandbox at');
        const account = '123456789012'; // moto's account: read through GetCallerIdentity, not configured anywhere
        const created = await call(served, 'POST', '/v1/connections', {
          name: 'moto',
          scope: { kind: 'account', accountId: account },
          roleName: 'TgServeMoto',
          selection: { mode: 'custom', products: ['cost-inventory'] },
        });
        expect(created.status, created.text).toBe(201);
        expect(created.body.deliverables.trustPolicy.Statement[0].Principal.AWS).toBe(`arn:aws:iam::${account}:root`);
        const stack = await applyStack({
          endpoint: moto.endpoint,
          credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
          stackName: 'tg-serve-moto',
          templateBody: created.body.deliverables.formats['cloudformation-json'],
        });
        expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
        const verified = await call(served, 'POST', `/v1/connections/${created.body.connection.id}/verify`, {
          roleArn: `arn:aws:iam::${account}:role/TgServeMoto`,
        });
        expect(verified.status, verified.text).toBe(200);
        // moto ignores external IDs, so the probe without one succeeds: the service must say `insecure`.
        expect(verified.body.status).toBe('insecure');
        expect(verified.body.roles[0].missing).toEqual([]);
      } finally {
        expect(await stop(served)).toBe(0);
      }
    });

    it('refuses an unknown partition with a clear message and exit code, not a stack trace', async () => {
      const child = spawn(
        process.execPath,
        [BIN, 'serve', '--aws', 'default', '--partition', 'aws-moon', '--port', '0', '--db', ':memory:'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).not.toBe(0);
      expect(out).toMatch(/partition/i);
      expect(out).not.toMatch(/\n\s+at .+:\d+:\d+/);
    });
  });
});
