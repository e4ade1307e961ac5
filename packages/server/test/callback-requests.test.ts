import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.ts';
import { DIALECTS, openTestStore } from './test-stores.ts';

const key = { stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1', requestId: 'req-1', logicalResourceId: 'Connect' };
const at = (iso: string) => new Date(iso);

/**
 * The callback's per-request claims (StackId + RequestId + LogicalResourceId), on both dialects and, where the
 * database is shared, across two stores standing for two service instances.
 */
describe.each(DIALECTS)('callback request claims on %s', (dialect) => {
  let store: Store;
  let other: Store;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const opened = await openTestStore(dialect);
    store = opened.store;
    // A second instance on the same PostgreSQL schema; SQLite's in-memory test store is one instance only.
    other = opened.schema === undefined ? store : await openStore({ url: opened.url, schema: opened.schema, poolSize: 2 });
    cleanup = async () => {
      if (other !== store) await other.close();
      await opened.cleanup();
    };
  });
  afterEach(async () => cleanup());

  it('exactly one of many concurrent claims wins; the rest see it deciding, then the stored answer', async () => {
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 === 0 ? store : other).callbackRequests.claim(key, { requestType: 'Create', holder: `h${i}`, leaseMs: 60_000 })));
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'deciding')).toHaveLength(7);
    const winner = claims.findIndex((c) => c.kind === 'claimed');
    expect(winner).toBeGreaterThanOrEqual(0);
    const stood = await store.callbackRequests.answer(key, { status: 'SUCCESS', reason: 'ok', connectionId: 'con_1' });
    expect(stood).toEqual({ status: 'SUCCESS', reason: 'ok', connectionId: 'con_1' });
    // A later answer does not replace the first: every delivery re-sends the same one.
    expect(await other.callbackRequests.answer(key, { status: 'FAILED', reason: 'token spent', connectionId: null })).toEqual(stood);
    expect(await other.callbackRequests.claim(key, { requestType: 'Create', holder: 'late', leaseMs: 60_000 })).toEqual({ kind: 'answered', outcome: stood });
    // Another logical resource of the same request is another request.
    expect((await store.callbackRequests.claim({ ...key, logicalResourceId: 'Other' }, { requestType: 'Create', holder: 'x', leaseMs: 60_000 })).kind).toBe('claimed');
  });

  it('a claim that never got an answer is taken over after its lease, by one caller; a released claim is free at once', async () => {
    expect((await store.callbackRequests.claim(key, { requestType: 'Create', holder: 'crashed', leaseMs: 60_000, now: at('2026-01-01T00:00:00Z') })).kind).toBe('claimed');
    expect((await other.callbackRequests.claim(key, { requestType: 'Create', holder: 'early', leaseMs: 60_000, now: at('2026-01-01T00:00:59Z') })).kind).toBe('deciding');
    const takeovers = await Promise.all(['t1', 't2', 't3'].map((holder, i) => (i === 1 ? other : store).callbackRequests.claim(key, { requestType: 'Create', holder, leaseMs: 60_000, now: at('2026-01-01T00:01:01Z') })));
    expect(takeovers.filter((c) => c.kind === 'claimed')).toHaveLength(1);

    const second = { ...key, requestId: 'req-2' };
    expect((await store.callbackRequests.claim(second, { requestType: 'Create', holder: 'h', leaseMs: 60_000 })).kind).toBe('claimed');
    await store.callbackRequests.release(second, 'someone-else');
    expect((await other.callbackRequests.claim(second, { requestType: 'Create', holder: 'h2', leaseMs: 60_000 })).kind).toBe('deciding');
    await store.callbackRequests.release(second, 'h');
    expect((await other.callbackRequests.claim(second, { requestType: 'Create', holder: 'h2', leaseMs: 60_000 })).kind).toBe('claimed');
  });
});
