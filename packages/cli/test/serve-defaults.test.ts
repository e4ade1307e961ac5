import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_FILE } from '@trustgate/server';
import { SERVE_DEFAULT_DATABASE_FILE } from '../src/commands/serve.ts';

const RECORD_LOADS = fileURLToPath(new URL('./fixtures/record-loads.mjs', import.meta.url));
const SERVER = fileURLToPath(new URL('../../server/dist/index.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'trustgate-serve-loads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("serve's defaults and start-up", () => {
  it("names the server's default store (written out so that registering serve loads no server module)", () => {
    expect(SERVE_DEFAULT_DATABASE_FILE).toBe(DEFAULT_DATABASE_FILE);
  });

  it('loads the built server without the AWS SDK or the PostgreSQL driver: each is loaded when first used', () => {
    const log = join(dir, 'server.log');
    const r = spawnSync(
      process.execPath,
      ['--import', RECORD_LOADS, '--input-type=module', '-e', `await import(${JSON.stringify(SERVER)});`],
      { encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH, TRUSTGATE_TEST_LOAD_LOG: log } },
    );
    expect(r.status, r.stderr).toBe(0);
    const urls = readFileSync(log, 'utf8').split('\n');
    expect(urls.some((u) => u.endsWith('/packages/server/dist/create-service.js'))).toBe(true);
    expect(urls.filter((u) => /\/node_modules\/(@aws-sdk|@smithy|pg)\//.test(u))).toEqual([]);
  });
});
