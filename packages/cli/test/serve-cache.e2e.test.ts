import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, runServe, stopServe } from './run-serve.ts';

/** `trustgate serve --cache redis://...`: the broker's shared session cache and its key (issue 12). */
describe('trustgate serve --cache', () => {
  it('starts with the Redis cache when TRUSTGATE_CACHE_KEY holds a 32-byte key, and says so without printing the key', async () => {
    const key = randomBytes(32).toString('base64');
    const served = await runServe(['--cache', 'redis://127.0.0.1:6379', '--sts-rate', '20'], {
      TRUSTGATE_CACHE_KEY: key,
    });
    try {
      expect(served.output()).toContain('credential cache: redis://127.0.0.1:6379 (shared, AES-256-GCM)');
      expect(served.output().includes(key)).toBe(false);
      expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await stopServe(served)).toBe(0);
    }
  });

  it('refuses a cache key file others may read, a bad previous key and a bad --sts-rate before starting anything', () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.TRUSTGATE_CACHE_KEY;
    // No key configured: the data directory's cache.key (made on first start with mode 0600) is the key.
    const dir = mkdtempSync(join(tmpdir(), 'tg-serve-cache-'));
    writeFileSync(join(dir, 'cache.key'), `${randomBytes(32).toString('base64')}\n`, { mode: 0o644 });
    const db = ['--db', join(dir, 'tg.sqlite')];
    const cache = ['--cache', 'redis://127.0.0.1:6379'];
    for (const [args, message, extra] of [
      [[...cache, ...db], new RegExp(`chmod 600 ${join(dir, 'cache.key')}`), {}],
      [
        [...cache, ...db],
        /TRUSTGATE_CACHE_PREVIOUS_KEYS: key 1 of 1 is not 32 bytes/,
        { TRUSTGATE_CACHE_PREVIOUS_KEYS: 'x' },
      ],
      [['--sts-rate', '0'], /--sts-rate/, {}],
    ] as const) {
      const run = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
        env: { ...env, ...extra },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    rmSync(dir, { recursive: true, force: true });
  });
});
