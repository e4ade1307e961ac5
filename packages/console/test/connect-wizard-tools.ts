import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ARTIFACTS_DIR, focused, type ConsoleEnv } from './browser-harness.ts';

/** What the connect wizard's browser tests share: driving steps 1-2, reading step 4's verdict, the step screenshots. */

export const WIZARD = '/connections/new';

export type Customer = { accountId: string; accessKeyId: string; secretAccessKey: string };

/** The README's screenshots (committed): `docs/screenshots/wizard-<n>-<step>.png`. */
export const README_SCREENSHOTS = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'docs',
  'screenshots',
);

/** The viewport of the step screenshots (fixed, so they stay small and comparable). */
export const SHOT_VIEWPORT = { width: 1100, height: 800 };

/**
 * A screenshot of wizard step `n` (`test-artifacts/wizard-<n>-<step>.png`, the viewport only). With
 * `UPDATE_WIZARD_SCREENSHOTS=1` it is also copied to docs/screenshots for the README.
 */
export async function stepShot(page: Page, n: number, step: string): Promise<void> {
  const viewport = page.viewportSize();
  if (viewport?.width !== SHOT_VIEWPORT.width || viewport.height !== SHOT_VIEWPORT.height)
    throw new Error('step screenshots are taken at SHOT_VIEWPORT: call page.setViewportSize(SHOT_VIEWPORT) first');
  await page.evaluate(() => document.fonts.ready);
  const name = `wizard-${n}-${step}`;
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  if (process.env.UPDATE_WIZARD_SCREENSHOTS === '1') {
    mkdirSync(README_SCREENSHOTS, { recursive: true });
    copyFileSync(path, join(README_SCREENSHOTS, `${name}.png`));
  }
}

/** Steps 1 and 2 with the defaults (robust to their layout: labels and roles only); ends on step 3. */
export async function throughStep2(
  page: Page,
  o: { name: string; account: string; roleName: string; automatic?: boolean; oidc?: boolean },
): Promise<void> {
  await page.getByRole('heading', { name: 'Step 1: Connection details' }).waitFor();
  await page.getByLabel('Connection name').fill(o.name);
  await page.getByLabel('Role name').fill(o.roleName);
  await page.getByLabel('AWS account ID').fill(o.account);
  if (o.automatic === true) await page.getByRole('radio', { name: /Automatic/ }).check();
  if (o.oidc === true) await page.getByRole('radio', { name: /OIDC/ }).check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Step 2: Permissions' }).waitFor();
  await page.getByRole('button', { name: 'Create connection' }).click();
  await page.getByRole('heading', { name: /^Step 3: / }).waitFor();
}

/** The connection the wizard created, by name, through the API. */
export async function connectionNamed(env: ConsoleEnv, name: string) {
  const list = await env.api('GET', '/v1/connections');
  const found = list.body.find((c: { name: string }) => c.name === name);
  if (found === undefined) throw new Error(`no connection ${name}: ${list.text}`);
  return found as {
    id: string;
    externalId: string;
    status: string;
    requiredActions: { integrationId: string; actions: string[] }[];
  };
}

/** Opens a tab of the deliverables' tablist. */
export async function openTab(page: Page, name: string): Promise<void> {
  await page.getByRole('tablist', { name: 'Deliverables' }).getByRole('tab', { name, exact: true }).click();
}

/** Step 4's result heading once verification ended. */
export async function verdict(page: Page): Promise<string> {
  const heading = page.locator('#verify-result-heading');
  await expect
    .poll(async () => ((await heading.count()) === 0 ? '' : ((await heading.textContent()) ?? '')), {
      timeout: 60_000,
    })
    .toMatch(/^(Connected|Not connected)/);
  return (await heading.textContent()) ?? '';
}

/** The state of one check (assumed, external-id, permissions) as the page shows it. */
export async function check(page: Page, id: string): Promise<string | null> {
  return page.locator(`[data-check="${id}"]`).first().getAttribute('data-state');
}

/** Presses Tab (up to 120 times) until the focused element's description matches. */
export async function tabTo(page: Page, match: RegExp): Promise<void> {
  for (let i = 0; i < 120; i++) {
    await page.keyboard.press('Tab');
    if (match.test(await focused(page))) return;
  }
  throw new Error(`Tab never reached ${match}; focus is on ${await focused(page)}`);
}

/**
 * Ticks (`on`) or clears a product's checkbox in step 2. A product with some integrations ticked is "mixed"; a click
 * on it ticks them all, the next clears them, so it is clicked until it shows `on`.
 */
export async function setProduct(page: Page, name: string, on: boolean): Promise<void> {
  const box = page.getByRole('checkbox', { name, exact: true });
  for (let i = 0; i < 3; i++) {
    const state = await box.evaluate((el) => ({
      checked: (el as HTMLInputElement).checked,
      mixed: (el as HTMLInputElement).indeterminate,
    }));
    if (state.checked === on && !state.mixed) return;
    await box.click();
  }
  throw new Error(`${name} did not become ${on ? 'ticked' : 'clear'}`);
}
