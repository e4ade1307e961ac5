import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createIdentity, openStore } from '@trustgate/server';
import { readCacheSettings } from '../src/commands/cache-options.ts';
import { dataDirOf, keyFilePath, readOrCreateKeyFile } from '../src/keys/key-file.ts';
import { runServe, stopServe } from './run-serve.ts';
import { runTrustgate } from './run-trustgate.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The OIDC issuer's keys in the store at `db`, sealed under `key`. */
async function identityOver<T>(db: string, key: Uint8Array, use: (i: ReturnType<typeof createIdentity>) => Promise<T>) {
  const store = await openStore({ url: db });
  try {
    return await use(createIdentity({ issuerUrl: 'https://id.example.com', keyEncryptionKey: key }, store.signingKeys));
  } finally {
    await store.close();
  }
}

/** Every way a key could be printed. */
const forms = (key: Uint8Array) => (['hex', 'base64', 'base64url'] as const).map((e) => Buffer.from(key).toString(e));

describe('key files made on first start', () => {
  it('are made once with mode 0600 and read again after; processes starting at once keep one key', async () => {
    const path = join(dir, 'first', 'cache.key');
    const made = await readOrCreateKeyFile(path);
    expect(made.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = await readOrCreateKeyFile(path);
    expect(again.created).toBe(false);
    expect(Buffer.from(again.key).equals(Buffer.from(made.key))).toBe(true);
    const racing = await Promise.all(Array.from({ length: 8 }, () => readOrCreateKeyFile(join(dir, 'race', 'k.key'))));
    expect(racing.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(racing.map((r) => Buffer.from(r.key).toString('hex'))).size).toBe(1);
  });

  it('one that others may read, or that holds no key, is refused, naming the file and never its content', async () => {
    const path = join(dir, 'open.key');
    const { key } = await readOrCreateKeyFile(path);
    chmodSync(path, 0o644);
    const error = await readOrCreateKeyFile(path).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT' });
    expect((error as Error).message).toContain(`chmod 600 ${path}`);
    for (const form of forms(key)) expect((error as Error).message).not.toContain(form);
    const junk = join(dir, 'junk.key');
    writeFileSync(junk, 'not-a-key-but-a-secret-looking-text\n', { mode: 0o600 });
    const bad = await readOrCreateKeyFile(junk).catch((e: Error) => e);
    expect((bad as Error).message).toContain(junk);
    expect((bad as Error).message).not.toContain('secret-looking');
  });

  it('live in dataDir, else the SQLite file’s folder, else ./.trustgate', () => {
    expect(dataDirOf('/var/lib/tg', '/elsewhere/tg.db')).toBe('/var/lib/tg');
    expect(dataDirOf(undefined, '/srv/tg/tg.db')).toBe('/srv/tg');
    expect(dataDirOf(undefined, 'postgres://db/tg')).toBe('./.trustgate');
    expect(dataDirOf(undefined, ':memory:')).toBe('./.trustgate');
  });

  it('serve makes identity.key on first start, uses it on the second, refuses it readable by others', async () => {
    const home = join(dir, 'serve');
    const db = join(home, 'tg.sqlite');
    const file = keyFilePath(home, 'identity');
    const jwksKids = async (url: string) =>
      ((await (await fetch(`${url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map(
        (k) => k.kid,
      );
    const first = await runServe(['--db', db]);
    const kids = await jwksKids(first.url);
    expect(await stopServe(first)).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');

    const second = await runServe(['--db', db]);
    expect(await jwksKids(second.url)).toEqual(kids);
    expect(await stopServe(second)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(text);
    // The signing key the first start sealed opens with the file's key.
    const { key, created } = await readOrCreateKeyFile(file);
    expect(created).toBe(false);
    const signer = await identityOver(db, key, async (i) => (await i.keys.signer()).kid);
    expect(kids).toContain(signer);

    chmodSync(file, 0o640);
    const refused = await runTrustgate(['serve', '--db', db, '--port', '0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`chmod 600 ${file}`);
    expect(refused.stderr).not.toContain(text.trim());
  }, 90_000);

  it('with a Redis cache and no cache key configured, serve uses <dataDir>/cache.key (previous keys from the environment)', async () => {
    const home = join(dir, 'cache');
    const previous = randomBytes(32);
    const env = { TRUSTGATE_CACHE_PREVIOUS_KEYS: `${previous.toString('hex')}, ${randomBytes(32).toString('base64')}` };
    const first = await readCacheSettings({ cache: 'redis://127.0.0.1:6379' }, env, home);
    expect(statSync(keyFilePath(home, 'cache')).mode & 0o777).toBe(0o600);
    const second = await readCacheSettings({ cache: 'redis://127.0.0.1:6379' }, {}, home);
    expect(Buffer.from(second!.encryptionKey).equals(Buffer.from(first!.encryptionKey))).toBe(true);
    expect(first!.previousEncryptionKeys.map((k) => Buffer.from(k).toString('hex'))[0]).toBe(previous.toString('hex'));
    expect(first!.previousEncryptionKeys).toHaveLength(2);
    const bad = await readCacheSettings({ cache: 'redis://x' }, { TRUSTGATE_CACHE_PREVIOUS_KEYS: 'short' }, home).catch(
      (e: Error) => e,
    );
    expect((bad as Error).message).toBe(
      'TRUSTGATE_CACHE_PREVIOUS_KEYS: key 1 of 1 is not 32 bytes written as base64 or 64 hex digits.',
    );
  });
});

describe('trustgate keys rotate', () => {
  const db = join(dir, 'rotate.sqlite');
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);
  const identity = async <T>(key: Uint8Array, use: (i: ReturnType<typeof createIdentity>) => Promise<T>) => {
    const store = await openStore({ url: db });
    try {
      return await use(
        createIdentity({ issuerUrl: 'https://id.example.com', keyEncryptionKey: key }, store.signingKeys),
      );
    } finally {
      await store.close();
    }
  };
  const run = (env: Record<string, string>, ...extra: string[]) =>
    runTrustgate(['keys', 'rotate', '--db', db, ...extra], {
      env: { TRUSTGATE_DATA_DIR: join(dir, 'rotate-data'), ...env },
    });

  it('re-seals the signing keys under the current key with the old one previous, then the old key may go', async () => {
    const store = await openStore({ url: db });
    await store.putSetting('callback-secret', 'a-plain-callback-secret-of-before'); // as stores kept it before sealing
    await store.close();
    const kid = await identity(k1, async (i) => {
      await i.keys.rotate(); // the first key and a next one, both sealed under K1
      return (await i.keys.signer()).kid;
    });
    const both = {
      TRUSTGATE_IDENTITY_KEY: k2.toString('base64'),
      TRUSTGATE_IDENTITY_PREVIOUS_KEYS: k1.toString('hex'),
    };
    const rotated = await run(both);
    expect(rotated.stderr).not.toMatch(/error/);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(
      /^re-sealed 2 of 2 OIDC signing keys and 1 of 1 secret settings \(the callback-token and run-token keys\) under identity key [0-9a-f]{16};/,
    );
    const again = await run(both, '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({
      signingKeys: { resealed: 0, total: 2, settingsResealed: 0, settingsTotal: 1 },
    });
    const reopened = await openStore({ url: db });
    const sealed = (await reopened.getSetting('callback-secret')) ?? '';
    await reopened.close();
    expect(sealed).not.toContain('plain-callback-secret');
    for (const output of [rotated, again])
      for (const form of [...forms(k1), ...forms(k2)]) expect(output.stdout + output.stderr).not.toContain(form);

    // Restarted with K2 alone: the keys open; K1 alone no longer does.
    expect(await identity(k2, async (i) => (await i.keys.signer()).kid)).toBe(kid);
    await expect(identity(k1, async (i) => (await i.keys.signer()).kid)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('without the key the store was sealed under it stops (exit 1), writing nothing and printing no key', async () => {
    const lost = randomBytes(32);
    const answer = await run({ TRUSTGATE_IDENTITY_KEY: lost.toString('base64') });
    expect(answer.code).toBe(1);
    expect(answer.stderr).toMatch(/cannot be opened/);
    for (const form of [...forms(lost), ...forms(k2)]) expect(answer.stdout + answer.stderr).not.toContain(form);
    expect(await identity(k2, async (i) => (await i.keys.list()).length)).toBe(2);
  });

  it('config show redacts the previous keys', async () => {
    const shown = await runTrustgate(['config', 'show'], {
      env: { TRUSTGATE_CACHE_PREVIOUS_KEYS: k1.toString('hex'), TRUSTGATE_IDENTITY_PREVIOUS_KEYS: k2.toString('hex') },
    });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('previousKeys: (set, redacted)');
    for (const form of [...forms(k1), ...forms(k2)]) expect(shown.stdout + shown.stderr).not.toContain(form);
  });
});
