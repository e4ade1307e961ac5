import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readServeKeys } from '../src/commands/identity-options.ts';

describe("serve's store key when the service is no OIDC issuer (--aws default, no --oidc-issuer)", () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tg-serve-keys-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('is TRUSTGATE_IDENTITY_KEY with TRUSTGATE_IDENTITY_PREVIOUS_KEYS, no file made', async () => {
    const [current, previous] = [randomBytes(32), randomBytes(32)];
    const dir = dataDir();
    const env = {
      TRUSTGATE_IDENTITY_KEY: current.toString('base64'),
      TRUSTGATE_IDENTITY_PREVIOUS_KEYS: previous.toString('hex'),
    };
    const keys = await readServeKeys({ aws: 'default' }, { keyFile: undefined, dataDir: dir }, env);
    expect(keys.identity).toBeUndefined();
    expect(Buffer.from(keys.storeKey.keyEncryptionKey)).toEqual(current);
    expect(keys.storeKey.previousKeyEncryptionKeys?.map((k) => Buffer.from(k))).toEqual([previous]);
    expect(() => statSync(join(dir, 'identity.key'))).toThrow();
  });

  it("is the data directory's identity.key otherwise, made once with mode 0600 and read again on restart", async () => {
    const dir = dataDir();
    const first = await readServeKeys({ aws: 'default' }, { keyFile: undefined, dataDir: dir }, {});
    expect(statSync(join(dir, 'identity.key')).mode & 0o777).toBe(0o600);
    const again = await readServeKeys({ aws: 'default' }, { keyFile: undefined, dataDir: dir }, {});
    expect(again.storeKey.keyEncryptionKey).toEqual(first.storeKey.keyEncryptionKey);
    expect(first.storeKey.keyEncryptionKey.byteLength).toBe(32);
  });

  it("is the issuer's key when the service is one", async () => {
    const key = randomBytes(32);
    const keys = await readServeKeys(
      { aws: 'default', oidcIssuer: 'https://oidc.example.com' },
      { keyFile: undefined, dataDir: dataDir() },
      { TRUSTGATE_IDENTITY_KEY: key.toString('base64') },
    );
    expect(keys.identity?.issuerUrl).toBe('https://oidc.example.com');
    expect(Buffer.from(keys.storeKey.keyEncryptionKey)).toEqual(key);
    expect(keys.identity?.keyEncryptionKey).toBe(keys.storeKey.keyEncryptionKey);
  });

  it('refuses a TRUSTGATE_IDENTITY_KEY that is no 32-byte key, naming the variable and not the value', async () => {
    const error = await readServeKeys(
      { aws: 'default' },
      { keyFile: undefined, dataDir: dataDir() },
      { TRUSTGATE_IDENTITY_KEY: 'not-a-key' },
    ).catch((e: Error) => e);
    expect(error).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('TRUSTGATE_IDENTITY_KEY') as string,
    });
    expect((error as Error).message).not.toContain('not-a-key');
  });
});
