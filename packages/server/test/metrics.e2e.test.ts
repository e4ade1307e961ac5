import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrokerEnv, type BrokerEnv } from './issuance-harness.ts';
import { DIALECTS } from './test-stores.ts';

/** One sample of Prometheus' text exposition format. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses Prometheus' text format (version 0.0.4) strictly: `# HELP` / `# TYPE` lines, then samples
 * `name{label="value",...} number`, label values with `\\`, `\"` and `\n` escapes. Every sample must belong to a
 * family with a TYPE (histograms through their `_bucket`, `_sum`, `_count`); anything else fails the test.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][\w:]*) (.*)$/.exec(line);
    if (meta !== null) {
      if (meta[1] === 'TYPE') types.set(meta[2]!, meta[3]!);
      continue;
    }
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a sample: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const pair = /([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let at = 0;
    while (at < body.length) {
      pair.lastIndex = at;
      const p = pair.exec(body);
      if (p === null) throw new Error(`bad labels: ${line}`);
      labels[p[1]!] = p[2]!.replace(/\\(.)/g, (_s, c: string) => (c === 'n' ? '\n' : c));
      at = pair.lastIndex;
    }
    const name = m[1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(family)) throw new Error(`sample without a TYPE: ${line}`);
    // Prometheus reads values as Go's ParseFloat does: NaN in any case, +Inf, -Inf.
    const value = /^nan$/i.test(m[3]!) ? NaN : Number(m[3]!.replace(/^([+-])Inf$/, '$1Infinity'));
    if (Number.isNaN(value) && !/^nan$/i.test(m[3]!)) throw new Error(`bad value: ${line}`);
    samples.push({ name, labels, value });
  }
  return { types, samples };
}

/** The value of the one sample of `name` whose labels include `labels`, 0 when there is none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

describe.each(DIALECTS)('/metrics after real traffic (%s)', (dialect) => {
  let env: BrokerEnv;
  let region: string;
  beforeAll(async () => {
    env = await startBrokerEnv({
      dialect,
      service: { broker: { stsRetry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10, jitter: false } } },
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${env.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return parseExposition(await res.text());
  };

  it('counts requests by route template and status, issuances by outcome and source, STS calls and throttles per region, verifications, connections by status', async () => {
    const conn = await env.connect('main'); // one verification, by the API
    const verified = (await env.service.store.connections.getAnyOrganization(conn.id))!.status;
    const pending = await env.api('POST', '/v1/connections', {
      token: env.adminToken,
      body: { name: 'later', scope: { kind: 'account', accountId: env.customer.accountId }, roleName: 'Tg-later' },
    });
    expect(pending.status, pending.text).toBe(201);
    const web = await env.stack('web');
    await env.attach(web, conn.id, { sessionMode: 'shared' });
    const issuer = await env.token({ scopes: ['credentials:issue'] });
    const issue = (body: Record<string, unknown>) => env.api('POST', '/v1/issuances', { token: issuer.secret, body });

    const first = await issue({ stack: 'web', phase: 'read', runId: 'r1' });
    expect(first.status, first.text).toBe(201);
    expect(first.body.source).toBe('sts');
    region = first.body.region;
    for (const runId of ['r2', 'r3'])
      expect((await issue({ stack: 'web', phase: 'read', runId })).body.source).toBe('cache');
    const unknown = await issue({ stack: 'nope', phase: 'read', runId: 'r4' });
    expect(unknown.status).toBe(404);
    env.setFaults([{ service: 'sts', action: 'AssumeRole', kind: 'throttle', count: Infinity }]);
    let throttled;
    try {
      throttled = await issue({ stack: 'web', phase: 'write', runId: 'r5' });
    } finally {
      env.setFaults([]);
    }
    expect(throttled.status).toBe(503);
    expect(throttled.body.error.code).toBe('CREDENTIALS_UNAVAILABLE');
    for (let i = 0; i < 3; i++) expect((await env.api('GET', '/healthz')).status).toBe(200);
    expect((await env.api('GET', `/v1/connections/${conn.id}`, { token: env.adminToken })).status).toBe(200);
    expect((await env.api('GET', '/no/such/path')).status).toBe(404);

    const { types, samples } = await scrape();
    expect(types.get('trustgate_http_requests_total')).toBe('counter');
    expect(types.get('trustgate_http_request_duration_seconds')).toBe('histogram');
    expect(types.get('trustgate_connections')).toBe('gauge');
    const req = (method: string, route: string, status: number) =>
      valueOf(samples, 'trustgate_http_requests_total', { method, route, status_code: String(status) });
    expect(req('GET', '/healthz', 200)).toBe(3);
    expect(req('POST', '/v1/issuances', 201)).toBe(3);
    expect(req('POST', '/v1/issuances', 404)).toBe(1);
    expect(req('POST', '/v1/issuances', 503)).toBe(1);
    expect(req('GET', '/v1/connections/:id', 200)).toBe(1); // the template, not the ID
    expect(req('POST', '/v1/connections/:id/verify', 200)).toBe(1);
    expect(req('POST', '/v1/connections', 201)).toBe(2);
    expect(req('GET', 'unmatched', 404)).toBe(1);
    expect(samples.some((s) => s.labels.route?.includes(conn.id))).toBe(false);
    const h = { method: 'POST', route: '/v1/issuances', status_code: '201' };
    expect(valueOf(samples, 'trustgate_http_request_duration_seconds_count', h)).toBe(3);
    expect(valueOf(samples, 'trustgate_http_request_duration_seconds_bucket', { ...h, le: '+Inf' })).toBe(3);
    expect(valueOf(samples, 'trustgate_http_request_duration_seconds_sum', h)).toBeGreaterThan(0);
    // The throttled issuance took its retries (at least 15 ms of backoff): above the 10 ms bucket.
    const slow = { method: 'POST', route: '/v1/issuances', status_code: '503' };
    expect(valueOf(samples, 'trustgate_http_request_duration_seconds_bucket', { ...slow, le: '0.01' })).toBe(0);

    const iss = (outcome: string, source: string) =>
      valueOf(samples, 'trustgate_credential_issuances_total', { outcome, source });
    expect(iss('issued', 'sts')).toBe(1);
    expect(iss('issued', 'cache')).toBe(2);
    expect(iss(unknown.body.error.code, 'none')).toBe(1);
    expect(iss('CREDENTIALS_UNAVAILABLE', 'none')).toBe(1);

    expect(valueOf(samples, 'trustgate_sts_calls_total', { region, outcome: 'ok' })).toBe(1);
    expect(valueOf(samples, 'trustgate_sts_calls_total', { region, outcome: 'throttled' })).toBe(3);
    expect(valueOf(samples, 'trustgate_sts_throttles_total', { region })).toBe(3);
    expect(samples.filter((s) => s.name === 'trustgate_verifications_total')).toEqual([
      { name: 'trustgate_verifications_total', labels: { outcome: verified }, value: 1 },
    ]);
    expect(pending.body.connection.status).not.toBe(verified);
    expect(valueOf(samples, 'trustgate_connections', { status: verified })).toBe(1);
    expect(valueOf(samples, 'trustgate_connections', { status: pending.body.connection.status })).toBe(1);
    expect(samples.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
  });

  it('follows the store: a connection that turns broken moves in the gauge, a second scrape counts the first', async () => {
    const before = (await scrape()).samples;
    const conns = await env.api('GET', '/v1/connections', { token: env.adminToken });
    const main = (conns.body as { id: string; name: string }[]).find((c) => c.name === 'main')!;
    const stored = (await env.service.store.connections.getAnyOrganization(main.id))!;
    const was = valueOf(before, 'trustgate_connections', { status: stored.status });
    await env.service.store.connections.update({ ...stored, status: 'broken', statusReason: 'test' });
    const after = (await scrape()).samples;
    expect(valueOf(after, 'trustgate_connections', { status: stored.status })).toBe(was - 1);
    expect(valueOf(after, 'trustgate_connections', { status: 'broken' })).toBe(1);
    expect(after.some((s) => s.name === 'trustgate_connections' && s.value === 0)).toBe(false);
    const scrapes = (s: typeof after) =>
      valueOf(s, 'trustgate_http_requests_total', { method: 'GET', route: '/metrics', status_code: '200' });
    expect(scrapes(after)).toBe(scrapes(before) + 1);
  });

  it('counts the callback answers CloudFormation still waits for, as the store holds them', async () => {
    const callbacks = env.service.store.callbackRequests;
    const key = (requestId: string) => ({
      stackId: 'arn:aws:cloudformation:stack/x',
      requestId,
      logicalResourceId: 'R',
    });
    const pendingOf = async () => {
      const { samples } = await scrape();
      return {
        deciding: valueOf(samples, 'trustgate_callback_answers_pending', { state: 'deciding' }),
        undelivered: valueOf(samples, 'trustgate_callback_answers_pending', { state: 'undelivered' }),
      };
    };
    expect(await pendingOf()).toEqual({ deciding: 0, undelivered: 0 });
    const claim = { requestType: 'Create', digest: 'd', holder: 'h', leaseMs: 60_000 };
    const fallback = { responseUrl: 'https://example.amazonaws.com/answer', responseBody: '{}' };
    expect((await callbacks.claim(key('a'), { ...claim, fallback })).kind).toBe('claimed');
    expect((await callbacks.claim(key('b'), claim)).kind).toBe('claimed');
    const outcome = { status: 'SUCCESS' as const, reason: 'ok', connectionId: null };
    await callbacks.answer(key('b'), outcome, { holder: 'h', delivery: fallback });
    expect(await pendingOf()).toEqual({ deciding: 1, undelivered: 1 });
    await callbacks.delivered(key('b'));
    expect(await pendingOf()).toEqual({ deciding: 1, undelivered: 0 });
  });
});
