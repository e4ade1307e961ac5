import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { createPlatformUser, openStore } from '@trustgate/server';
import { runServe, type Served } from './run-serve.ts';

/** Whether a new TCP connection to `port` on 127.0.0.1 is refused (else it was accepted, and is closed again). */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

/**
 * SIGTERM to a real `trustgate serve` (platform identity from a profile, AWS at a sandbox in this process) while a
 * verification is in flight, held up by latency the sandbox's STS adds to its AssumeRole: the listener closes at
 * once (new connections refused), the verification finishes with its real answer, the process exits 0, and what
 * the verification wrote is in the store, whole, afterwards. A request outlasting the grace is cut, and the exit code
 * says so.
 */
describe('trustgate serve drains on SIGTERM', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-shutdown-'));
  const db = join(dir, 'trustgate.db');
  let sandbox: Sandbox;
  let served: Served | undefined;
  let cut: Served | undefined;
  const env = () => ({
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
    AWS_CONFIG_FILE: join(dir, 'config'),
  });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2 });
    const platform = sandbox.accounts[0]!;
    // The platform's IAM user (a root account may not assume roles), in a profile as an operator would keep it.
    const user = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: { accessKeyId: platform.accessKeyId, secretAccessKey: platform.secretAccessKey },
    });
    writeFileSync(
      join(dir, 'credentials'),
      `[platform]\naws_access_key_id = ${user.credentials.accessKeyId}\naws_secret_access_key = ${user.credentials.secretAccessKey}\n`,
    );
    writeFileSync(join(dir, 'config'), '');
    writeFileSync(
      join(dir, 'trustgate.yaml'),
      [
        'store:',
        `  url: ${db}`,
        'aws:',
        '  mode: default',
        '  partitions:',
        '    aws:',
        '      profile: platform',
        `      endpoint: ${sandbox.endpoint}`,
        `      region: ${sandbox.region}`,
        'log:',
        '  level: error',
        '',
      ].join('\n'),
    );
    served = await runServe(['--config', join(dir, 'trustgate.yaml')], {
      ...env(),
      TRUSTGATE_SHUTDOWN_GRACE_MS: '30000',
    });
  }, 60_000);

  afterAll(async () => {
    for (const s of [served, cut]) if (s !== undefined && s.child.exitCode === null) s.child.kill('SIGKILL');
    await sandbox?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses new connections, finishes the in-flight verification, exits 0, and the record is whole', async () => {
    const s = served!;
    const headers = { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' };
    const customer = sandbox.accounts[1]!;
    const created = await fetch(`${s.url}/v1/connections`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'drain',
        scope: { kind: 'account', accountId: customer.accountId },
        roleName: 'TgDrain',
      }),
    });
    expect(created.status).toBe(201);
    const { connection, deliverables } = (await created.json()) as {
      connection: { id: string };
      deliverables: { trustPolicy: unknown };
    };
    const iam = new IAMClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
    });
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'TgDrain',
        AssumeRolePolicyDocument: JSON.stringify(deliverables.trustPolicy),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'TgDrain',
        PolicyName: 'everything',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    await iam.send(
      new AttachRolePolicyCommand({ RoleName: 'TgDrain', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }),
    );
    const roleArn = `arn:aws:iam::${customer.accountId}:role/TgDrain`;

    // The verification's first AssumeRole waits 4 s at STS: the request is in flight when SIGTERM comes.
    sandbox.faults.inject({ service: 'sts', action: 'AssumeRole', kind: 'latency', latencyMs: 4_000, count: 1 });
    let settled = false;
    const verifying = fetch(`${s.url}/v1/connections/${connection.id}/verify`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ roleArn }),
    }).finally(() => {
      settled = true;
    });
    for (let i = 0; i < 400 && !sandbox.faults.injected.some((f) => f.kind === 'latency'); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(sandbox.faults.injected.some((f) => f.kind === 'latency')).toBe(true);

    const exited = new Promise<number | null>((resolve) => s.child.once('exit', (code) => resolve(code)));
    s.child.kill('SIGTERM');
    const port = Number(new URL(s.url).port);
    let closed = false;
    for (let i = 0; i < 300 && !closed; i++) {
      closed = await refused(port);
      if (!closed) await new Promise((r) => setTimeout(r, 10));
    }
    expect(closed).toBe(true);
    expect(settled).toBe(false); // refused while the verification was still running

    const answer = await verifying;
    expect(answer.status).toBe(200);
    const verified = (await answer.json()) as { status: string; statusReason: string };
    expect(verified.status, verified.statusReason).toBe('connected');
    expect(await exited).toBe(0);
    expect(s.output()).toContain('stopping');

    // What the verification wrote is all there: the connection, its role's result and the audit event.
    const store = await openStore({ url: db });
    try {
      const stored = await store.connections.getAnyOrganization(connection.id);
      expect(stored?.status).toBe('connected');
      const roles = await store.connections.listRoles(connection.id);
      expect(roles.map((r) => [r.roleArn, r.status, r.verifiedAt !== null])).toEqual([[roleArn, 'connected', true]]);
      const events = await store.audit.list({ organizationId: stored!.organizationId, connectionId: connection.id });
      expect(events.map((e) => e.action)).toContain('connection.verify');
    } finally {
      await store.close();
    }
  }, 60_000);

  it('cuts a request still running after shutdown.graceMs and exits 1', async () => {
    cut = await runServe(['--config', join(dir, 'trustgate.yaml'), '--db', join(dir, 'cut.db')], {
      ...env(),
      TRUSTGATE_SHUTDOWN_GRACE_MS: '300',
    });
    const c = cut;
    const headers = { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' };
    const created = await fetch(`${c.url}/v1/connections`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ name: 'cut', scope: { kind: 'account', accountId: sandbox.accounts[1]!.accountId } }),
    });
    expect(created.status).toBe(201);
    const { connection } = (await created.json()) as { connection: { id: string } };
    const before = sandbox.faults.injected.length;
    sandbox.faults.inject({ service: 'sts', action: 'AssumeRole', kind: 'latency', latencyMs: 8_000, count: 1 });
    const verifying = fetch(`${c.url}/v1/connections/${connection.id}/verify`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ roleArn: `arn:aws:iam::${sandbox.accounts[1]!.accountId}:role/TgCut` }),
    }).then(
      (res) => `answered ${res.status}`,
      (error: Error) => `cut: ${error.message}`,
    );
    for (let i = 0; i < 400 && sandbox.faults.injected.length === before; i++)
      await new Promise((r) => setTimeout(r, 10));
    const exited = new Promise<number | null>((resolve) => c.child.once('exit', (code) => resolve(code)));
    c.child.kill('SIGTERM');
    expect(await verifying).toBe('cut: fetch failed');
    expect(await exited).toBe(1);
    expect(c.stderr()).toContain('shutdown: requests still running after 300 ms are cut');
  }, 60_000);
});
