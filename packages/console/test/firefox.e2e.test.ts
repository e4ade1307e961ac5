import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { checkA11y, focusIsVisible, focused, screenshot, startConsoleEnv, type ConsoleEnv } from './browser-harness.ts';

/**
 * The console in Firefox (Debian's Firefox ESR over WebDriver BiDi) against `trustgate serve`, as the issue asks it to
 * work in current Chromium and Firefox: sign-in into the HttpOnly cookie, the connections list with its status and
 * filter, the wizard's first two steps with the live preview, keyboard navigation with a visible focus, and axe-core
 * on each page. The other browser tests run in chromium; these are the paths where browsers differ (cookies, forms,
 * focus, fetch, the Content-Security-Policy).
 *
 * Text is typed key by key: playwright-core's `fill` over BiDi sets the value without an input event React sees (the
 * field stays empty for React); typing is what a user does, and works.
 */

/** Clears `field` and types `text` into it, key by key. */
async function typeInto(field: Locator, text: string): Promise<void> {
  await field.clear();
  await field.pressSequentially(text);
}

/** Signs in on the sign-in page by typing the token, and waits for the shell's navigation. */
async function signIn(page: Page, token: string): Promise<void> {
  await typeInto(page.getByLabel('API token'), token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** A page at `path`, signed in as the demo admin. */
async function signedInPage(env: ConsoleEnv, path: string): Promise<Page> {
  const page = await env.newPage(path);
  await signIn(page, env.token);
  return page;
}
describe('console in Firefox', { timeout: 120_000 }, () => {
  let env: ConsoleEnv;
  let customer: string;
  beforeAll(async () => {
    env = await startConsoleEnv({ browser: 'firefox' });
    customer = env.sandbox.accounts[1]?.accountId ?? '';
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('runs in Firefox, not chromium', () => {
    expect(env.browser.browserType().name()).toBe('firefox');
  });

  it('signs in into an HttpOnly SameSite=Strict cookie; a wrong token is refused beside the field', async () => {
    const page = await env.newPage('/');
    await page.getByLabel('API token').waitFor();
    await checkA11y(page, 'the sign-in page (Firefox)');
    await typeInto(page.getByLabel('API token'), 'tg_not_a_real_token_000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#field-token-error').waitFor();
    expect(await page.locator('#field-token-error').textContent()).toMatch(/not valid/);
    expect(await page.getByLabel('API token').getAttribute('aria-invalid')).toBe('true');

    await signIn(page, env.token);
    expect(new URL(page.url()).pathname).toBe('/connections');
    const session = (await page.context().cookies()).find((c) => c.name === 'trustgate_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    expect(await page.evaluate(() => document.cookie)).not.toContain(env.token);
    await page.reload();
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  it('lists connections with their status, filters by status in the URL, and passes axe', async () => {
    const made = await env.api('POST', '/v1/connections', {
      name: 'Firefox pending',
      roleName: 'FirefoxRole',
      scope: { kind: 'account', accountId: customer },
    });
    expect(made.status).toBe(201);
    const page = await signedInPage(env, '/connections');
    const row = page.getByRole('row', { name: /Firefox pending/ });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/pending/i);
    await checkA11y(page, 'the connections list (Firefox)');
    await screenshot(page, 'firefox-connections');

    await page.goto(`${env.url}/connections?status=pending`);
    await page.getByRole('row', { name: /Firefox pending/ }).waitFor();
    await page.goto(`${env.url}/connections?status=broken`);
    await page.getByText('No connection matches.').waitFor();
    expect(await page.getByRole('row', { name: /Firefox pending/ }).count()).toBe(0);
  });

  it('walks the wizard to the permissions step, whose preview follows the ticks, by keyboard where it counts', async () => {
    const page = await signedInPage(env, '/connections/new');
    await page.getByRole('heading', { name: 'Step 1: Connection details' }).waitFor();
    await checkA11y(page, 'wizard step 1 (Firefox)');
    await typeInto(page.getByLabel('Connection name'), 'Firefox wizard');
    await typeInto(page.getByLabel('AWS account ID'), customer);
    await page.getByLabel('AWS account ID').press('Enter');
    await page.getByRole('heading', { name: 'Step 2: Permissions' }).waitFor();
    const json = page.getByTestId('policy-json');
    await expect
      .poll(async () => (await json.textContent()) ?? '', { timeout: 10_000 })
      .toContain('ec2:RequestSpotFleet');
    await page.getByRole('radio', { name: /Customize/ }).check();
    const spotFleet = page.getByRole('checkbox', { name: 'Spot Fleet', exact: true });
    await spotFleet.waitFor();
    await spotFleet.focus();
    await page.keyboard.press('Space');
    await expect
      .poll(async () => (await json.textContent()) ?? '', { timeout: 10_000 })
      .not.toContain('ec2:RequestSpotFleet');
    expect(await spotFleet.isChecked()).toBe(false);
    await checkA11y(page, 'wizard step 2 (Firefox)');
    await screenshot(page, 'firefox-wizard-step-2');
  });

  it('moves through the main navigation by Tab with a visible focus', async () => {
    const page = await signedInPage(env, '/connections');
    const seen: string[] = [];
    for (let i = 0; i < 12 && !seen.some((f) => /"Stacks"/.test(f)); i++) {
      await page.keyboard.press('Tab');
      seen.push(await focused(page));
      expect(await focusIsVisible(page)).toBe(true);
    }
    expect(seen.some((f) => /^a .*"Stacks"/.test(f))).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(() => new URL(page.url()).pathname).toBe('/stacks');
  });
});
