import { describe, expect, it } from 'vitest';
import type { ConnectionDeps } from '../deps.ts';
import { startReverifyScheduler } from './reverify-connections.ts';

/** A store whose job claim waits until released, counting the claims made. */
function slowStore() {
  const state = { claims: 0, release: () => {} };
  const store = {
    claimJobRun: () => {
      state.claims += 1;
      return new Promise<boolean>((resolve) => {
        state.release = () => resolve(true);
      });
    },
    connections: { listDueForReverification: async () => [] },
  };
  return { deps: { store } as unknown as ConnectionDeps, state };
}

describe('startReverifyScheduler', () => {
  it('stop() waits for the running re-verification to finish, and no run starts after it', async () => {
    const { deps, state } = slowStore();
    const scheduler = startReverifyScheduler(deps, { holder: 'h', tickMs: 5 });
    for (let i = 0; i < 200 && state.claims === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(state.claims).toBe(1);
    let stopped = false;
    const stopping = scheduler.stop().then(() => {
      stopped = true;
    });
    // Ticks come and go while the run is still going: none starts another, and stop() has not resolved.
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
    expect(stopped).toBe(false);
    expect(state.claims).toBe(1);
    state.release();
    await stopping;
    expect(stopped).toBe(true);
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
    expect(state.claims).toBe(1);
  });
});
