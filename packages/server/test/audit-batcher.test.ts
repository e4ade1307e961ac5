import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KyselyPlugin } from 'kysely';
import { DIALECTS, openSharedTestDatabase, type SharedTestDatabase } from './test-stores.ts';
import { openDatabase, type OpenDatabase } from '../src/store/open-database.ts';
import { AuditRepository, MAX_APPEND_MANY, type AuditEventInput } from '../src/store/audit-repository.ts';
import { DirectoryRepository } from '../src/store/directory-repository.ts';
import { createAuditBatcher, type AuditBatcherPort } from '../src/app/audit/audit-batcher.ts';

function event(organizationId: string, n: number): Omit<AuditEventInput, 'at'> {
  return {
    organizationId,
    actorUserId: null,
    tokenId: 'tok_1',
    action: 'credentials.issue',
    connectionId: null,
    details: { n },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A promise and its settlers. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A port whose writes the test releases (or fails) one by one; records batches and the writes in flight. */
function controlledPort() {
  const batches: AuditEventInput[][] = [];
  const gates: ReturnType<typeof deferred>[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const port: AuditBatcherPort = {
    audit: {
      async appendMany(events) {
        batches.push([...events]);
        const gate = deferred();
        gates.push(gate);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await gate.promise;
        } finally {
          inFlight--;
        }
        return events;
      },
    },
  };
  return { port, batches, gates, maxInFlight: () => maxInFlight };
}

/** Whether a promise has settled yet, and how. */
function track(p: Promise<void>): { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } {
  const t: { state: 'pending' | 'resolved' | 'rejected'; error?: unknown } = { state: 'pending' };
  p.then(
    () => (t.state = 'resolved'),
    (error: unknown) => {
      t.state = 'rejected';
      t.error = error;
    },
  );
  return t;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await sleep(5);
  expect(condition(), what).toBe(true);
}

describe('audit batcher (group commit)', () => {
  it('by default writes on the next turn of the event loop: the appends of one turn share a write, none waits a timer', async () => {
    const { port, batches, gates } = controlledPort();
    const batcher = createAuditBatcher(port);
    const same = [0, 1, 2].map((n) => track(batcher.append(event('org_a', n))));
    expect(batches).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    expect(batches.map((b) => b.map((e) => e.details.n))).toEqual([[0, 1, 2]]);
    gates[0]!.resolve();
    await until(() => same.every((t) => t.state === 'resolved'), 'the batch resolved');
  });

  it('an append resolves only after its write committed; arrivals during a write form the next batch', async () => {
    const { port, batches, gates, maxInFlight } = controlledPort();
    const batcher = createAuditBatcher(port, { maxBatch: 100, maxDelayMs: 1 });
    const first = [0, 1, 2].map((n) => track(batcher.append(event('org_a', n))));
    await until(() => batches.length === 1, 'the first write started');
    // While it runs, more events arrive: they wait for it, not for a timer, and are not part of it.
    const second = [3, 4, 5, 6, 7].map((n) => track(batcher.append(event('org_a', n))));
    await sleep(20);
    expect(batches).toHaveLength(1);
    expect([...first, ...second].every((t) => t.state === 'pending')).toBe(true);
    gates[0]!.resolve();
    await until(() => first.every((t) => t.state === 'resolved'), 'the first batch resolved');
    await until(() => batches.length === 2, 'the second write started as the first ended');
    expect(second.every((t) => t.state === 'pending')).toBe(true);
    gates[1]!.resolve();
    await until(() => second.every((t) => t.state === 'resolved'), 'the second batch resolved');
    expect(batches.map((b) => b.map((e) => e.details.n))).toEqual([
      [0, 1, 2],
      [3, 4, 5, 6, 7],
    ]);
    expect(maxInFlight()).toBe(1);
    // Each event carries the time it was appended.
    for (const b of batches) for (const e of b) expect(new Date(e.at!).toISOString()).toBe(e.at);
  });

  it('a failing write rejects exactly its batch; the next batch is tried afresh and succeeds', async () => {
    const { port, batches, gates } = controlledPort();
    const batcher = createAuditBatcher(port, { maxBatch: 100, maxDelayMs: 1 });
    const first = [0, 1, 2, 3].map((n) => track(batcher.append(event('org_a', n))));
    await until(() => batches.length === 1, 'the first write started');
    const second = [4, 5].map((n) => track(batcher.append(event('org_a', n))));
    const failure = new Error('disk full');
    gates[0]!.reject(failure);
    await until(() => first.every((t) => t.state === 'rejected'), 'the first batch rejected');
    expect(first.every((t) => t.error === failure)).toBe(true);
    await until(() => batches.length === 2, 'the second write started');
    gates[1]!.resolve();
    await until(() => second.every((t) => t.state === 'resolved'), 'the second batch resolved');
    expect(batches[1]!.map((e) => e.details.n)).toEqual([4, 5]);
  });

  it('writes a full batch at once and an idle one after maxDelayMs, never more than maxBatch at a time', async () => {
    const writes: number[] = [];
    const started: number[] = [];
    const port: AuditBatcherPort = {
      audit: {
        async appendMany(events) {
          started.push(Date.now());
          writes.push(events.length);
          return events;
        },
      },
    };
    const batcher = createAuditBatcher(port, { maxBatch: 10, maxDelayMs: 200 });
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 25 }, (_, n) => batcher.append(event('org_a', n))));
    expect(writes).toEqual([10, 10, 5]);
    // The full batches did not wait for the delay; the last (5 < maxBatch, arrived while the writes ran) neither.
    expect(started[0]! - t0).toBeLessThan(150);

    writes.length = 0;
    const lone = track(batcher.append(event('org_a', 99)));
    await sleep(50);
    expect(writes).toEqual([]);
    expect(lone.state).toBe('pending');
    await until(() => lone.state === 'resolved', 'the lone event written after the delay');
    expect(writes).toEqual([1]);
  });

  it('flush writes what is queued without waiting for the delay; close flushes and then refuses appends', async () => {
    const written: unknown[] = [];
    const port: AuditBatcherPort = {
      audit: {
        async appendMany(events) {
          written.push(...events.map((e) => e.details.n));
          return events;
        },
      },
    };
    const batcher = createAuditBatcher(port, { maxBatch: 256, maxDelayMs: 60_000 });
    const a = track(batcher.append(event('org_a', 1)));
    const t0 = Date.now();
    await batcher.flush();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(written).toEqual([1]);
    await until(() => a.state === 'resolved', 'flushed append resolved');
    const b = track(batcher.append(event('org_a', 2)));
    await batcher.close();
    expect(written).toEqual([1, 2]);
    await until(() => b.state === 'resolved', 'append before close resolved');
    await expect(batcher.append(event('org_a', 3))).rejects.toThrow(/closed/);
    expect(written).toEqual([1, 2]);
  });

  it('refuses a batch size appendMany cannot write in one statement', () => {
    const port: AuditBatcherPort = { audit: { appendMany: async (e) => e } };
    expect(() => createAuditBatcher(port, { maxBatch: MAX_APPEND_MANY + 1 })).toThrow(/batch size/);
    expect(() => createAuditBatcher(port, { maxBatch: 0 })).toThrow(/batch size/);
  });
});

/** Counts the INSERT statements a Kysely instance runs. */
function insertCounter(): { plugin: KyselyPlugin; inserts: () => number } {
  let n = 0;
  return {
    plugin: {
      transformQuery(args) {
        if (args.node.kind === 'InsertQueryNode') n++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    },
    inserts: () => n,
  };
}

describe.each(DIALECTS)('audit appendMany and the batcher on %s', (dialect) => {
  let shared: SharedTestDatabase;
  let opened: OpenDatabase;
  let orgId: string;
  beforeEach(async () => {
    shared = openSharedTestDatabase(dialect, 'tg-audit-batch-');
    opened = await openDatabase({
      url: shared.config.databaseUrl,
      ...(shared.schema === undefined ? {} : { schema: shared.schema, poolSize: 4 }),
    });
    orgId = (await new DirectoryRepository(opened.db).createOrganization({ name: 'A' })).id;
  });
  afterEach(async () => {
    await opened.close();
    await shared.remove();
  });

  it('appendMany writes its events in one INSERT, all or none, and returns them as stored', async () => {
    const counter = insertCounter();
    const audit = new AuditRepository(opened.db.withPlugin(counter.plugin));
    const at = '2026-12-03T12:00:00.000Z';
    const stored = await audit.appendMany([
      { ...event(orgId, 1), at },
      event(orgId, 2),
      { ...event(orgId, 3), connectionId: 'con_x' },
    ]);
    expect(counter.inserts()).toBe(1);
    expect(new Set(stored.map((e) => e.id)).size).toBe(3);
    expect(stored[0]!.at).toBe(at);
    const listed = (await audit.list({ organizationId: orgId })).sort(
      (x, y) => Number(x.details.n) - Number(y.details.n),
    );
    // The store numbers the log (seq, commit order) as it writes; everything else is what appendMany returned.
    expect(listed.map(({ seq: _seq, ...rest }) => rest)).toEqual(stored);
    expect(new Set(listed.map((e) => e.seq)).size).toBe(3);
    for (const e of listed) expect(e.seq).toBeGreaterThan(0);
    expect(await audit.appendMany([])).toEqual([]);
    expect(counter.inserts()).toBe(1);
    // One event of an unknown organization fails the statement: nothing of it is stored.
    await expect(audit.appendMany([event(orgId, 4), event('org_missing', 5)])).rejects.toThrow();
    expect(await audit.list({ organizationId: orgId })).toHaveLength(3);
    await expect(
      audit.appendMany(Array.from({ length: MAX_APPEND_MANY + 1 }, (_, n) => event(orgId, n))),
    ).rejects.toThrow(/At most/);
  });

  it('many concurrent appends become few INSERTs and every one is stored once', async () => {
    const counter = insertCounter();
    const audit = new AuditRepository(opened.db.withPlugin(counter.plugin));
    const batcher = createAuditBatcher({ audit }, { maxBatch: 256, maxDelayMs: 5 });
    await Promise.all(Array.from({ length: 600 }, (_, n) => batcher.append(event(orgId, n))));
    // 600 arrivals in one tick: full batches of 256, 256, then the remaining 88.
    expect(counter.inserts()).toBe(3);
    const rows = await audit.list({ organizationId: orgId, limit: 1000 });
    expect(rows.map((r) => r.details.n as number).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 600 }, (_, n) => n),
    );
    await batcher.close();
  });

  it("a write the database refuses rejects that batch's waiters only, and stores none of it", async () => {
    const counter = insertCounter();
    const audit = new AuditRepository(opened.db.withPlugin(counter.plugin));
    const batcher = createAuditBatcher({ audit }, { maxBatch: 4, maxDelayMs: 5 });
    // The first batch (4 events) holds one the database refuses (its organization does not exist).
    const first = [event(orgId, 0), event('org_missing', 1), event(orgId, 2), event(orgId, 3)].map((e) =>
      batcher.append(e),
    );
    const second = [4, 5].map((n) => batcher.append(event(orgId, n)));
    const outcomes = await Promise.allSettled([...first, ...second]);
    expect(outcomes.map((o) => o.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(counter.inserts()).toBe(2);
    const rows = await audit.list({ organizationId: orgId });
    expect(rows.map((r) => r.details.n).sort()).toEqual([4, 5]);
    await batcher.close();
  });
});
