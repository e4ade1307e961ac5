import { readFile } from 'node:fs/promises';
import { TrustgateError } from '@trustgate/core';
import { decodeKey, decodePreviousKeys, keyFilePath, readOrCreateKeyFile } from '../keys/key-file.ts';

export { decodeKey } from '../keys/key-file.ts';

/** Options of `trustgate serve` for the credential broker: the shared session cache and the STS pace (issue 12). */

/** The environment variable holding the Redis cache's encryption key (32 bytes, base64 or hex). */
export const CACHE_KEY_ENV = 'TRUSTGATE_CACHE_KEY';

/** The keys the cache was encrypted under before a rotation (comma-separated): read, never written. */
export const CACHE_PREVIOUS_KEYS_ENV = 'TRUSTGATE_CACHE_PREVIOUS_KEYS';

/**
 * The broker's Redis cache settings: `--cache redis://...` with the encryption key from `--cache-key-file` or
 * TRUSTGATE_CACHE_KEY (32 bytes as base64 or hex; `openssl rand -base64 32` makes one), else — given `dataDir` —
 * `<dataDir>/cache.key`, made on first start (mode 0600); previous keys from TRUSTGATE_CACHE_PREVIOUS_KEYS. No
 * `--cache`: each instance caches for itself. A key that is missing, not 32 bytes, or given without `--cache` is
 * refused.
 */
export async function readCacheSettings(
  options: { cache?: string; cacheKeyFile?: string },
  env: NodeJS.ProcessEnv = process.env,
  dataDir?: string,
): Promise<{ redisUrl: string; encryptionKey: Uint8Array; previousEncryptionKeys: Uint8Array[] } | undefined> {
  if (options.cache === undefined) {
    if (options.cacheKeyFile !== undefined)
      throw new TrustgateError('INVALID_INPUT', '--cache-key-file needs --cache redis://...', {
        field: 'cacheKeyFile',
      });
    return undefined;
  }
  if (!/^rediss?:\/\//.test(options.cache))
    throw new TrustgateError('INVALID_INPUT', '--cache: a redis:// or rediss:// URL', { field: 'cache' });
  let text: string | undefined = env[CACHE_KEY_ENV];
  let from = CACHE_KEY_ENV;
  if (options.cacheKeyFile !== undefined) {
    from = '--cache-key-file';
    try {
      text = await readFile(options.cacheKeyFile, 'utf8');
    } catch (error) {
      throw new TrustgateError('FILE_NOT_READABLE', `--cache-key-file: cannot read ${options.cacheKeyFile}.`, {
        field: 'cacheKeyFile',
        cause: error,
      });
    }
  }
  const previousEncryptionKeys = decodePreviousKeys(env[CACHE_PREVIOUS_KEYS_ENV], CACHE_PREVIOUS_KEYS_ENV);
  if ((text === undefined || text.trim() === '') && dataDir !== undefined) {
    const { key } = await readOrCreateKeyFile(keyFilePath(dataDir, 'cache'));
    return { redisUrl: options.cache, encryptionKey: key, previousEncryptionKeys };
  }
  if (text === undefined || text.trim() === '')
    throw new TrustgateError(
      'INVALID_INPUT',
      `--cache needs the cache's encryption key: set ${CACHE_KEY_ENV} or give --cache-key-file (32 bytes, base64 or hex).`,
      { field: 'cacheKeyFile' },
    );
  const encryptionKey = decodeKey(text);
  if (encryptionKey === undefined)
    throw new TrustgateError('INVALID_INPUT', `${from}: the key must be 32 bytes written as base64 or 64 hex digits.`, {
      field: 'cacheKeyFile',
    });
  return { redisUrl: options.cache, encryptionKey, previousEncryptionKeys };
}

/** `--sts-rate`: AssumeRole calls a second, above 0 and at most 10,000; undefined when not given. */
export function parseStsRate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const rate = Number(text);
  if (!Number.isFinite(rate) || rate <= 0 || rate > 10_000)
    throw new TrustgateError('INVALID_INPUT', '--sts-rate: calls a second, above 0 and at most 10000', {
      field: 'stsRate',
    });
  return rate;
}
