import type { FastifyRequest } from 'fastify';
import { TrustgateError } from '@trustgate/core';

/**
 * The web console's session: after `POST /v1/console/session` the browser holds the API token in this cookie
 * (HttpOnly, SameSite=Strict, Secure where the service is reached over https), never in script-readable storage.
 */
export const CONSOLE_COOKIE = 'trustgate_session';

/**
 * CSRF defence on top of SameSite=Strict: a request authenticated by the cookie that may change something (any
 * method but GET, HEAD, OPTIONS) must carry `X-Trustgate-Console: 1`. A cross-site form cannot set a header, and a
 * cross-site fetch that sets one needs a CORS preflight this service never grants.
 */
export const CONSOLE_HEADER = 'x-trustgate-console';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}

/** Throws FORBIDDEN unless the request may change state on the strength of the console's cookie. */
export function requireConsoleHeader(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method) || request.headers[CONSOLE_HEADER] === '1') return;
  throw new TrustgateError(
    'FORBIDDEN',
    'A request signed in by the console cookie must carry the header X-Trustgate-Console: 1 (CSRF defence).',
    { field: CONSOLE_HEADER },
  );
}

/**
 * The Authorization header to authenticate `request` with: its own bearer header when it has one (the API as
 * before), else the console cookie's token as a bearer header — refused for a state-changing request without
 * {@link CONSOLE_HEADER}. Undefined when it carries neither.
 */
export function authorizationOf(request: FastifyRequest): string | undefined {
  if (request.headers.authorization !== undefined) return request.headers.authorization;
  const token = readCookie(request.headers.cookie, CONSOLE_COOKIE);
  if (token === undefined) return undefined;
  requireConsoleHeader(request);
  return `Bearer ${token}`;
}

/** True when the browser reached the service over https (directly, or as the configured public URL says). */
function isHttps(request: FastifyRequest, publicUrl: string): boolean {
  return request.protocol === 'https' || publicUrl.startsWith('https:');
}

/** The Set-Cookie value that holds `token` for this browser session (no Max-Age: it ends with the browser). */
export function sessionCookie(token: string, request: FastifyRequest, publicUrl: string): string {
  return `${CONSOLE_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict${isHttps(request, publicUrl) ? '; Secure' : ''}`;
}

/** The Set-Cookie value that clears the session. */
export function clearedSessionCookie(request: FastifyRequest, publicUrl: string): string {
  return `${CONSOLE_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${isHttps(request, publicUrl) ? '; Secure' : ''}`;
}
