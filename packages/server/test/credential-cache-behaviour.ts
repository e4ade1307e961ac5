import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CachedSession, CredentialCache, LoadPolicy } from '../src/cache/credential-cache.ts';

/** A clock tests move by hand, starting at the real time (Redis's own TTLs run on the real clock). */
export function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let t = Date.now();
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** A session with random (fake) secrets, issued `issuedAgoMs` before `nowMs` and ending `expiresInMs` after it. */
export function fakeSession(nowMs: number, o: { expiresInMs?: number; issuedAgoMs?: number } = {}): CachedSession {
  return {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `FwoG${randomBytes(200).toString('base64')}`,
    expiration: new Date(nowMs + (o.expiresInMs ?? 3_600_000)).toISOString(),
    issuedAt: new Date(nowMs - (o.issuedAgoMs ?? 0)).toISOString(),
    assumedRoleArn: 'arn:aws:sts::111122223333:assumed-role/Deploy/run-1',
    sessionName: 'run-1',
  };
}

/** A load that counts its calls and answers with `next()` (a session or a thrown error). */
export function countingLoad(next: () => Promise<CachedSession>): {
  load: () => Promise<CachedSession>;
  calls: () => number;
} {
  let calls = 0;
  return {
    load: async () => {
      calls++;
      return next();
    },
    calls: () => calls,
  };
}

export const POLICY: LoadPolicy = { refreshAheadMs: 300_000, minRemainingMs: 60_000 };
const MIN = 60_000;

/**
 * The behaviour every {@link CredentialCache} shares (its doc comment), for a cache made by `make` on a clock.
 * `make` may be called more than once per test; every cache it made is closed after the test.
 */
export function describeCredentialCache(
  name: string,
  make: (clock: { now: () => number }) => Promise<CredentialCache>,
): void {
  describe(`${name}: the CredentialCache contract`, () => {
    let clock: ReturnType<typeof manualClock>;
    let cache: CredentialCache;
    let key: string;
    const scope = `connection-${randomUUID()}`;

    beforeEach(async () => {
      clock = manualClock();
      cache = await make(clock);
      key = `key-${randomUUID()}`;
    });
    afterEach(async () => {
      await cache.close();
    });

    it('loads on a miss (sts), then serves the entry (cache) without loading again', async () => {
      const s = fakeSession(clock.now());
      const l = countingLoad(async () => s);
      expect(await cache.getOrLoad(key, scope, l.load, POLICY)).toEqual({ session: s, source: 'sts' });
      clock.advance(10 * MIN);
      expect(await cache.getOrLoad(key, scope, l.load, POLICY)).toEqual({ session: s, source: 'cache' });
      expect(l.calls()).toBe(1);
    });

    it('loads a new session once the entry has refreshAheadMs or less left', async () => {
      const first = fakeSession(clock.now(), { expiresInMs: 20 * MIN });
      await cache.getOrLoad(key, scope, async () => first, POLICY);
      clock.advance(15 * MIN); // 5 minutes left = refreshAheadMs
      const second = fakeSession(clock.now());
      const l = countingLoad(async () => second);
      expect(await cache.getOrLoad(key, scope, l.load, POLICY)).toEqual({ session: second, source: 'sts' });
      expect(await cache.getOrLoad(key, scope, l.load, POLICY)).toEqual({ session: second, source: 'cache' });
      expect(l.calls()).toBe(1);
    });

    it('serves the old entry (stale-cache) when the load fails and more than minRemainingMs is left', async () => {
      const old = fakeSession(clock.now(), { expiresInMs: 20 * MIN });
      await cache.getOrLoad(key, scope, async () => old, POLICY);
      clock.advance(18 * MIN); // 2 minutes left: inside the refresh window, above minRemainingMs
      const failing = countingLoad(async () => {
        throw new Error('Throttling: Rate exceeded');
      });
      expect(await cache.getOrLoad(key, scope, failing.load, POLICY)).toEqual({ session: old, source: 'stale-cache' });
      // A failure is not remembered: the next call tries again.
      expect(await cache.getOrLoad(key, scope, failing.load, POLICY)).toEqual({ session: old, source: 'stale-cache' });
      expect(failing.calls()).toBe(2);
    });

    it("throws the load's error when the old entry has minRemainingMs or less left, or there is none", async () => {
      const failure = new Error('Throttling: Rate exceeded');
      const failing = async (): Promise<CachedSession> => {
        throw failure;
      };
      await expect(cache.getOrLoad(key, scope, failing, POLICY)).rejects.toBe(failure);
      await cache.getOrLoad(key, scope, async () => fakeSession(clock.now(), { expiresInMs: 20 * MIN }), POLICY);
      clock.advance(19 * MIN); // exactly minRemainingMs left
      await expect(cache.getOrLoad(key, scope, failing, POLICY)).rejects.toBe(failure);
    });

    it('never serves an expired entry, not even when the load fails', async () => {
      await cache.getOrLoad(key, scope, async () => fakeSession(clock.now(), { expiresInMs: 20 * MIN }), POLICY);
      clock.advance(21 * MIN);
      const failure = new Error('ServiceUnavailable');
      await expect(
        cache.getOrLoad(key, scope, async () => Promise.reject(failure), { refreshAheadMs: 0, minRemainingMs: -MIN }),
      ).rejects.toBe(failure);
    });

    it('loads once for many concurrent callers of one key (single flight), and each key for itself', async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const s = fakeSession(clock.now());
      const l = countingLoad(async () => {
        await gate;
        return s;
      });
      const other = countingLoad(async () => fakeSession(clock.now()));
      const answers = Array.from({ length: 25 }, () => cache.getOrLoad(key, scope, l.load, POLICY));
      const otherAnswer = cache.getOrLoad(`${key}-other`, scope, other.load, POLICY);
      await new Promise((r) => setTimeout(r, 30));
      release();
      const results = await Promise.all(answers);
      expect(results.every((r) => r.session.accessKeyId === s.accessKeyId && r.source === 'sts')).toBe(true);
      expect(l.calls()).toBe(1);
      expect((await otherAnswer).source).toBe('sts');
      expect(other.calls()).toBe(1);
    });

    it('after revokeBefore, serves no session of the scope issued before the cut-off, not even stale', async () => {
      const old = fakeSession(clock.now(), { expiresInMs: 20 * MIN });
      const otherScope = `${scope}-other`;
      const otherKey = `${key}-other`;
      await cache.getOrLoad(key, scope, async () => old, POLICY);
      await cache.getOrLoad(otherKey, otherScope, async () => fakeSession(clock.now()), POLICY);
      clock.advance(1_000);
      await cache.revokeBefore(scope, new Date(clock.now()));
      const failure = new Error('Throttling');
      await expect(cache.getOrLoad(key, scope, async () => Promise.reject(failure), POLICY)).rejects.toBe(failure);
      const fresh = fakeSession(clock.now());
      expect(await cache.getOrLoad(key, scope, async () => fresh, POLICY)).toEqual({ session: fresh, source: 'sts' });
      expect(await cache.getOrLoad(key, scope, async () => fakeSession(clock.now()), POLICY)).toEqual({
        session: fresh,
        source: 'cache',
      });
      // Another scope is untouched.
      const untouched = await cache.getOrLoad(otherKey, otherScope, async () => fakeSession(clock.now()), POLICY);
      expect(untouched.source).toBe('cache');
    });

    it('revocation cut-offs only move forward', async () => {
      const s = fakeSession(clock.now(), { issuedAgoMs: 5_000 });
      await cache.getOrLoad(key, scope, async () => s, POLICY);
      await cache.revokeBefore(scope, new Date(clock.now()));
      await cache.revokeBefore(scope, new Date(clock.now() - 60_000));
      const fresh = fakeSession(clock.now() + 1);
      expect(await cache.getOrLoad(key, scope, async () => fresh, POLICY)).toEqual({ session: fresh, source: 'sts' });
    });

    it('a session loaded while the cut-off was set is loaded again; one still revoked is CREDENTIALS_UNAVAILABLE', async () => {
      const cutoff = clock.now() + 1_000;
      const raced = fakeSession(clock.now());
      const fresh = fakeSession(clock.now() + 2_000);
      let n = 0;
      const l = countingLoad(async () => {
        if (n++ === 0) {
          await cache.revokeBefore(scope, new Date(cutoff)); // revoked while STS was being called
          return raced;
        }
        return fresh;
      });
      expect(await cache.getOrLoad(key, scope, l.load, POLICY)).toEqual({ session: fresh, source: 'sts' });
      expect(l.calls()).toBe(2);

      const future = `${key}-future`;
      await cache.revokeBefore(`${scope}-future`, new Date(clock.now() + 3_600_000));
      const always = countingLoad(async () => fakeSession(clock.now()));
      await expect(cache.getOrLoad(future, `${scope}-future`, always.load, POLICY)).rejects.toMatchObject({
        code: 'CREDENTIALS_UNAVAILABLE',
      });
      expect(always.calls()).toBe(2);
    });
  });
}
