import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkA11y,
  focusIsVisible,
  focused,
  screenshot,
  signIn,
  signedInPage,
  startConsoleEnv,
  type ConsoleEnv,
} from './browser-harness.ts';

/**
 * The console's shell in a real browser against `trustgate serve`: signing in (a refused token's error beside its
 * field, the token only in an HttpOnly SameSite=Strict cookie, never in script-readable storage), reload and sign
 * out, the navigation by keyboard alone with a visible focus, and axe-core on every page of the shell.
 */
describe('console shell', { timeout: 120_000 }, () => {
  let env: ConsoleEnv;
  beforeAll(async () => {
    env = await startConsoleEnv();
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('signs in with the API token into an HttpOnly cookie; a wrong token is refused beside the field', async () => {
    const page = await env.newPage('/');
    await page.getByLabel('API token').waitFor();
    await expect(page.title()).resolves.toBe('Sign in · trustgate');
    await checkA11y(page, 'the sign-in page');
    await page.getByLabel('API token').fill('tg_not_a_real_token_000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.locator('#field-token-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/not valid/);
    expect(await page.getByLabel('API token').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('API token').getAttribute('aria-describedby')).toContain('field-token-error');
    await checkA11y(page, 'the sign-in page with an error');
    await screenshot(page, 'sign-in-refused');

    await signIn(page, env.token);
    expect(new URL(page.url()).pathname).toBe('/connections');
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'trustgate_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
    expect(session?.value).toBe(env.token);
    const visible = await page.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    expect(visible.cookie).not.toContain(env.token);
    expect(visible.local).not.toContain(env.token);
    expect(visible.session).not.toContain(env.token);

    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').waitFor();
    expect((await page.context().cookies()).find((c) => c.name === 'trustgate_session')).toBeUndefined();
    await page.reload();
    await page.getByLabel('API token').waitFor();
  });

  it('CSRF: a signed-in browser sent to another site that posts a form and a fetch to the service writes nothing', async () => {
    const page = await signedInPage(env);
    const target = env.url;
    // Another site (localhost is not the same site as 127.0.0.1): a text/plain form is a "simple" request that needs
    // no preflight, and its body reads as JSON: {"name":"planted="}. A fetch with the console header needs a
    // preflight the service never grants.
    const evil = createServer((request, response) => {
      response.setHeader('content-type', 'text/html');
      response.end(
        request.url === '/fetch'
          ? `<script>fetch('${target}/v1/spaces', { method: 'POST', credentials: 'include', headers: { 'x-trustgate-console': '1', 'content-type': 'application/json' }, body: JSON.stringify({ name: 'fetched' }) }).then(() => document.title = 'sent', () => document.title = 'blocked')</script>`
          : `<form method="POST" action="${target}/v1/spaces" enctype="text/plain"><input name='{"name":"planted' value='"}'></form><script>document.forms[0].submit()</script>`,
      );
    });
    await new Promise<void>((resolve) => evil.listen(0, 'localhost', resolve));
    const evilUrl = `http://localhost:${(evil.address() as AddressInfo).port}`;
    try {
      await page.goto(`${evilUrl}/form`);
      await page.waitForURL(`${target}/v1/spaces`);
      expect(await page.textContent('body')).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
      await page.goto(`${evilUrl}/fetch`);
      await expect.poll(() => page.title()).toBe('blocked');
    } finally {
      evil.close();
    }
    const spaces = await env.api('GET', '/v1/spaces');
    expect(spaces.body.map((space: { name: string }) => space.name)).toEqual(
      expect.not.arrayContaining(['planted=', 'fetched']),
    );
    // Still signed in on the service's own site: the attack did not sign the user out either.
    await page.goto(`${target}/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
  });

  it('passes axe (no serious or critical violation) on every page of the shell', async () => {
    const page = await signedInPage(env);
    for (const [path, heading] of [
      ['/connections', 'Connections'],
      ['/stacks', 'Stacks'],
      ['/audit', 'Audit'],
      ['/settings', 'Settings'],
      ['/no-such-page', 'Page not found'],
    ] as const) {
      await page.goto(`${env.url}${path}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await checkA11y(page, path);
      await screenshot(page, `page${path.replace(/\//g, '-')}`);
    }
  });

  it('works by keyboard alone: skip link, the navigation in order with a visible focus, focus moved to the new page', async () => {
    const page = await signedInPage(env);
    // Arrive on the page afresh (signed in by the cookie), the focus at the top of the document.
    await page.goto(`${env.url}/connections`);
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('a "Skip to content"');
    expect(await focusIsVisible(page)).toBe(true);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('a "trustgate"');
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      expect(await focusIsVisible(page)).toBe(true);
      order.push(await focused(page));
    }
    expect(order).toEqual(['a "Connections"', 'a "Stacks"', 'a "Audit"', 'a "Settings"']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toBe('a "Stacks"');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Stacks' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/stacks');
    expect(await focused(page)).toMatch(/^main#main/);
    expect(await page.getByRole('link', { name: 'Stacks' }).getAttribute('aria-current')).toBe('page');
    await expect(page.title()).resolves.toBe('Stacks · trustgate');
    // The skip link moves the focus past the header: the next Tab lands in the page, not the navigation.
    await page.goto(`${env.url}/connections`);
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    // The page's first control (the wizard's link), then its filters: not the navigation's links.
    expect(await focused(page)).toBe('a "Connect an AWS account"');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatch(/^select#field-status/);
    // Settings, reached by keyboard, signs out by keyboard.
    await page.goto(`${env.url}/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).first().focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('API token').waitFor();
  });
});
