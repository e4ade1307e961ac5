import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OIDC_SUBJECT_TEMPLATE } from '@trustgate/core';
import { subjectTemplatesOf } from '../src/app/identity/subject-templates.ts';
import type { Store } from '../src/store/store.ts';
import { DIALECTS, openTestStore } from './test-stores.ts';

const NEW = 'organization:{org}:workspace:{stack}:run-phase:{phase}';

describe.each(DIALECTS)('the organization OIDC subject setting on %s', (dialect) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ store, cleanup } = await openTestStore(dialect));
  });
  afterAll(async () => cleanup?.());

  it('is none (the default) for a new organization, round-trips, and is cleared back to none', async () => {
    const org = await store.directory.createOrganization({ name: 'Shapes' });
    const other = await store.directory.createOrganization({ name: 'Other' });
    expect(await store.directory.getOidcSubject(org.id)).toBeUndefined();
    expect(await subjectTemplatesOf({ store }, org.id)).toEqual({
      template: DEFAULT_OIDC_SUBJECT_TEMPLATE,
      trusted: [DEFAULT_OIDC_SUBJECT_TEMPLATE],
    });
    await store.directory.setOidcSubject(org.id, { template: NEW, alsoTrusted: [DEFAULT_OIDC_SUBJECT_TEMPLATE] });
    expect(await subjectTemplatesOf({ store }, org.id)).toEqual({
      template: NEW,
      trusted: [NEW, DEFAULT_OIDC_SUBJECT_TEMPLATE],
    });
    expect(await store.directory.getOidcSubject(other.id)).toBeUndefined(); // one organization's alone
    await store.directory.setOidcSubject(org.id, { alsoTrusted: [NEW] });
    expect(await subjectTemplatesOf({ store }, org.id)).toEqual({
      template: DEFAULT_OIDC_SUBJECT_TEMPLATE,
      trusted: [DEFAULT_OIDC_SUBJECT_TEMPLATE, NEW],
    });
    await store.directory.setOidcSubject(org.id, undefined);
    expect(await store.directory.getOidcSubject(org.id)).toBeUndefined();
    expect((await store.directory.getOrganization(org.id))?.name).toBe('Shapes');
  });
});
