import { describe, expect, it } from 'vitest';
import { validateIssuerUrl } from './issuer-url.ts';

describe('validateIssuerUrl', () => {
  it.each([
    ['https://id.trustgate.example', 'https://id.trustgate.example'],
    ['https://trustgate.example/oidc/', 'https://trustgate.example/oidc'],
    ['https://trustgate.example/t/acme', 'https://trustgate.example/t/acme'],
  ])('accepts %s as %s', (text, normalized) => {
    expect(validateIssuerUrl(text)).toBe(normalized);
  });

  it.each([
    'http://id.trustgate.example',
    'https://id.trustgate.example:8443',
    'https://id.trustgate.example/?tenant=1',
    'https://id.trustgate.example/#x',
    'https://user:pw@id.trustgate.example',
    'https://ID.trustgate.example',
    'not a url',
    `https://id.trustgate.example/${'a'.repeat(240)}`,
    'http://127.0.0.1:8080',
  ])('refuses %s naming identity.issuerUrl', (text) => {
    expect(() => validateIssuerUrl(text)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'identity.issuerUrl' }),
    );
  });

  it('accepts http on loopback, with a port, only when asked (a local verifier; AWS never accepts it)', () => {
    const options = { allowLoopbackHttp: true };
    expect(validateIssuerUrl('http://127.0.0.1:8080', options)).toBe('http://127.0.0.1:8080');
    expect(validateIssuerUrl('http://localhost:3000/oidc', options)).toBe('http://localhost:3000/oidc');
    expect(validateIssuerUrl('http://[::1]:9000', options)).toBe('http://[::1]:9000');
    for (const text of ['http://10.0.0.1:8080', 'http://127.0.0.1.example.com', 'http://localhost.evil.example:80'])
      expect(() => validateIssuerUrl(text, options)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
