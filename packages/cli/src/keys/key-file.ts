import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TrustgateError } from '@trustgate/core';

/** A 32-byte key written as 64 hex digits or base64 (url-safe or not); undefined when it is neither. */
export function decodeKey(text: string): Uint8Array | undefined {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t)
    ? Buffer.from(t, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(t)
      ? Buffer.from(t, /[+/]/.test(t) ? 'base64' : 'base64url')
      : undefined;
  return bytes?.length === 32 ? new Uint8Array(bytes) : undefined;
}

/** The variable (and setting `dataDir`) naming the folder trustgate keeps its generated key files in. */
export const DATA_DIR_ENV = 'TRUSTGATE_DATA_DIR';

/** The folder of the default SQLite file, and the data directory of a service on PostgreSQL. */
const DEFAULT_DATA_DIR = './.trustgate';

/**
 * The data directory: `dataDir` when set, else the SQLite database file's folder (`./.trustgate` for the default
 * file), else (PostgreSQL, or an in-memory SQLite) `./.trustgate`.
 */
export function dataDirOf(dataDir: string | undefined, storeUrl: string | undefined): string {
  if (dataDir !== undefined) return dataDir;
  if (storeUrl === undefined || /^postgres(ql)?:\/\//.test(storeUrl) || storeUrl === ':memory:')
    return DEFAULT_DATA_DIR;
  return dirname(storeUrl);
}

/** Which generated key a file holds: the credential cache's or the identity's (OIDC signing keys at rest). */
export type KeyFileKind = 'cache' | 'identity';

/** The generated key file of `kind` in `dataDir`. */
export function keyFilePath(dataDir: string, kind: KeyFileKind): string {
  return join(dataDir, `${kind}.key`);
}

async function readExisting(path: string): Promise<Uint8Array | undefined> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TrustgateError('FILE_NOT_READABLE', `cannot read the key file ${path}.`, { cause: error });
  }
  try {
    const { mode } = await handle.stat();
    if ((mode & 0o077) !== 0)
      throw new TrustgateError(
        'INVALID_INPUT',
        `the key file ${path} may be read by other users (mode ${(mode & 0o777).toString(8)}); run: chmod 600 ${path}`,
        { field: 'dataDir' },
      );
    const key = decodeKey(await handle.readFile('utf8'));
    if (key === undefined)
      throw new TrustgateError(
        'INVALID_INPUT',
        `the key file ${path} does not hold a 32-byte key (base64 or 64 hex digits).`,
        { field: 'dataDir' },
      );
    return key;
  } finally {
    await handle.close();
  }
}

/**
 * The key in `path`, a file trustgate made: made on first use — 32 random bytes as base64, written to a new file
 * (O_EXCL, mode 0600, synced) beside it and hard-linked into place, so a reader never sees half a key and two
 * processes starting at once keep the same one (the second link fails and it reads the first's). An existing file
 * group or world may read is refused (`chmod 600 <path>`), as ssh refuses such a key; the error never holds the key.
 */
export async function readOrCreateKeyFile(path: string): Promise<{ key: Uint8Array; created: boolean }> {
  const existing = await readExisting(path);
  if (existing !== undefined) return { key: existing, created: false };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const key = randomBytes(32);
  const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    await handle.writeFile(`${key.toString('base64')}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const raced = await readExisting(path);
    if (raced === undefined) throw error;
    return { key: raced, created: false };
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return { key: new Uint8Array(key), created: true };
}

/**
 * Previous keys from a variable: 32-byte keys (base64 or hex) separated by commas or whitespace; INVALID_INPUT
 * naming the variable and the position of a key that is not one (never the text).
 */
export function decodePreviousKeys(text: string | undefined, variable: string): Uint8Array[] {
  if (text === undefined) return [];
  const parts = text.split(/[\s,]+/).filter((p) => p !== '');
  return parts.map((part, i) => {
    const key = decodeKey(part);
    if (key === undefined)
      throw new TrustgateError(
        'INVALID_INPUT',
        `${variable}: key ${i + 1} of ${parts.length} is not 32 bytes written as base64 or 64 hex digits.`,
        { field: variable },
      );
    return key;
  });
}

/** Reads a configured key file (`*File` setting): not group-checked, as mounted secrets often are 0644. */
export async function readConfiguredKeyFile(path: string, setting: string): Promise<Uint8Array> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new TrustgateError('FILE_NOT_READABLE', `${setting}: cannot read ${path}.`, { field: setting, cause: error });
  }
  const key = decodeKey(text);
  if (key === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      `${setting}: the key must be 32 bytes written as base64 or 64 hex digits.`,
      {
        field: setting,
      },
    );
  return key;
}
