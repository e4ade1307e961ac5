import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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

  it('refuses --cache without a key and a bad --sts-rate before starting anything', () => {
    const env = { ...process.env };
    delete env.TRUSTGATE_CACHE_KEY;
    for (const [args, message] of [
      [['--cache', 'redis://127.0.0.1:6379'], /TRUSTGATE_CACHE_KEY or give --cache-key-file/],
      [['--sts-rate', '0'], /--sts-rate/],
    ] as const) {
      const run = spawnSync(process.execPath, [BIN, 'serve', '--port', '0', ...args], {
        env,
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(message);
    }
  });
});
