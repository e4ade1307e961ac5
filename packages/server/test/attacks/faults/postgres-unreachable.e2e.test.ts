import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustgateService, type TrustgateService } from '../../../src/create-service.ts';
import { NO_AWS, OPERATOR_TOKEN, TEST_SERVICE_DEFAULTS } from '../../service-harness.ts';
import { dropSchema, TEST_POSTGRES_URL } from '../../test-stores.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

/** A JSON answer. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
type Answer = { status: number; body: any };

/** One write's outcome: what was asked, what was answered. */
interface Outcome {
  kind: 'stack' | 'token';
  name: string;
  status: number;
  /** The created object's ID when acknowledged (201). */
  id?: string;
  code?: string;
  message?: string;
}

/**
 * PostgreSQL unreachable (issue 16, "Faults"): the service's database URL points at a TCP proxy in front of the
 * machine's PostgreSQL (which other tests share, so it is never stopped), and the proxy is cut while writes run
 * concurrently, then restored. Every answer during the outage is a 503 with a message (never a 500, never a
 * hang); readiness says the store is down while liveness stays up; the service recovers by itself once the
 * database is back; and every write it acknowledged (201) is in the database, whole.
 */
describe('PostgreSQL unreachable behind a cut TCP proxy', () => {
  const schema = `tg_${randomBytes(6).toString('hex')}`;
  let proxy: TcpProxy;
  let service: TrustgateService;
  let url = '';
  let admin = '';
  const outcomes: Outcome[] = [];

  beforeAll(async () => {
    proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(TEST_POSTGRES_URL).port || 5432) });
    const through = new URL(TEST_POSTGRES_URL);
    through.host = `${proxy.host}:${proxy.port}`;
    service = await createTrustgateService({
      databaseUrl: through.toString(),
      databaseSchema: schema,
      databasePoolSize: 3,
      ...TEST_SERVICE_DEFAULTS,
      partitions: NO_AWS,
      // Principals are read from the store on every request: the outage is met by authentication too.
      principalCacheMs: 0,
      logger: false,
    });
    url = await service.listen({ port: 0 });
    const org = await call('POST', '/v1/organizations', OPERATOR_TOKEN, {
      name: 'Outage',
      adminEmail: 'admin@outage.test',
      adminName: 'Admin',
    });
    expect(org.status).toBe(201);
    admin = org.body.token.secret;
  });
  afterAll(async () => {
    await service?.close();
    await proxy?.close();
    await dropSchema(schema);
  });

  async function call(method: string, path: string, token: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      // A request the outage holds longer than this is a failure of its own (a hang, not an answer).
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  }

  let serial = 0;
  /** One write, alternately a stack and an API token, recorded with its answer. */
  async function write(): Promise<Outcome> {
    const n = serial++;
    const kind = n % 2 === 0 ? 'stack' : 'token';
    const name = `w-${n}`;
    const res =
      kind === 'stack'
        ? await call('POST', '/v1/stacks', admin, { slug: name, name: `Stack ${n}` })
        : await call('POST', '/v1/tokens', admin, { name, scopes: ['connections:read'] });
    const outcome: Outcome = {
      kind,
      name,
      status: res.status,
      ...(res.status === 201 ? { id: kind === 'stack' ? res.body.id : res.body.token.id } : {}),
      ...(res.status >= 400 ? { code: res.body?.error?.code, message: res.body?.error?.message } : {}),
    };
    outcomes.push(outcome);
    return outcome;
  }

  /** `workers` writers writing until `until()` says stop. */
  async function writers(workers: number, until: () => boolean): Promise<void> {
    await Promise.all(
      Array.from({ length: workers }, async () => {
        while (!until()) await write();
      }),
    );
  }

  it('answers 503 with a message while PostgreSQL is away, recovers when it returns, and loses no acknowledged write', async () => {
    // Before: writes are acknowledged.
    await writers(3, () => outcomes.length >= 12);
    expect(outcomes.every((o) => o.status === 201)).toBe(true);
    expect(proxy.accepted()).toBeGreaterThan(0);

    // The cut lands while writes are in flight.
    let stop = false;
    const during = writers(3, () => stop);
    await new Promise((r) => setTimeout(r, 50));
    proxy.cut();
    const cutAt = outcomes.length;
    await new Promise((r) => setTimeout(r, 1_500));
    const ready = await call('GET', '/readyz', '');
    const health = await call('GET', '/healthz', '');
    const read = await call('GET', '/v1/stacks', admin);
    stop = true;
    await during;
    expect(ready.status).toBe(503);
    expect(health.status).toBe(200);
    expect(read.status).toBe(503);
    expect(read.body.error.message).toMatch(/database/i);

    const outage = outcomes.slice(cutAt);
    const refused = outage.filter((o) => o.status !== 201);
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) {
      expect(o.status, JSON.stringify(o)).toBe(503);
      expect(o.code).toBe('STORE_UNAVAILABLE');
      expect(o.message).toMatch(/database/i);
    }

    // Back: the service reconnects by itself (no restart) and acknowledges writes again.
    proxy.restore();
    let back: Outcome | undefined;
    for (let i = 0; i < 100 && back?.status !== 201; i++) {
      back = await write();
      if (back.status !== 201) await new Promise((r) => setTimeout(r, 100));
    }
    expect(back?.status).toBe(201);
    await writers(3, () => outcomes.filter((o) => o.status === 201).length >= cutAt + 24);
    expect((await call('GET', '/readyz', '')).status).toBe(200);

    // Every acknowledged write is there, whole.
    const stacks = (await call('GET', '/v1/stacks', admin)).body as { id: string; slug: string; name: string }[];
    const tokens = (await call('GET', '/v1/tokens', admin)).body as { id: string; name: string; scopes: string[] }[];
    const acknowledged = outcomes.filter((o) => o.status === 201);
    const lost = acknowledged.filter((o) =>
      o.kind === 'stack'
        ? !stacks.some((s) => s.id === o.id && s.slug === o.name && s.name === `Stack ${o.name.slice(2)}`)
        : !tokens.some((t) => t.id === o.id && t.name === o.name && t.scopes.join() === 'connections:read'),
    );
    const statuses = [...new Set(outcomes.map((o) => o.status))].sort();
    console.log(
      `PostgreSQL outage: ${outcomes.length} writes, ${acknowledged.length} acknowledged, ${refused.length} refused 503 ` +
        `during the cut, answers ${statuses.join('/')}, writes lost ${lost.length}`,
    );
    expect(lost).toEqual([]);
    expect(statuses.every((s) => s === 201 || s === 503)).toBe(true);
  }, 60_000);
});
