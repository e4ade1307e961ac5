import { describe, expect, it } from 'vitest';
import { localCredentialCache } from './local-credential-cache.ts';
import { describeCredentialCache, fakeSession, manualClock, POLICY } from '../../test/credential-cache-behaviour.ts';

describeCredentialCache('localCredentialCache', async ({ now }) => localCredentialCache({ now }));

describe('localCredentialCache', () => {
  it('keeps at most maxEntries sessions, pushing out the least recently used', async () => {
    const clock = manualClock();
    const cache = localCredentialCache({ maxEntries: 2, now: clock.now });
    const load = async () => fakeSession(clock.now());
    await cache.getOrLoad('a', 's', load, POLICY);
    await cache.getOrLoad('b', 's', load, POLICY);
    expect((await cache.getOrLoad('a', 's', load, POLICY)).source).toBe('cache'); // a is now the most recent
    await cache.getOrLoad('c', 's', load, POLICY);
    expect((await cache.getOrLoad('a', 's', load, POLICY)).source).toBe('cache');
    expect((await cache.getOrLoad('b', 's', load, POLICY)).source).toBe('sts');
    await cache.close();
  });

  it('does not keep a session that is already expired when loaded', async () => {
    const clock = manualClock();
    const cache = localCredentialCache({ now: clock.now });
    const expired = fakeSession(clock.now(), { expiresInMs: -1 });
    const first = await cache.getOrLoad('k', 's', async () => expired, POLICY);
    expect(first).toEqual({ session: expired, source: 'sts' });
    const next = fakeSession(clock.now());
    expect(await cache.getOrLoad('k', 's', async () => next, POLICY)).toEqual({ session: next, source: 'sts' });
  });

  it('refuses a cut-off that is not a date', async () => {
    const cache = localCredentialCache();
    await expect(cache.revokeBefore('s', new Date('nope'))).rejects.toThrow(TypeError);
  });
});
