import { TrustgateError } from '@trustgate/core';
import type { TrustgateServiceConfig } from '@trustgate/server';
import { decodeKey } from './cache-options.ts';

/** The environment variable holding the key that seals the OIDC issuer's signing keys (32 bytes, base64 or hex). */
export const IDENTITY_KEY_ENV = 'TRUSTGATE_IDENTITY_KEY';

/**
 * The demo's OIDC issuer: https without a port, as IAM requires; the embedded sandbox reaches it on the service's
 * loopback address (as DNS and a TLS front would in AWS).
 */
export const DEMO_OIDC_ISSUER = 'https://oidc.trustgate.localhost';

/**
 * `trustgate serve`'s OIDC issuer (issue 13). With the sandbox: `--oidc-issuer` or {@link DEMO_OIDC_ISSUER}, sealed with
 * TRUSTGATE_IDENTITY_KEY when set, else with a key made once and kept in the database's shared settings (demo only:
 * it sits beside what it seals). With `--aws default`: only with `--oidc-issuer`, and then TRUSTGATE_IDENTITY_KEY is
 * required (`openssl rand -base64 32` makes one).
 */
export function readIdentitySettings(
  options: { aws: 'sandbox' | 'default'; oidcIssuer?: string },
  env: NodeJS.ProcessEnv = process.env,
): TrustgateServiceConfig['identity'] {
  const text = env[IDENTITY_KEY_ENV];
  const keyEncryptionKey = text === undefined || text.trim() === '' ? undefined : decodeKey(text);
  if (text !== undefined && text.trim() !== '' && keyEncryptionKey === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      `${IDENTITY_KEY_ENV}: the key must be 32 bytes written as base64 or 64 hex digits.`,
      {
        field: 'oidcIssuer',
      },
    );
  if (options.aws === 'sandbox')
    return {
      issuerUrl: options.oidcIssuer ?? DEMO_OIDC_ISSUER,
      ...(keyEncryptionKey === undefined ? {} : { keyEncryptionKey }),
    };
  if (options.oidcIssuer === undefined) return undefined;
  if (keyEncryptionKey === undefined)
    throw new TrustgateError(
      'INVALID_INPUT',
      `--oidc-issuer needs the key its signing keys are sealed with: set ${IDENTITY_KEY_ENV} (32 bytes, base64 or hex).`,
      { field: 'oidcIssuer' },
    );
  return { issuerUrl: options.oidcIssuer, keyEncryptionKey };
}
