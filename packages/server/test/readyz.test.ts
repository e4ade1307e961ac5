import { createServer, type Server, type Socket, connect } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { checkReadiness, type Readiness } from '../src/app/ops/readiness.ts';
import { createTrustgateService, type TrustgateService } from '../src/create-service.ts';
import { openDatabase } from '../src/store/open-database.ts';
import { pendingMigrations } from '../src/store/store-health.ts';
import { MIGRATIONS } from '../src/store/migrations.ts';
import type { Database } from '../src/store/schema.ts';
import { NO_AWS, startTestService, TEST_SERVICE_DEFAULTS } from './service-harness.ts';
import { dropSchema, TEST_POSTGRES_URL } from './test-stores.ts';

/** A TCP proxy to `port` on 127.0.0.1 that the test can cut (every connection and the listener): a peer gone away. */
async function tcpProxy(port: number): Promise<{ port: number; cut(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    async cut() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function readyz(url: string): Promise<{ status: number; body: Readiness; cacheControl: string | null }> {
  const res = await fetch(`${url}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness, cacheControl: res.headers.get('cache-control') };
}

const failed = (body: Readiness) => body.checks.filter((c) => !c.ok).map((c) => c.name);

describe('/readyz', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it.each(['sqlite', 'postgres'] as const)(
    'answers 200 when the store (%s) answers and is migrated; /healthz too',
    async (dialect) => {
      const t = await startTestService({ dialect, partitions: NO_AWS });
      cleanups.push(() => t.close());
      const r = await readyz(t.url);
      expect(r.status).toBe(200);
      expect(r.cacheControl).toBe('no-store');
      expect(r.body.ready).toBe(true);
      expect(r.body.checks.map((c) => c.name)).toEqual(['store', 'migrations']); // no Redis configured
      expect(r.body.checks.every((c) => c.ok)).toBe(true);
      expect((await t.api('GET', '/healthz')).status).toBe(200);
      expect((await t.api('GET', '/openapi.json')).text).not.toContain('readyz');
    },
  );

  it('answers 503 naming the store when its PostgreSQL goes away; /healthz and /metrics still answer', async () => {
    const proxy = await tcpProxy(5432);
    const schema = `tg_${randomBytes(6).toString('hex')}`;
    const pgUrl = new URL(TEST_POSTGRES_URL);
    pgUrl.host = `127.0.0.1:${proxy.port}`;
    const service: TrustgateService = await createTrustgateService({
      ...TEST_SERVICE_DEFAULTS,
      databaseUrl: pgUrl.toString(),
      databaseSchema: schema,
      databasePoolSize: 2,
      partitions: NO_AWS,
    });
    cleanups.push(async () => {
      await service.close();
      await dropSchema(schema);
    });
    const url = await service.listen({ port: 0 });
    expect((await readyz(url)).status).toBe(200);
    await proxy.cut();
    const down = await readyz(url);
    expect(down.status).toBe(503);
    expect(down.body.ready).toBe(false);
    expect(failed(down.body)).toEqual(['store', 'migrations']);
    expect(down.body.checks[0]!.message).toMatch(
      /^The store is unreachable: .*(ECONNREFUSED|terminated|closed|Connection)/i,
    );
    expect(JSON.stringify(down.body)).not.toContain('postgres://');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // The scrape still answers: the request counters, without the gauges the store could not give.
    const scraped = await fetch(`${url}/metrics`);
    expect(scraped.status).toBe(200);
    const text = await scraped.text();
    expect(text).toMatch(/^trustgate_http_requests_total\{method="GET",route="\/readyz",status_code="503"\} 1$/m);
    expect(text).not.toMatch(/^trustgate_connections\{/m);
  });

  it('answers 503 naming Redis when the cache in Redis cannot be reached', async () => {
    const proxy = await tcpProxy(6379);
    const service = await createTrustgateService({
      ...TEST_SERVICE_DEFAULTS,
      databaseUrl: ':memory:',
      partitions: NO_AWS,
      cache: {
        redisUrl: `redis://127.0.0.1:${proxy.port}`,
        encryptionKey: randomBytes(32),
        keyPrefix: `tg-readyz-${randomBytes(4).toString('hex')}:`,
      },
    });
    cleanups.push(() => service.close());
    const url = await service.listen({ port: 0 });
    const up = await readyz(url);
    expect(up.status).toBe(200);
    expect(up.body.checks.map((c) => c.name)).toEqual(['store', 'migrations', 'redis']);
    await proxy.cut();
    const down = await readyz(url);
    expect(down.status).toBe(503);
    expect(failed(down.body)).toEqual(['redis']);
    expect(down.body.checks[2]!.message).toMatch(/^Redis is unreachable: /);
  });

  it('names a store that cannot be reached (a PostgreSQL pool at a closed port), within its bound', async () => {
    const pool = new pg.Pool({ host: '127.0.0.1', port: await closedPort(), user: 'postgres', database: 'test' });
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    cleanups.push(() => db.destroy());
    const started = Date.now();
    const r = await checkReadiness({ store: { pendingMigrations: () => pendingMigrations(db) } }, { timeoutMs: 1000 });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(r.ready).toBe(false);
    expect(r.checks[0]).toMatchObject({ name: 'store', ok: false });
    expect(r.checks[0]!.message).toMatch(/ECONNREFUSED/);
  });

  it('names every migration a store has not applied, and a store that never answers by its bound', async () => {
    const opened = await openDatabase({ url: ':memory:', migrate: false });
    cleanups.push(() => opened.close());
    const r = await checkReadiness({ store: { pendingMigrations: () => pendingMigrations(opened.db) } });
    expect(r.ready).toBe(false);
    expect(r.checks[0]).toMatchObject({ name: 'store', ok: true });
    expect(r.checks[1]!.ok).toBe(false);
    for (const name of Object.keys(MIGRATIONS)) expect(r.checks[1]!.message).toContain(name);
    const hung = await checkReadiness(
      {
        store: { pendingMigrations: () => pendingMigrations(opened.db) },
        redis: { ping: () => new Promise(() => {}) },
      },
      { timeoutMs: 50 },
    );
    expect(hung.checks[2]).toEqual({
      name: 'redis',
      ok: false,
      message: 'Redis is unreachable: Redis gave no answer within 50 ms.',
    });
  });
});
