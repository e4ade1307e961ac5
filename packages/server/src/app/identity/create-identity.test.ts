import { describe, expect, it } from 'vitest';
import type { SigningKeysRepository } from '../../store/signing-keys-repository.ts';
import { createIdentity, type IdentityConfig } from './create-identity.ts';

const repository = {} as SigningKeysRepository; // never reached: the configuration is refused first
const base: IdentityConfig & { keyEncryptionKey: Uint8Array } = {
  issuerUrl: 'https://id.trustgate.test',
  keyEncryptionKey: new Uint8Array(32),
};

describe('createIdentity', () => {
  it('takes the defaults: the issuer as written, tokens of an hour at most, the JWKS cached 5 minutes', () => {
    const identity = createIdentity({ ...base, issuerUrl: 'https://id.trustgate.test/oidc/' }, repository);
    expect(identity).toMatchObject({
      issuerUrl: 'https://id.trustgate.test/oidc',
      maxTokenLifetimeSeconds: 3600,
      jwksMaxAgeSeconds: 300,
    });
  });

  it.each([
    [{ issuerUrl: 'https://id.trustgate.test:8443' }, 'identity.issuerUrl'],
    [{ issuerUrl: 'http://127.0.0.1:8080' }, 'identity.issuerUrl'],
    [{ keyEncryptionKey: new Uint8Array(16) }, 'identity.keyEncryptionKey'],
    [{ maxTokenLifetimeSeconds: 3601 }, 'identity.maxTokenLifetimeSeconds'],
    [{ maxTokenLifetimeSeconds: 59 }, 'identity.maxTokenLifetimeSeconds'],
    [{ publishAheadMs: 60_000, jwksMaxAgeSeconds: 300 }, 'identity.publishAheadMs'],
    [{ rotationIntervalMs: 3_600_000 }, 'identity.rotationIntervalMs'],
  ] as [Partial<IdentityConfig>, string][])('refuses %j naming %s', (change, field) => {
    expect(() => createIdentity({ ...base, ...change }, repository)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field }),
    );
  });

  it('accepts http on loopback only when allowLoopbackHttp is set', () => {
    const identity = createIdentity(
      { ...base, issuerUrl: 'http://127.0.0.1:8080', allowLoopbackHttp: true },
      repository,
    );
    expect(identity.issuerUrl).toBe('http://127.0.0.1:8080');
  });
});
