import { statSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { populateStore, type PopulatedStore } from '../../server/test/backup-fixture.ts';
import { openSharedTestDatabase, TEST_POSTGRES_URL, type SharedTestDatabase } from '../../server/test/test-stores.ts';
import { readEveryRow } from '../../server/test/database-rows.ts';
import { runTrustgate } from './run-trustgate.ts';

/**
 * `trustgate store export FILE` / `trustgate store import FILE` as an operator runs them: a SQLite store filled through
 * the API exported (mode 0600, no token in it or in the output), imported into a new PostgreSQL schema; a second
 * import into the now full schema exits 5 and a file of another schema version exits 2, both naming the problem.
 */
describe('trustgate store export / import', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tg-store-cli-'));
  let source: PopulatedStore;
  let target: SharedTestDatabase;

  beforeAll(async () => {
    source = await populateStore('sqlite', 'tg-store-cli-src-');
    target = openSharedTestDatabase('postgres', 'unused');
  }, 60_000);
  afterAll(async () => {
    await source?.database.remove();
    await target?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports SQLite, imports into PostgreSQL, and refuses a full store or another schema version', async () => {
    const file = join(dir, 'backup.json');
    const exported = await runTrustgate(['store', 'export', file, '--db', source.database.sqliteFile!]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^exported \d+ rows of .*tg\.sqlite to .*backup\.json\n/);
    expect(exported.stdout).toMatch(/ {2}api_tokens +2\n/);
    expect(exported.stderr).toContain('settings callback-secret, run-token-secret');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    for (const secret of [source.adminToken, source.memberToken]) {
      expect(text).not.toContain(secret);
      expect(exported.stdout + exported.stderr).not.toContain(secret);
    }

    // The store from the configuration's variables this time (as `serve` reads them).
    const imported = await runTrustgate(['store', 'import', file, '--json'], {
      env: { TRUSTGATE_STORE_URL: TEST_POSTGRES_URL, TRUSTGATE_STORE_SCHEMA: target.schema! },
    });
    expect(imported.code, imported.stderr).toBe(0);
    const counts = JSON.parse(imported.stdout).tables as Record<string, number>;
    const rows = await readEveryRow(target);
    for (const [table, n] of Object.entries(counts)) expect(rows[table], table).toHaveLength(n);
    expect(counts.audit_events).toBeGreaterThan(5);

    const again = await runTrustgate([
      'store',
      'import',
      file,
      '--db',
      TEST_POSTGRES_URL,
      '--db-schema',
      target.schema!,
    ]);
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(
      /error \[CONFLICT\]: The store is not empty: organizations \(1\).*nothing was written/,
    );

    const older = join(dir, 'older.json');
    await writeFile(older, JSON.stringify({ ...JSON.parse(text), schemaVersion: '0001-initial' }));
    const fresh = join(dir, 'fresh.sqlite');
    const refused = await runTrustgate(['store', 'import', older, '--db', fresh]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('is an export of schema version "0001-initial"');
    expect(() => statSync(fresh)).toThrow(); // checked before the store was opened: not even created
  });
});
