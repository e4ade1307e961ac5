import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

const BIN = fileURLToPath(new URL('../bin/trustgate.js', import.meta.url));

interface Started {
  child: ChildProcess;
  url: string;
  token: string;
  sandbox: string;
  accounts: { accountId: string; accessKeyId: string; secretAccessKey: string }[];
}

/** Runs `trustgate serve` and reads what it prints until the sandbox accounts are listed. */
async function serve(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out} ${err}`)), 50_000);
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out} ${err}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (!/apply a template/.test(out)) return;
      clearTimeout(timer);
      const accounts = [...out.matchAll(/account (\d{12})\s+AWS_ACCESS_KEY_ID=(\S+) AWS_SECRET_ACCESS_KEY=(\S+)/g)].map(
        (m) => ({ accountId: m[1]!, accessKeyId: m[2]!, secretAccessKey: m[3]! }),
      );
      resolve({
        child,
        url: /serving at (\S+)/.exec(out)![1]!,
        token: /^ {4}export TRUSTGATE_TOKEN=(\S+)$/m.exec(out)![1]!,
        sandbox: /AWS sandbox at (\S+)/.exec(out)![1]!,
        accounts,
      });
    });
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe('trustgate serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-serve-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts with SQLite and the sandbox, seeds a demo organization, connects automatically, and keeps its data across restarts', async () => {
    const db = join(dir, 'trustgate.db');
    const first = await serve(['--port', '0', '--db', db]);
    try {
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`${first.url}${path}`, {
          ...init,
          headers: {
            authorization: `Bearer ${first.token}`,
            'content-type': 'application/json',
            ...(init.headers ?? {}),
          },
        });
      const me = await (await api('/v1/organization')).json();
      expect(me.name).toBe('Demo');
      const customer = first.accounts[0]!;
      const created = await (
        await api('/v1/connections', {
          method: 'POST',
          body: JSON.stringify({
            name: 'demo',
            mode: 'automatic',
            scope: { kind: 'account', accountId: customer.accountId },
          }),
        })
      ).json();
      expect(created.connection.status).toBe('pending');
      const cfn = new CloudFormationClient({
        endpoint: first.sandbox,
        region: 'us-east-1',
        credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
      });
      await cfn.send(
        new CreateStackCommand({
          StackName: 'trustgate-demo',
          TemplateBody: created.deliverables.formats['cloudformation-yaml'],
          Capabilities: ['CAPABILITY_NAMED_IAM'],
        }),
      );
      let status = 'CREATE_IN_PROGRESS';
      for (let i = 0; i < 300 && status.endsWith('IN_PROGRESS'); i++) {
        await new Promise((r) => setTimeout(r, 100));
        status =
          (await cfn.send(new DescribeStacksCommand({ StackName: 'trustgate-demo' }))).Stacks?.[0]?.StackStatus ??
          'UNKNOWN';
      }
      expect(status).toBe('CREATE_COMPLETE');
      let connection = await (await api(`/v1/connections/${created.connection.id}`)).json();
      for (let i = 0; i < 50 && connection.status === 'pending'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        connection = await (await api(`/v1/connections/${created.connection.id}`)).json();
      }
      expect(connection.status, connection.statusReason).toBe('connected');
    } finally {
      expect(await stop(first.child)).toBe(0);
    }
    const second = await serve(['--port', '0', '--db', db]);
    try {
      expect(second.token).not.toBe(first.token);
      const list = await (
        await fetch(`${second.url}/v1/connections`, { headers: { authorization: `Bearer ${second.token}` } })
      ).json();
      expect(list.map((c: { name: string }) => c.name)).toEqual(['demo']);
      // The first run's token still works: tokens are revoked explicitly, not by restarts.
      expect((await fetch(`${second.url}/v1/me`, { headers: { authorization: `Bearer ${first.token}` } })).status).toBe(
        200,
      );
    } finally {
      await stop(second.child);
    }
  }, 120_000);
});
