import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_KEY_ENV, readCacheSettings } from './cache-options.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg-cache-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve --cache settings', () => {
  const key = randomBytes(32);

  it('read the key from TRUSTGATE_CACHE_KEY or --cache-key-file, as base64, base64url or hex', async () => {
    for (const text of [key.toString('base64'), key.toString('base64url'), key.toString('hex')]) {
      const fromEnv = await readCacheSettings({ cache: 'redis://127.0.0.1:6379' }, { [CACHE_KEY_ENV]: text });
      expect(Buffer.from(fromEnv!.encryptionKey).equals(key)).toBe(true);
      expect(fromEnv!.redisUrl).toBe('redis://127.0.0.1:6379');
    }
    const file = join(dir, 'key');
    writeFileSync(file, `${key.toString('base64')}\n`);
    // The file wins over the environment.
    const fromFile = await readCacheSettings(
      { cache: 'rediss://cache.internal:6380', cacheKeyFile: file },
      { [CACHE_KEY_ENV]: randomBytes(32).toString('hex') },
    );
    expect(Buffer.from(fromFile!.encryptionKey).equals(key)).toBe(true);
  });

  it('without --cache there is no shared cache; a key without --cache, no key, or a key that is not 32 bytes is refused', async () => {
    expect(await readCacheSettings({}, { [CACHE_KEY_ENV]: key.toString('hex') })).toBeUndefined();
    const refusals: [Parameters<typeof readCacheSettings>[0], NodeJS.ProcessEnv, RegExp][] = [
      [{ cacheKeyFile: join(dir, 'key') }, {}, /needs --cache/],
      [{ cache: 'redis://127.0.0.1:6379' }, {}, /TRUSTGATE_CACHE_KEY/],
      [{ cache: 'redis://127.0.0.1:6379' }, { [CACHE_KEY_ENV]: randomBytes(16).toString('hex') }, /32 bytes/],
      [{ cache: 'redis://127.0.0.1:6379' }, { [CACHE_KEY_ENV]: 'not a key at all' }, /32 bytes/],
      [{ cache: 'redis://127.0.0.1:6379', cacheKeyFile: join(dir, 'missing') }, {}, /cannot read/],
      [{ cache: 'http://127.0.0.1:6379' }, { [CACHE_KEY_ENV]: key.toString('hex') }, /redis:\/\//],
    ];
    for (const [options, env, message] of refusals) {
      await expect(readCacheSettings(options, env)).rejects.toThrow(message);
    }
  });

  it('never puts the key in an error message', async () => {
    const short = randomBytes(31).toString('hex');
    const error = await readCacheSettings({ cache: 'redis://x' }, { [CACHE_KEY_ENV]: short }).catch((e: Error) => e);
    expect(error instanceof Error && !error.message.includes(short)).toBe(true);
  });
});
