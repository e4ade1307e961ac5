/**
 * The connect wizard's live preview: how long `POST /v1/policy-preview` takes for a tick (the console asks it 25 ms
 * after the last change, and the issue wants the preview within 100 ms), for the default selection, every
 * integration of the example catalog, and every one in GovCloud with extra actions and wildcards; and the
 * autocomplete's `GET /v1/actions` page — each against `/healthz` over the same connection in the same run.
 */
import { createTrustgateService, seedDemoOrganization } from '@trustgate/server';

/** Median and 95th percentile (ms) of `n` sequential calls of `fn`, after `warm` unmeasured ones. */
async function latency(fn: () => Promise<unknown>, n = 200, warm = 20): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < warm; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(n / 2)] as number, p95: times[Math.floor(n * 0.95)] as number };
}

export default async function run(): Promise<void> {
  const service = await createTrustgateService({
    databaseUrl: ':memory:',
    partitions: {
      aws: {
        endpoint: 'http://127.0.0.1:9',
        region: 'us-east-1',
        credentials: { accessKeyId: 'AKIAUNUSED0000000000', secretAccessKey: 'unused' },
        accountId: '111111111111',
      },
    },
    publicUrl: 'http://127.0.0.1',
    reverify: false,
  });
  try {
    const url = await service.listen({ port: 0 });
    const { adminToken } = await seedDemoOrganization(service.store);
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const tree = (await (await fetch(`${url}/v1/catalog-tree`, { headers })).json()) as {
      products: { integrations: { id: string }[] }[];
    };
    const all = tree.products.flatMap((p) => p.integrations.map((i) => i.id));
    const preview = (body: unknown) => async () => {
      const res = await fetch(`${url}/v1/policy-preview`, { method: 'POST', headers, body: JSON.stringify(body) });
      if (res.status !== 200) throw new Error(`policy-preview ${res.status}: ${await res.text()}`);
      return res.text();
    };
    const scope = { kind: 'account', accountId: '222222222222' };
    const cases: [string, () => Promise<unknown>][] = [
      ['/healthz (baseline)', async () => (await fetch(`${url}/healthz`)).text()],
      ['preview, default selection', preview({ scope, selection: { mode: 'default' } })],
      [`preview, all ${all.length} integrations`, preview({ scope, selection: { mode: 'custom', integrations: all } })],
      [
        'preview, GovCloud, all + 3 extra actions',
        preview({
          partition: 'aws-us-gov',
          scope,
          region: 'us-gov-west-1',
          selection: { mode: 'custom', integrations: all },
          extraActions: ['s3:GetObject', 'ec2:DescribeSpot*', 'logs:FilterLogEvents'],
          managedPolicies: ['ReadOnlyAccess'],
        }),
      ],
      [
        'actions, prefix ec2:Describe, 20',
        async () => (await fetch(`${url}/v1/actions?prefix=ec2:Describe&limit=20`, { headers })).text(),
      ],
      [
        'actions, typo (did-you-mean)',
        async () => (await fetch(`${url}/v1/actions?prefix=s3:GetObjcet`, { headers })).text(),
      ],
    ];
    const base = await latency(cases[0]![1]);
    for (const [label, fn] of cases) {
      const { median, p95 } = label.startsWith('/healthz') ? base : await latency(fn);
      console.log(
        `${label.padEnd(44)} median ${median.toFixed(2).padStart(6)} ms  p95 ${p95.toFixed(2).padStart(6)} ms  (${(median / base.median).toFixed(1)}x /healthz)`,
      );
    }
  } finally {
    await service.close();
  }
}
