import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCatalogInWorker, stopCatalogWorker } from '../src/app/catalogs/parse-in-worker.ts';
import { DEFAULT_CATALOG_FILE } from '../src/create-service.ts';

const EXAMPLE = readFileSync(DEFAULT_CATALOG_FILE, 'utf8');

describe('the catalog worker thread', () => {
  afterAll(async () => stopCatalogWorker());

  it('answers each of several catalogs asked at once with its own result, in order', async () => {
    const sources = [
      EXAMPLE,
      'version: 1\nversion: 1\n',
      EXAMPLE.replace('ec2:RunInstances', 'ec2:RunInstance'),
      'a: *nope\n',
    ];
    const results = await Promise.all(
      sources.map((source, i) => parseCatalogInWorker({ source, fileName: `c${i}.yaml` })),
    );
    expect(results[0]!.catalog?.products.length).toBeGreaterThanOrEqual(4);
    expect(results[1]!.findings[0]).toMatchObject({ code: 'CATALOG_SYNTAX', path: 'version' });
    expect(results[2]!.findings[0]).toMatchObject({ code: 'UNKNOWN_ACTION' });
    expect(results[2]!.findings[0]!.message).toMatch(/^c2\.yaml:/);
    expect(results[3]!.findings[0]).toMatchObject({ code: 'CATALOG_ALIAS' });
  }, 30_000);

  it('refuses a catalog still being checked at its deadline, and replaces the worker for the next one', async () => {
    const slow = await parseCatalogInWorker({ source: EXAMPLE, fileName: 'slow.yaml' }, { deadlineMs: 1 });
    expect(slow.catalog).toBeUndefined();
    expect(slow.findings).toEqual([
      expect.objectContaining({
        code: 'CATALOG_LIMIT',
        message: expect.stringMatching(/^slow\.yaml: checking it took longer than 0\.001 s/),
      }),
    ]);
    const next = await parseCatalogInWorker({ source: EXAMPLE, fileName: 'next.yaml' });
    expect(next.catalog).toBeDefined();
  }, 30_000);
});
