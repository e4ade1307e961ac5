import { TrustgateError } from '@trustgate/core';
import type { TrustgateServiceConfig } from '@trustgate/server';
import {
  decodeKey,
  decodePreviousKeys,
  keyFilePath,
  readConfiguredKeyFile,
  readOrCreateKeyFile,
} from '../keys/key-file.ts';

/** The environment variable holding the key that seals the OIDC issuer's signing keys (32 bytes, base64 or hex). */
export const IDENTITY_KEY_ENV = 'TRUSTGATE_IDENTITY_KEY';

/** The identity keys of before a rotation (comma-separated): signing keys sealed under them still open. */
export const IDENTITY_PREVIOUS_KEYS_ENV = 'TRUSTGATE_IDENTITY_PREVIOUS_KEYS';

/**
 * The demo's OIDC issuer: https without a port, as IAM requires; the embedded sandbox reaches it on the service's
 * loopback address (as DNS and a TLS front would in AWS).
 */
export const DEMO_OIDC_ISSUER = 'https://oidc.trustgate.localhost';

/** `{ keyEncryptionKey }` of TRUSTGATE_IDENTITY_KEY when set; INVALID_INPUT when it is no 32-byte key. */
function identityKeyOf(env: NodeJS.ProcessEnv): { keyEncryptionKey?: Uint8Array } {
  const text = env[IDENTITY_KEY_ENV];
  if (text === undefined || text.trim() === '') return {};
  const keyEncryptionKey = decodeKey(text);
  if (keyEncryptionKey === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      `${IDENTITY_KEY_ENV}: the key must be 32 bytes written as base64 or 64 hex digits.`,
      { field: 'oidcIssuer' },
    );
  return { keyEncryptionKey };
}

/**
 * `trustgate serve`'s OIDC issuer (issue 13). With the sandbox: `--oidc-issuer` or {@link DEMO_OIDC_ISSUER}; with
 * `--aws default`: only with `--oidc-issuer`. Its key from TRUSTGATE_IDENTITY_KEY when set; without it, `keyFromFile`
 * leaves it to {@link withIdentityKeys} (`oidc.keyFile` or the data directory's `identity.key`); else the sandbox
 * uses a key kept in the database's shared settings (demo only: it sits beside what it seals) and `--aws default`
 * refuses to start.
 */
export function readIdentitySettings(
  options: { aws: 'sandbox' | 'default'; oidcIssuer?: string; keyFromFile?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): TrustgateServiceConfig['identity'] {
  const { keyEncryptionKey } = identityKeyOf(env);
  if (options.aws === 'sandbox')
    return {
      issuerUrl: options.oidcIssuer ?? DEMO_OIDC_ISSUER,
      ...(keyEncryptionKey === undefined ? {} : { keyEncryptionKey }),
    };
  if (options.oidcIssuer === undefined) return undefined;
  if (keyEncryptionKey === undefined && options.keyFromFile === true) return { issuerUrl: options.oidcIssuer };
  if (keyEncryptionKey === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      `--oidc-issuer needs the key its signing keys are sealed with: set ${IDENTITY_KEY_ENV} (32 bytes, base64 or hex).`,
      { field: 'oidcIssuer' },
    );
  return { issuerUrl: options.oidcIssuer, keyEncryptionKey };
}

/**
 * The identity's keyring for `identity` (serve's issuer, or `trustgate keys rotate`): the key of
 * TRUSTGATE_IDENTITY_KEY when set (as `identity` holds it), else `oidc.keyFile`, else `<dataDir>/identity.key`, made
 * on first start (mode 0600); previous keys from TRUSTGATE_IDENTITY_PREVIOUS_KEYS.
 */
export async function withIdentityKeys<I extends { keyEncryptionKey?: Uint8Array }>(
  identity: I,
  sources: { keyFile?: string; dataDir: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<I & { keyEncryptionKey: Uint8Array; previousKeyEncryptionKeys: Uint8Array[] }> {
  const previousKeyEncryptionKeys = decodePreviousKeys(env[IDENTITY_PREVIOUS_KEYS_ENV], IDENTITY_PREVIOUS_KEYS_ENV);
  const keyEncryptionKey =
    identity.keyEncryptionKey ??
    (sources.keyFile === undefined
      ? (await readOrCreateKeyFile(keyFilePath(sources.dataDir, 'identity'))).key
      : await readConfiguredKeyFile(sources.keyFile, 'oidc.keyFile'));
  return { ...identity, keyEncryptionKey, previousKeyEncryptionKeys };
}

/** serve's identity: {@link readIdentitySettings}, its keys from {@link withIdentityKeys}; undefined: no issuer. */
export async function readServeIdentity(
  options: { aws: 'sandbox' | 'default' | 'none'; oidcIssuer?: string },
  sources: { keyFile: string | undefined; dataDir: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<(NonNullable<TrustgateServiceConfig['identity']> & { keyEncryptionKey: Uint8Array }) | undefined> {
  const aws = options.aws === 'sandbox' ? 'sandbox' : 'default';
  const read = readIdentitySettings({ aws, ...pick(options), keyFromFile: true }, env);
  if (read === undefined) return undefined;
  return withIdentityKeys(
    read,
    { dataDir: sources.dataDir, ...(sources.keyFile === undefined ? {} : { keyFile: sources.keyFile }) },
    env,
  );
}

function pick(options: { oidcIssuer?: string }): { oidcIssuer?: string } {
  return options.oidcIssuer === undefined ? {} : { oidcIssuer: options.oidcIssuer };
}

/**
 * serve's keys: the issuer ({@link readServeIdentity}) and the key sealing the store's secrets (the callback-token and
 * run-token keys): the issuer's key, or without an issuer the identity key all the same (TRUSTGATE_IDENTITY_KEY, else
 * `oidc.keyFile`, else `<dataDir>/identity.key` made on first start), with TRUSTGATE_IDENTITY_PREVIOUS_KEYS.
 */
export async function readServeKeys(
  options: { aws: 'sandbox' | 'default' | 'none'; oidcIssuer?: string },
  sources: { keyFile: string | undefined; dataDir: string },
  env: NodeJS.ProcessEnv = process.env,
): Promise<{
  identity: Awaited<ReturnType<typeof readServeIdentity>>;
  storeKey: NonNullable<TrustgateServiceConfig['storeKey']>;
}> {
  const identity = await readServeIdentity(options, sources, env);
  const keys =
    identity ??
    (await withIdentityKeys(
      identityKeyOf(env),
      { dataDir: sources.dataDir, ...(sources.keyFile === undefined ? {} : { keyFile: sources.keyFile }) },
      env,
    ));
  return {
    identity,
    storeKey: {
      keyEncryptionKey: keys.keyEncryptionKey,
      previousKeyEncryptionKeys: keys.previousKeyEncryptionKeys ?? [],
    },
  };
}
