import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrustgateService, type TrustgateService } from '../src/index.ts';
import { CONSOLE_CSP } from '../src/http/routes/console-routes.ts';
import { NO_AWS, OPERATOR_TOKEN, TEST_SERVICE_DEFAULTS } from './service-harness.ts';

/**
 * The web console as `trustgate serve` serves it: a build's files with their types and caching, the SPA fallback
 * for pages only (never the API's 404s), the security headers, the page that says how to build; and the session
 * cookie, attacked: its flags, a forged token, a cross-site write without the console header, a cookie-borne
 * token on a write.
 */
describe('console routes and session', () => {
  let dist: string;
  let service: TrustgateService;
  let admin: string;
  let bare: TrustgateService;

  const inject = (s: TrustgateService, o: InjectOptions) => s.app.inject(o);

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'tg-console-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log("hi")');
    writeFileSync(join(dist, 'assets', 'index-abc123.css'), 'body{}');
    const config = { databaseUrl: ':memory:', partitions: NO_AWS, ...TEST_SERVICE_DEFAULTS, reverify: false as const };
    service = await createTrustgateService({ ...config, consoleDir: dist });
    bare = await createTrustgateService({ ...config, consoleDir: join(dist, 'missing') });
    const org = await inject(service, {
      method: 'POST',
      url: '/v1/organizations',
      headers: { authorization: `Bearer ${OPERATOR_TOKEN}` },
      payload: { name: 'Acme', adminEmail: 'admin@acme.test', adminName: 'Acme admin' },
    });
    expect(org.statusCode, org.body).toBe(201);
    admin = org.json().token.secret;
  });
  afterAll(async () => {
    await service?.close();
    await bare?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves the build: index.html revalidated, hashed assets immutable, types right, CSP and nosniff on each', async () => {
    for (const [url, type, cache] of [
      ['/', 'text/html; charset=utf-8', 'no-cache'],
      ['/assets/index-abc123.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/assets/index-abc123.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
    ] as const) {
      const res = await inject(service, { method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toBe(type);
      expect(res.headers['cache-control'], url).toBe(cache);
      expect(res.headers['content-security-policy'], url).toBe(CONSOLE_CSP);
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
    }
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).not.toContain('unsafe-inline');
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
  });

  it('answers index.html for a page a browser navigates to, and keeps the API, ops and unknown files as 404s', async () => {
    const page = await inject(service, {
      method: 'GET',
      url: '/connections/abc?x=1',
      headers: { accept: 'text/html' },
    });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<div id="root">');
    for (const url of ['/v1/nope', '/v1', '/.well-known/nope', '/docs/nope', '/assets/missing.js']) {
      const res = await inject(service, { method: 'GET', url, headers: { accept: 'text/html,*/*' } });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code, url).toBe('NOT_FOUND');
    }
    // A script (Accept: */*) asking for an unknown path gets the API's 404, not the page.
    const api = await inject(service, { method: 'GET', url: '/nope' });
    expect(api.statusCode).toBe(404);
    expect((await inject(service, { method: 'GET', url: '/healthz' })).json()).toEqual({ ok: true });
    expect((await inject(service, { method: 'GET', url: '/openapi.json' })).json().openapi).toBe('3.0.3');
    // A traversal finds nothing: only the build's own files are served.
    const up = await inject(service, { method: 'GET', url: '/assets/../../../../etc/passwd' });
    expect(up.body).not.toContain('root:');
  });

  it('without a build, / says how to build it', async () => {
    const res = await inject(bare, { method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.body).toContain('npm run build');
  });

  it('signs in: the cookie is HttpOnly, SameSite=Strict, Path=/, not Secure over http, and authenticates reads', async () => {
    const res = await inject(service, {
      method: 'POST',
      url: '/v1/console/session',
      headers: { 'x-trustgate-console': '1' },
      payload: { token: admin },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().user.email).toBe('admin@acme.test');
    expect(res.body).not.toContain(admin);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toBe(`trustgate_session=${admin}; Path=/; HttpOnly; SameSite=Strict`);
    const who = await inject(service, { method: 'GET', url: '/v1/console/session', headers: { cookie } });
    expect(who.statusCode).toBe(200);
    expect(who.json().scopes).toContain('admin');
    const list = await inject(service, { method: 'GET', url: '/v1/connections', headers: { cookie } });
    expect(list.statusCode).toBe(200);
  });

  it('sets Secure when the service is reached over https (its public URL)', async () => {
    const before = service.deps.publicUrl;
    service.deps.publicUrl = 'https://trustgate.example.com';
    try {
      const res = await inject(service, {
        method: 'POST',
        url: '/v1/console/session',
        headers: { 'x-trustgate-console': '1' },
        payload: { token: admin },
      });
      expect(String(res.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      service.deps.publicUrl = before;
    }
  });

  it('refuses a forged token with the field named, and sets no cookie', async () => {
    const res = await inject(service, {
      method: 'POST',
      url: '/v1/console/session',
      headers: { 'x-trustgate-console': '1' },
      payload: { token: 'tg_forged0000000000000000' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toMatchObject({ code: 'UNAUTHENTICATED', field: 'token' });
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('CSRF: a cross-site form post carrying the cookie is refused before anything is written', async () => {
    const cookie = `trustgate_session=${admin}`;
    // What a form on another site can send: the cookie (were SameSite ignored), a simple content type, no custom header.
    const forged = await inject(service, {
      method: 'POST',
      url: '/v1/spaces',
      headers: { cookie, 'content-type': 'application/json', origin: 'https://evil.example' },
      payload: { name: 'planted' },
    });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().error).toMatchObject({ code: 'FORBIDDEN', field: 'x-trustgate-console' });
    const del = await inject(service, { method: 'DELETE', url: '/v1/console/session', headers: { cookie } });
    expect(del.statusCode).toBe(403);
    // Login CSRF: signing a victim in to the attacker's account needs the header too.
    const login = await inject(service, { method: 'POST', url: '/v1/console/session', payload: { token: admin } });
    expect(login.statusCode).toBe(403);
    const spaces = await inject(service, { method: 'GET', url: '/v1/spaces', headers: { cookie } });
    expect(spaces.json().map((s: { name: string }) => s.name)).not.toContain('planted');
    // The console itself sends the header: the same write goes through.
    const ok = await inject(service, {
      method: 'POST',
      url: '/v1/spaces',
      headers: { cookie, 'x-trustgate-console': '1' },
      payload: { name: 'wanted' },
    });
    expect(ok.statusCode, ok.body).toBe(201);
  });

  it('signs out: the cookie is cleared; a bearer header still works without the console header', async () => {
    const out = await inject(service, {
      method: 'DELETE',
      url: '/v1/console/session',
      headers: { 'x-trustgate-console': '1' },
    });
    expect(out.statusCode).toBe(200);
    expect(String(out.headers['set-cookie'])).toBe('trustgate_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
    const bearer = await inject(service, {
      method: 'POST',
      url: '/v1/spaces',
      headers: { authorization: `Bearer ${admin}` },
      payload: { name: 'by-bearer' },
    });
    expect(bearer.statusCode).toBe(201);
    const none = await inject(service, { method: 'GET', url: '/v1/console/session' });
    expect(none.statusCode).toBe(401);
  });
});
