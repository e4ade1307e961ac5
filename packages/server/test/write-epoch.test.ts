import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganizationWithAdmin } from '../src/app/directory/organizations.ts';
import type { Store } from '../src/store/store.ts';
import { DIALECTS, openTestStore } from './test-stores.ts';

/**
 * The store's write epoch (store/write-epoch.ts), which the principal cache trusts to learn that a token or user
 * changed: every write that may change an authorization decision moves it, the audit log does not.
 */
describe.each(DIALECTS)('write epoch on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let org: Awaited<ReturnType<typeof createOrganizationWithAdmin>>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(dialect));
    org = await createOrganizationWithAdmin(store, { name: 'Epoch', adminEmail: 'e@example.test', adminName: 'E' });
  });
  afterAll(async () => cleanup?.());

  it('moves when a token is revoked and when a transaction commits, not on reads', async () => {
    const before = store.writeEpoch();
    await store.tokens.findByHash('nothing');
    await store.directory.getUser(org.organization.id, org.admin.id);
    expect(store.writeEpoch()).toBe(before);
    await store.tokens.revoke(org.organization.id, org.issued.token.id);
    const afterRevoke = store.writeEpoch();
    expect(afterRevoke).toBeGreaterThan(before);
    await store.transaction(async (repos) => repos.tokens.findByHash('nothing'));
    expect(store.writeEpoch()).toBeGreaterThan(afterRevoke);
  });

  it('does not move for audit rows (every issuance writes one)', async () => {
    const before = store.writeEpoch();
    await store.audit.append({
      organizationId: org.organization.id,
      actorUserId: null,
      tokenId: null,
      action: 'test.epoch',
      connectionId: null,
      details: {},
    });
    expect(store.writeEpoch()).toBe(before);
  });
});
