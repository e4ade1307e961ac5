import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.ts';
import { DIALECTS, openTestStore } from './test-stores.ts';

const key = {
  stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
  requestId: 'req-1',
  logicalResourceId: 'Connect',
};
const at = (iso: string) => new Date(iso);
/** Digests of two request bodies (handleCallback passes the SHA-256 of the custom-resource request). */
const D1 = 'a'.repeat(64);
const D2 = 'b'.repeat(64);

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
    other =
      opened.schema === undefined ? store : await openStore({ url: opened.url, schema: opened.schema, poolSize: 2 });
    cleanup = async () => {
      if (other !== store) await other.close();
      await opened.cleanup();
    };
  });
  afterEach(async () => cleanup());

  it('exactly one of many concurrent claims wins; the rest see it deciding, then the stored answer', async () => {
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 === 0 ? store : other).callbackRequests.claim(key, {
          requestType: 'Create',
          digest: D1,
          holder: `h${i}`,
          leaseMs: 60_000,
        }),
      ),
    );
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'deciding')).toHaveLength(7);
    const winner = claims.findIndex((c) => c.kind === 'claimed');
    expect(winner).toBeGreaterThanOrEqual(0);
    const stood = await store.callbackRequests.answer(
      key,
      { status: 'SUCCESS', reason: 'ok', connectionId: 'con_1' },
      { holder: `h${winner}` },
    );
    expect(stood).toEqual({ status: 'SUCCESS', reason: 'ok', connectionId: 'con_1' });
    // A later answer does not replace the first: every delivery re-sends the same one.
    expect(
      await other.callbackRequests.answer(
        key,
        { status: 'FAILED', reason: 'token spent', connectionId: null },
        { holder: `h${winner}` },
      ),
    ).toEqual(stood);
    expect(
      await other.callbackRequests.claim(key, { requestType: 'Create', digest: D1, holder: 'late', leaseMs: 60_000 }),
    ).toEqual({ kind: 'answered', outcome: stood });
    // Another logical resource of the same request is another request.
    expect(
      (
        await store.callbackRequests.claim(
          { ...key, logicalResourceId: 'Other' },
          { requestType: 'Create', digest: D1, holder: 'x', leaseMs: 60_000 },
        )
      ).kind,
    ).toBe('claimed');
  });

  it('a claim that never got an answer is taken over after its lease, by one caller', async () => {
    expect(
      (
        await store.callbackRequests.claim(key, {
          requestType: 'Create',
          digest: D1,
          holder: 'crashed',
          leaseMs: 60_000,
          now: at('2026-01-01T00:00:00Z'),
        })
      ).kind,
    ).toBe('claimed');
    expect(
      (
        await other.callbackRequests.claim(key, {
          requestType: 'Create',
          digest: D1,
          holder: 'early',
          leaseMs: 60_000,
          now: at('2026-01-01T00:00:59Z'),
        })
      ).kind,
    ).toBe('deciding');
    const takeovers = await Promise.all(
      ['t1', 't2', 't3'].map((holder, i) =>
        (i === 1 ? other : store).callbackRequests.claim(key, {
          requestType: 'Create',
          digest: D1,
          holder,
          leaseMs: 60_000,
          now: at('2026-01-01T00:01:01Z'),
        }),
      ),
    );
    expect(takeovers.filter((c) => c.kind === 'claimed')).toHaveLength(1);
  });

  it('a key claimed for one request body is refused to another body, deciding or answered: no stored answer for it', async () => {
    expect(
      (await store.callbackRequests.claim(key, { requestType: 'Create', digest: D1, holder: 'h', leaseMs: 60_000 }))
        .kind,
    ).toBe('claimed');
    expect(
      await other.callbackRequests.claim(key, { requestType: 'Create', digest: D2, holder: 'x', leaseMs: 60_000 }),
    ).toEqual({ kind: 'mismatch' });
    // Not even after the lease: another body never takes the claim over.
    expect(
      await other.callbackRequests.claim(key, {
        requestType: 'Create',
        digest: D2,
        holder: 'x',
        leaseMs: 0,
        now: new Date(Date.now() + 1000),
      }),
    ).toEqual({ kind: 'mismatch' });
    await store.callbackRequests.answer(
      key,
      { status: 'SUCCESS', reason: 'Role verified', connectionId: 'con_victim' },
      { holder: 'h' },
    );
    expect(
      await other.callbackRequests.claim(key, { requestType: 'Create', digest: D2, holder: 'y', leaseMs: 60_000 }),
    ).toEqual({ kind: 'mismatch' });
    expect(
      (await other.callbackRequests.claim(key, { requestType: 'Create', digest: D1, holder: 'z', leaseMs: 60_000 }))
        .kind,
    ).toBe('answered');
  });

  it('only the current holder stores an answer: a decider whose lease was taken over cannot answer over the taker', async () => {
    expect(
      (
        await store.callbackRequests.claim(key, {
          requestType: 'Create',
          digest: D1,
          holder: 'slow',
          leaseMs: 60_000,
          now: at('2026-01-01T00:00:00Z'),
        })
      ).kind,
    ).toBe('claimed');
    expect(
      (
        await other.callbackRequests.claim(key, {
          requestType: 'Create',
          digest: D1,
          holder: 'taker',
          leaseMs: 60_000,
          now: at('2026-01-01T00:01:01Z'),
        })
      ).kind,
    ).toBe('claimed');
    // The slow decider finishes while the taker still decides: not stored, nothing to send.
    expect(
      await store.callbackRequests.answer(
        key,
        { status: 'SUCCESS', reason: 'verified', connectionId: 'con_1' },
        { holder: 'slow' },
      ),
    ).toBeUndefined();
    expect(await store.callbackRequests.deliveryState(key)).toBe('deciding');
    const stood = await other.callbackRequests.answer(
      key,
      { status: 'FAILED', reason: 'token spent', connectionId: null },
      { holder: 'taker' },
    );
    expect(stood).toEqual({ status: 'FAILED', reason: 'token spent', connectionId: null });
    // Once answered, a late decider gets the answer that stands (the first one stored), not its own.
    expect(
      await store.callbackRequests.answer(
        key,
        { status: 'SUCCESS', reason: 'verified', connectionId: 'con_1' },
        { holder: 'slow' },
      ),
    ).toEqual(stood);
    expect(
      await other.callbackRequests.answer(
        key,
        { status: 'SUCCESS', reason: 'again', connectionId: 'con_1' },
        { holder: 'taker' },
      ),
    ).toEqual(stood);
  });

  it('a claim whose decider stopped keeps its URL and ready answer; after the lease one of two instances answers it (compare-and-set); unanswered claims are pruned after a day', async () => {
    const fallback = {
      responseUrl: 'https://b.s3.amazonaws.com/r?X-Amz-Signature=s',
      responseBody: '{"Status":"FAILED"}',
    };
    expect(
      (
        await store.callbackRequests.claim(key, {
          requestType: 'Create',
          digest: D1,
          holder: 'died',
          leaseMs: 60_000,
          now: at('2026-01-01T00:00:00Z'),
          fallback,
        })
      ).kind,
    ).toBe('claimed');
    const window = { since: at('2025-12-31T23:00:00Z'), claimedBefore: at('2026-01-01T00:00:30Z') };
    const listed = await other.callbackRequests.listAbandonedClaims(window);
    expect(listed).toEqual([{ ...key, holder: 'died', claimedAt: '2026-01-01T00:00:00.000Z', ...fallback }]);
    const outcome = { status: 'FAILED' as const, reason: 'stopped', connectionId: null };
    const won = await Promise.all(
      [store, other].map((s, i) =>
        s.callbackRequests.answerAbandonedClaim(key, listed[0]!, outcome, {
          holder: `pass-${i}`,
          now: at('2026-01-01T00:01:01Z'),
        }),
      ),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await other.callbackRequests.listAbandonedClaims(window)).toEqual([]);
    // Answered with its URL kept until delivered; a late delivery gets the stored answer.
    expect(await store.callbackRequests.deliveryState(key)).toBe('undelivered');
    expect(
      (await other.callbackRequests.listUndelivered({ since: at('2026-01-01T00:00:00Z') })).map((p) => p.responseUrl),
    ).toEqual([fallback.responseUrl]);
    expect(
      await other.callbackRequests.claim(key, {
        requestType: 'Create',
        digest: D1,
        holder: 'late',
        leaseMs: 60_000,
        now: at('2026-01-01T00:02:00Z'),
      }),
    ).toEqual({ kind: 'answered', outcome });
    await store.callbackRequests.delivered(key);
    expect(await other.callbackRequests.listUndelivered({ since: at('2026-01-01T00:00:00Z') })).toEqual([]);

    // A claim nobody answered (no ready answer: from before) is pruned after a day like an answered one.
    const orphan = { ...key, requestId: 'req-orphan' };
    await store.callbackRequests.claim(orphan, {
      requestType: 'Create',
      digest: D1,
      holder: 'died',
      leaseMs: 60_000,
      now: at('2026-01-01T00:00:00Z'),
    });
    await other.callbackRequests.claim(
      { ...key, requestId: 'req-next' },
      { requestType: 'Create', digest: D1, holder: 'h', leaseMs: 60_000, now: at('2026-01-02T00:00:01Z') },
    );
    expect(await store.callbackRequests.deliveryState(orphan)).toBeUndefined();
  });

  it('an answer is undelivered until its PUT succeeded', async () => {
    expect(
      (await store.callbackRequests.claim(key, { requestType: 'Create', digest: D1, holder: 'h', leaseMs: 60_000 }))
        .kind,
    ).toBe('claimed');
    await store.callbackRequests.answer(
      key,
      { status: 'SUCCESS', reason: 'ok', connectionId: 'con_1' },
      { holder: 'h' },
    );
    expect(await other.callbackRequests.deliveryState(key)).toBe('undelivered');
    await other.callbackRequests.delivered(key);
    expect(await store.callbackRequests.deliveryState(key)).toBe('delivered');
  });
});
