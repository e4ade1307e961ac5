import { TrustgateError } from '@trustgate/core';

const LOOPBACK_HOSTS = new Set(['localhost', '[::1]']);

function isLoopback(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Checks the OIDC issuer URL and returns it without a trailing slash. AWS's rules for an IAM OIDC provider's URL
 * (IAM User Guide, "Create an OpenID Connect (OIDC) identity provider in IAM"): `https://`, no port, no query string
 * (nor fragment, nor user name); a path is allowed; at most 255 characters. With `allowLoopbackHttp`, `http://` on a
 * loopback host (127.0.0.0/8, localhost, [::1]) with any port is accepted too — for a local verifier only: AWS never
 * accepts such an issuer. INVALID_INPUT on `identity.issuerUrl` otherwise.
 */
export function validateIssuerUrl(text: string, options: { allowLoopbackHttp?: boolean } = {}): string {
  const refuse = (why: string) =>
    new TrustgateError(
      'INVALID_INPUT',
      `identity.issuerUrl: ${why} (AWS: https, no port, no query; a path is allowed)`,
      {
        field: 'identity.issuerUrl',
      },
    );
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw refuse(`${JSON.stringify(text)} is not a URL`);
  }
  const loopbackHttp = options.allowLoopbackHttp === true && url.protocol === 'http:' && isLoopback(url.hostname);
  if (url.protocol !== 'https:' && !loopbackHttp) throw refuse('the scheme must be https');
  if (url.port !== '' && !loopbackHttp) throw refuse('no port may be given');
  if (url.search !== '' || text.includes('?')) throw refuse('no query string may be given');
  if (url.hash !== '' || text.includes('#')) throw refuse('no fragment may be given');
  if (url.username !== '' || url.password !== '') throw refuse('no user name or password may be given');
  const normalized = `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
  // The URL must be written as AWS compares it: IAM matches the issuer case-sensitively, character for character.
  if (normalized !== text.replace(/\/+$/, '')) throw refuse(`write it as ${normalized}`);
  if (normalized.length > 255) throw refuse('at most 255 characters');
  return normalized;
}
