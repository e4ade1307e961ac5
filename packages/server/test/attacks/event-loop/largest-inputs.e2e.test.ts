import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_LIMITS, loadAwsActionList } from '@trustgate/core';
import { bigCatalog } from '../../../../core/test/support/big-catalog.ts';
import { NO_AWS, startTestService, type ApiResponse, type TestService } from '../../service-harness.ts';

/** An OpenAPI operation as /openapi.json describes it (only what the suite reads). */
interface Operation {
  requestBody?: unknown;
}

/** The bodies' size the generic part sends: just under the default body limit (1 MiB). */
const GENERIC_BODY_CHARS = 1_000_000;

/**
 * Event loop (issue 16): while the largest inputs the routes accept are being processed — the biggest catalog the
 * limits allow (CATALOG_LIMITS), a connection and a policy preview selecting all of it with the most extra actions
 * and managed policies a body may name, compiled expanded and compacted, that connection's deliverables in every
 * format and its largest update — and every other route with a JSON body gets a body of 1 MB, all at once and
 * several times over, `/healthz` answers each poll within a second. Every answer time is measured; the longest is
 * printed (the README's figure). The routes with a body are read from /openapi.json, so a route added later gets
 * its 1 MB body with no change here.
 */
describe('/healthz while the largest accepted inputs of every route are processed', () => {
  let t: TestService;
  let token = '';
  let spec: { paths: Record<string, Record<string, Operation>> };
  let products: string[] = [];
  let actions: string[] = [];
  let catalog = '';

  beforeAll(async () => {
    t = await startTestService({ dialect: 'sqlite', partitions: NO_AWS });
    token = (await t.newOrganization('Loop')).adminToken;
    const actionList = await loadAwsActionList();
    catalog = bigCatalog(actionList);
    const uploaded = await t.api('POST', '/v1/catalogs', {
      token,
      body: { name: 'biggest', fileName: 'biggest.yaml', source: catalog },
    });
    expect(uploaded.status, uploaded.text.slice(0, 300)).toBe(201);
    const tree = await t.api('GET', '/v1/catalog-tree?catalogName=biggest', { token });
    products = (tree.body.products as Array<{ id: string }>).map((p) => p.id);
    actions = actionList
      .services()
      .flatMap((s) => actionList.actionsOf(s))
      .slice(0, 1000);
    spec = (await t.api('GET', '/openapi.json')).body;
    // Warm-up: a first connection loads and compiles the code of every deliverable's format once per process (about
    // 0.2 to 0.4 s on the event loop, whatever the input): what is measured below is what the inputs cost.
    const small = await t.api('POST', '/v1/connections', {
      token,
      body: { name: 'warm-up', scope: { kind: 'account', accountId: '123456789012' } },
    });
    expect(small.status, small.text.slice(0, 300)).toBe(201);
  }, 120_000);
  afterAll(async () => t?.close());

  /**
   * A selection of the biggest catalog with the most extra actions a body may name: of `count` products (all of
   * them: the most work, refused as too large; 20: accepted, 10 managed policies or fewer).
   */
  const selecting = (count: number, wildcards: 'expand' | 'compact') => ({
    catalogName: 'biggest',
    selection: { mode: 'custom', products: products.slice(0, count) },
    extraActions: actions,
    managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    wildcards,
  });

  /** Polls /healthz one request after another until `work` settles; every answer's time. */
  async function whilePolling(work: () => Promise<void>): Promise<number[]> {
    const times: number[] = [];
    let done = false;
    const poller = (async () => {
      while (!done) {
        const started = performance.now();
        const res = await fetch(`${t.url}/healthz`);
        await res.text();
        expect(res.status).toBe(200);
        times.push(performance.now() - started);
      }
    })();
    try {
      await work();
    } finally {
      done = true;
      await poller;
    }
    return times;
  }

  it('answers every /healthz poll within a second', async () => {
    const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.requestBody !== undefined)
        .map(([method]) => ({ method: method.toUpperCase(), path })),
    );
    // Path parameters: an ID nothing has (the body is parsed and checked before the object is looked for).
    const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'con_missing00000000000');
    const huge = JSON.stringify({ name: 'x'.repeat(GENERIC_BODY_CHARS - 20) });
    const answers: Array<{ what: string; res: ApiResponse }> = [];
    const run = async (what: string, p: Promise<ApiResponse>) => answers.push({ what, res: await p });

    const times = await whilePolling(async () => {
      const created = t.api('POST', '/v1/connections', {
        token,
        body: { name: 'largest', scope: { kind: 'account', accountId: '123456789012' }, ...selecting(20, 'compact') },
      });
      await Promise.all([
        run(
          'catalog',
          t.api('POST', '/v1/catalogs', { token, body: { name: 'again', fileName: 'a.yaml', source: catalog } }),
        ),
        run('preview all expand', t.api('POST', '/v1/policy-preview', { token, body: selecting(500, 'expand') })),
        run('preview all compact', t.api('POST', '/v1/policy-preview', { token, body: selecting(500, 'compact') })),
        run('preview accepted', t.api('POST', '/v1/policy-preview', { token, body: selecting(20, 'expand') })),
        run('connection', created),
        ...operations.map((o) =>
          run(`${o.method} ${o.path}`, t.api(o.method, concrete(o.path), { token, rawBody: huge })),
        ),
      ]);
      const id = (await created).body?.connection?.id as string;
      await Promise.all([
        run('deliverables', t.api('GET', `/v1/connections/${id}/deliverables`, { token })),
        run('update', t.api('PATCH', `/v1/connections/${id}`, { token, body: selecting(20, 'expand') })),
      ]);
    });

    const byWhat = (what: string) => answers.filter((a) => a.what === what).map((a) => a.res);
    for (const res of [...byWhat('catalog'), ...byWhat('connection')])
      expect(res.status, res.text.slice(0, 300)).toBe(201);
    for (const what of ['preview accepted', 'deliverables', 'update'])
      for (const res of byWhat(what)) expect(res.status, `${what}: ${res.text.slice(0, 300)}`).toBe(200);
    for (const what of ['preview all expand', 'preview all compact'])
      for (const res of byWhat(what))
        expect(res.body.error.code, `${what}: ${res.text.slice(0, 300)}`).toBe('POLICY_TOO_LARGE');
    // Every route with a body answered its 1 MB body, none with a 500.
    const generic = answers.filter((a) => operations.some((o) => a.what === `${o.method} ${o.path}`));
    expect(generic).toHaveLength(operations.length);
    for (const a of generic) expect(a.res.status, `${a.what}: ${a.res.text.slice(0, 300)}`).toBeLessThan(500);

    const longest = Math.max(...times);
    console.log(
      `event loop: ${answers.length} large requests (${operations.length} routes with a body, ` +
        `catalog ${CATALOG_LIMITS.sourceLength.toLocaleString('en')} chars max), ${times.length} /healthz polls, ` +
        `longest answer ${Math.round(longest)} ms`,
    );
    expect(times.length).toBeGreaterThan(10);
    expect(longest).toBeLessThan(1_000);
  }, 120_000);
});
