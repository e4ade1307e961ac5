/**
 * The connection service: what an authenticated API read costs over a bare route (SQLite and PostgreSQL),
 * and what a full verification costs over the one AssumeRole call it is built around (against the sandbox).
 */
import { randomBytes } from 'node:crypto';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { startSandbox } from '@trustgate/sandbox';
import { createPlatformUser, createTrustgateService, seedDemoOrganization } from '@trustgate/server';
import { CloudFormationClient, CreateStackCommand, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import pg from 'pg';
import { describeLoad, runLoad } from './load-generator.ts';
import { asyncOpsPerSecond } from './ops-per-second.ts';

/** Requests per second of `fn`, awaited one at a time, for about `ms` after a warm-up. */
const perSecond = (fn: () => Promise<unknown>, ms = 1500): Promise<number> => asyncOpsPerSecond(fn, ms);

export default async function run(): Promise<void> {
  const sandbox = await startSandbox({ accounts: 2 });
  const [platform, customer] = sandbox.accounts as [
    (typeof sandbox.accounts)[number],
    (typeof sandbox.accounts)[number],
  ];
  const user = await createPlatformUser({
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    adminCredentials: platform,
  });
  const partitions = {
    aws: {
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: user.credentials,
      accountId: platform.accountId,
    },
  };
  const schema = `tg_bench_${randomBytes(4).toString('hex')}`;
  try {
    for (const [label, databaseUrl] of [
      ['sqlite', ':memory:'],
      ['postgres', process.env.TRUSTGATE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test'],
    ] as const) {
      const service = await createTrustgateService({
        databaseUrl,
        ...(label === 'postgres' ? { databaseSchema: schema } : {}),
        partitions,
        publicUrl: 'http://127.0.0.1',
        reverify: false,
        verifyRetry: { maxWaitMs: 0 },
      });
      const url = await service.listen({ port: 0 });
      const { adminToken } = await seedDemoOrganization(service.store);
      const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
      const created = await (
        await fetch(`${url}/v1/connections`, {
          method: 'POST',
          headers,
          body: JSON.stringify({
            name: `bench-${label}`,
            roleName: `Bench${label}`,
            scope: { kind: 'account', accountId: customer.accountId },
          }),
        })
      ).json();
      const id = created.connection.id as string;
      const health = await perSecond(async () => (await fetch(`${url}/healthz`)).text());
      const read = await perSecond(async () => (await fetch(`${url}/v1/connections/${id}`, { headers })).text());
      console.log(
        `${label}, one request at a time: GET /healthz ${health.toFixed(0)} req/s; authenticated GET /v1/connections/:id ${read.toFixed(0)} req/s (${(health / read).toFixed(2)}x the cost of the bare route)`,
      );
      const bare = await runLoad({ url: `${url}/healthz`, connections: 16 });
      const authed = await runLoad({
        url: `${url}/v1/connections/${id}`,
        connections: 16,
        headers: { authorization: headers.authorization },
      });
      console.log(`${label}, autocannon 16 connections 5 s: GET /healthz ${describeLoad(bare)}`);
      console.log(
        `${label}, autocannon 16 connections 5 s: authenticated GET /v1/connections/:id ${describeLoad(authed)} (${(bare.requestsPerSecond / authed.requestsPerSecond).toFixed(1)}x fewer than the bare route)`,
      );
      if (label === 'sqlite') {
        const cfn = new CloudFormationClient({
          endpoint: sandbox.endpoint,
          region: 'us-east-1',
          credentials: customer,
        });
        await cfn.send(
          new CreateStackCommand({
            StackName: 'bench',
            TemplateBody: created.deliverables.formats['cloudformation-json'],
            Capabilities: ['CAPABILITY_NAMED_IAM'],
          }),
        );
        while (
          ((await cfn.send(new DescribeStacksCommand({ StackName: 'bench' }))).Stacks?.[0]?.StackStatus ?? '').endsWith(
            'IN_PROGRESS',
          )
        )
          await new Promise((r) => setTimeout(r, 50));
        const roleArn = `arn:aws:iam::${customer.accountId}:role/Benchsqlite`;
        const sts = new STSClient({ endpoint: sandbox.endpoint, region: 'us-east-1', credentials: user.credentials });
        const assume = await perSecond(
          () =>
            sts.send(
              new AssumeRoleCommand({
                RoleArn: roleArn,
                RoleSessionName: 'bench',
                ExternalId: created.connection.externalId,
              }),
            ),
          1000,
        );
        const verify = await perSecond(
          async () =>
            (
              await fetch(`${url}/v1/connections/${id}/verify`, {
                method: 'POST',
                headers,
                body: JSON.stringify({ roleArn }),
              })
            ).text(),
          3000,
        );
        console.log(
          `verify over HTTP (3 AssumeRole, GetCallerIdentity, IAM reads, local evaluation of ${created.connection.requiredActions.reduce((n: number, r: { actions: string[] }) => n + r.actions.length, 0)} actions): ${(1000 / verify).toFixed(1)} ms each; one AssumeRole: ${(1000 / assume).toFixed(1)} ms (${(assume / verify).toFixed(1)}x)`,
        );
      }
      await service.close();
    }
  } finally {
    await sandbox.stop();
    const client = new pg.Client({
      connectionString: process.env.TRUSTGATE_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test',
    });
    await client.connect();
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.end();
  }
}
