import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../../../src/store/open-database.ts';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { createPlatformUser } from '../../../src/aws/create-platform-user.ts';
import { dropSchema, TEST_POSTGRES_URL } from '../../test-stores.ts';
import { runServe, type Served } from '../../../../cli/test/run-serve.ts';

/** A JSON answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
type Answer = { status: number; body: any };

/** What the writers had acknowledged when the process was killed. */
interface Acknowledged {
  stacks: Array<{ id: string; slug: string; name: string; labels: Record<string, string> }>;
  tokens: Array<{ id: string; name: string; scopes: string[] }>;
  /** Credentials served: the run they were issued to and the session's key. */
  issued: Array<{ runId: string; accessKeyId: string }>;
  /** Requests cut by the kill (no answer): neither acknowledged nor refused. */
  cut: number;
}

/**
 * Crash safety (issue 16): the real `trustgate serve` (the bin, AWS at a sandbox in this process) runs concurrent
 * writes (stacks, API tokens) and credential issuances, is killed with SIGKILL mid-way, and is started again on the
 * same store — a SQLite file, a PostgreSQL schema. Every write it acknowledged (201) is there and whole, and every
 * credential it served has its `credentials.issue` audit row (the broker audits before answering).
 */
export function describeKillRestart(dialect: DialectName): void {
  describe(`kill -9 during writes and issuances on ${dialect}, then restart`, () => {
    const tally = { acknowledged: 0, lost: 0, unaudited: 0, cut: 0 };
    const dir = mkdtempSync(join(tmpdir(), 'tg-crash-'));
    const schema = `tg_${randomBytes(6).toString('hex')}`;
    let sandbox: Sandbox;
    let served: Served | undefined;
    const config = join(dir, 'trustgate.yaml');
    const env = { AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'), AWS_CONFIG_FILE: join(dir, 'config') };

    beforeAll(async () => {
      sandbox = await startSandbox({ accounts: 2 });
      const platform = sandbox.accounts[0]!;
      const user = await createPlatformUser({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        adminCredentials: { accessKeyId: platform.accessKeyId, secretAccessKey: platform.secretAccessKey },
      });
      writeFileSync(
        env.AWS_SHARED_CREDENTIALS_FILE,
        `[platform]\naws_access_key_id = ${user.credentials.accessKeyId}\naws_secret_access_key = ${user.credentials.secretAccessKey}\n`,
      );
      writeFileSync(env.AWS_CONFIG_FILE, '');
      const store =
        dialect === 'sqlite'
          ? ['store:', `  url: ${join(dir, 'trustgate.db')}`]
          : ['store:', `  url: ${TEST_POSTGRES_URL}`, `  schema: ${schema}`, '  poolSize: 4'];
      writeFileSync(
        config,
        [
          ...store,
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
    }, 60_000);
    afterAll(async () => {
      if (served !== undefined && served.child.exitCode === null) served.child.kill('SIGKILL');
      await sandbox?.stop();
      rmSync(dir, { recursive: true, force: true });
      if (dialect === 'postgres') await dropSchema(schema);
      console.log(
        `crash safety on ${dialect}: ${tally.acknowledged} acknowledged, ${tally.cut} cut by the kill, ` +
          `writes lost ${tally.lost}, credentials without an audit row ${tally.unaudited}`,
      );
    });

    async function call(base: Served, method: string, path: string, token: string, body?: unknown): Promise<Answer> {
      const res = await fetch(`${base.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json() };
    }

    /** A connected connection, a stack attached to it and a token that may issue for it. */
    async function setUp(s: Served): Promise<{ issuer: string }> {
      const customer = sandbox.accounts[1]!;
      const created = await call(s, 'POST', '/v1/connections', s.token, {
        name: 'crash',
        scope: { kind: 'account', accountId: customer.accountId },
        roleName: 'TgCrash',
      });
      expect(created.status).toBe(201);
      const iam = new IAMClient({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
      });
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'TgCrash',
          AssumeRolePolicyDocument: JSON.stringify(created.body.deliverables.trustPolicy),
        }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'TgCrash',
          PolicyName: 'everything',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
          }),
        }),
      );
      for (const arn of created.body.deliverables.managedPolicyArns as string[])
        await iam.send(new AttachRolePolicyCommand({ RoleName: 'TgCrash', PolicyArn: arn }));
      const id: string = created.body.connection.id;
      const verified = await call(s, 'POST', `/v1/connections/${id}/verify`, s.token, {
        roleArn: `arn:aws:iam::${customer.accountId}:role/TgCrash`,
      });
      expect(verified.body.status, JSON.stringify(verified.body)).toBe('connected');
      const stack = await call(s, 'POST', '/v1/stacks', s.token, { slug: 'runs', name: 'Runs' });
      expect(stack.status).toBe(201);
      const attached = await call(s, 'POST', `/v1/stacks/${stack.body.id}/attachments`, s.token, {
        connectionId: id,
        phases: ['read', 'write'],
      });
      expect(attached.status, JSON.stringify(attached.body)).toBe(201);
      const issuer = await call(s, 'POST', '/v1/tokens', s.token, { name: 'issuer', scopes: ['credentials:issue'] });
      expect(issuer.status).toBe(201);
      return { issuer: issuer.body.secret };
    }

    /** Writers of each kind, concurrently, until the process dies; what was acknowledged. */
    async function writeUntilKilled(s: Served, issuer: string): Promise<Acknowledged> {
      const ack: Acknowledged = { stacks: [], tokens: [], issued: [], cut: 0 };
      let n = 0;
      let killed = false;
      const one = async (): Promise<void> => {
        const i = n++;
        try {
          if (i % 3 === 0) {
            const body = { slug: `s-${i}`, name: `Stack ${i}`, labels: { team: `t${i}`, crash: 'yes' } };
            const res = await call(s, 'POST', '/v1/stacks', s.token, body);
            if (res.status === 201) ack.stacks.push({ id: res.body.id, ...body });
          } else if (i % 3 === 1) {
            const res = await call(s, 'POST', '/v1/tokens', s.token, { name: `k-${i}`, scopes: ['stacks:read'] });
            if (res.status === 201) ack.tokens.push({ id: res.body.token.id, name: `k-${i}`, scopes: ['stacks:read'] });
          } else {
            const runId = `run-${i}`;
            const res = await call(s, 'POST', '/v1/issuances', issuer, { stack: 'runs', phase: 'write', runId });
            if (res.status === 201) ack.issued.push({ runId, accessKeyId: res.body.credentials.accessKeyId });
          }
        } catch {
          ack.cut += 1; // no answer: the process died with the request in flight
          killed = true;
        }
      };
      const workers = Array.from({ length: 6 }, async () => {
        while (!killed && s.child.exitCode === null && s.child.signalCode === null) await one();
      });
      // The kill lands once every kind has been acknowledged a few times, with requests in flight.
      for (let i = 0; i < 600 && Math.min(ack.stacks.length, ack.tokens.length, ack.issued.length) < 4; i++)
        await new Promise((r) => setTimeout(r, 10));
      s.child.kill('SIGKILL');
      killed = true;
      await Promise.all(workers);
      return ack;
    }

    it('every acknowledged write is there and whole after the restart, and every credential served was audited', async () => {
      const first = await runServe(['--config', config], env);
      served = first;
      const { issuer } = await setUp(first);
      const ack = await writeUntilKilled(first, issuer);
      expect(ack.issued.length).toBeGreaterThanOrEqual(5);

      const again = await runServe(['--config', config], env);
      served = again;
      const stacks = (await call(again, 'GET', '/v1/stacks', again.token)).body as Acknowledged['stacks'];
      const tokens = (await call(again, 'GET', '/v1/tokens', again.token)).body as Acknowledged['tokens'];
      const audit = await call(again, 'GET', '/v1/audit?action=credentials.issue&limit=1000', again.token);
      expect(audit.status).toBe(200);
      const audited = new Set(
        (audit.body as Array<{ details: { runId?: string; source?: string } }>).map((e) => e.details.runId),
      );
      const lost = [
        ...ack.stacks.filter(
          (a) =>
            !stacks.some(
              (s) =>
                s.id === a.id &&
                s.slug === a.slug &&
                s.name === a.name &&
                JSON.stringify(s.labels) === JSON.stringify(a.labels),
            ),
        ),
        ...ack.tokens.filter(
          (a) => !tokens.some((t) => t.id === a.id && t.name === a.name && t.scopes.join() === a.scopes.join()),
        ),
      ];
      const unaudited = ack.issued.filter((i) => !audited.has(i.runId));
      tally.acknowledged += ack.stacks.length + ack.tokens.length + ack.issued.length;
      tally.cut += ack.cut;
      tally.lost += lost.length;
      tally.unaudited += unaudited.length;
      expect(lost).toEqual([]);
      expect(unaudited).toEqual([]);
      // The restarted service works on the store the kill left: it writes and issues again.
      expect((await call(again, 'POST', '/v1/stacks', again.token, { slug: 'after', name: 'After' })).status).toBe(201);
      const after = await call(again, 'POST', '/v1/issuances', issuer, {
        stack: 'runs',
        phase: 'read',
        runId: 'after',
      });
      expect(after.status, JSON.stringify(after.body)).toBe(201);
    }, 90_000);
  });
}
