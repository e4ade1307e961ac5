import { readdir, readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfInspectionPolicy } from '../src/model/self-inspection-policy.ts';
import { DIALECTS } from './test-stores.ts';
import { startTestService, type TestService, NO_AWS } from './service-harness.ts';

const SRC_DIR = fileURLToPath(new URL('../src/', import.meta.url));
const STORE_DIR = fileURLToPath(new URL('../src/store/', import.meta.url));

describe('layering: the store stands on the model only', () => {
  it('imports nothing from the use cases, auth, HTTP or AWS adapters: only the model', async () => {
    const offenders: string[] = [];
    for (const file of (await readdir(STORE_DIR, { recursive: true })).filter((f) => f.endsWith('.ts'))) {
      const source = await readFile(`${STORE_DIR}${file}`, 'utf8');
      for (const m of source.matchAll(/^import\s+(type\s+)?[^;]*?from\s+'(\.{1,2}\/[^']+)';/gms)) {
        // Where the import lands, relative to src/: inside store/ or in model/ is allowed, anything else is not.
        const target = relative(SRC_DIR, resolve(dirname(`${STORE_DIR}${file}`), m[2] ?? ''));
        if (!target.startsWith('store/') && !target.startsWith('model/'))
          offenders.push(`${file}: ${m[0].replace(/\s+/g, ' ')}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});

describe.each(DIALECTS)(
  'stored connection records on %s are upgraded when read, in one place (the store row mapper)',
  (dialect) => {
    let t: TestService;
    let token: string;
    beforeAll(async () => {
      t = await startTestService({ dialect, partitions: NO_AWS });
      token = (await t.newOrganization('Upgrade')).adminToken;
    });
    afterAll(async () => t?.close());

    it('every read of the store gives the current record of a legacy row, and so does the service', async () => {
      const created = await t.api('POST', '/v1/connections', {
        token,
        body: { name: 'legacy', scope: { kind: 'organization', organizationId: 'o-abcdefghij' } },
      });
      expect(created.status, created.text).toBe(201);
      const id: string = created.body.connection.id;
      const stored = (await t.service.store.connections.getAnyOrganization(id))!;
      const current = stored.issuedPolicy;
      const legacy = {
        ...current,
        documents: current.documents.map((d) =>
          d.name.endsWith('-verification') ? selfInspectionPolicy('aws', stored.roleName) : d,
        ),
      };
      expect(legacy).not.toEqual(current);
      // The row is written as a legacy record (the policy an older trustgate issued) ...
      await t.service.store.connections.update({ ...stored, issuedPolicy: legacy });
      const row = await t.service.store.connections.getAnyOrganization(id);
      // ... and every read of the store gives the current record.
      expect(row?.issuedPolicy).toEqual(current);
      expect((await t.service.store.connections.get(stored.organizationId, id))?.issuedPolicy).toEqual(current);
      expect(
        (await t.service.store.connections.list({ organizationId: stored.organizationId })).find((c) => c.id === id)
          ?.issuedPolicy,
      ).toEqual(current);
      // The use cases work with the current record: the template grants what verification now asks.
      const template = await t.api('GET', `/v1/connections/${id}/deliverables/cloudformation-json`, { token });
      expect(template.status).toBe(200);
      expect(template.text).toContain('organizations:DescribeOrganization');
    });
  },
);
