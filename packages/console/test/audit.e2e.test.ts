import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkA11y, screenshot, signedInPage, startConsoleEnv, type ConsoleEnv } from './browser-harness.ts';

/**
 * The audit page in a real browser over events made through the API: connections created by the admin and by a
 * member, an external ID rotated, sessions revoked, a connection deleted. Newest first with names; filters by action,
 * actor and time range applied by the API and kept in the URL; paging; the API's refusal of a malformed time beside
 * its field.
 */
describe('console: the audit log', { timeout: 120_000 }, () => {
  let env: ConsoleEnv;
  let page: Page;
  let beaId: string;
  let alphaId: string;
  /** A whole second between the first batch of events and the second. */
  let between: string;
  /** Every event as the API lists them, newest first. */
  let all: { id: string; action: string; actorUserId: string | null; at: string }[];

  const ok = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await env.api(method, path, body, token);
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    return res.body;
  };
  const actions = () =>
    page.locator('table.audit tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action')));
  const ids = () =>
    page.locator('table.audit tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')));
  const param = (name: string) => new URL(page.url()).searchParams.get(name);

  beforeAll(async () => {
    env = await startConsoleEnv();
    const accountId = env.sandbox.accounts[0]?.accountId ?? '111111111111';
    const connection = (name: string, token?: string) =>
      ok(
        'POST',
        '/v1/connections',
        { name, scope: { kind: 'account', accountId }, selection: { mode: 'default' } },
        token,
      );
    const bea = await ok('POST', '/v1/users', { email: 'bea@example.com', name: 'Bea Member', role: 'member' });
    beaId = bea.id;
    const issued = await ok('POST', '/v1/tokens', {
      name: 'bea',
      userId: beaId,
      scopes: ['connections:read', 'connections:write', 'audit:read'],
    });
    alphaId = (await connection('audit-alpha')).connection.id;
    await connection('bea-conn', issued.secret);
    // The second batch starts on the next whole second.
    const next = Math.ceil((Date.now() + 1) / 1000) * 1000;
    await new Promise((r) => setTimeout(r, next - Date.now() + 5));
    between = new Date(next).toISOString();
    const beta = (await connection('audit-beta')).connection.id;
    await ok('POST', `/v1/connections/${alphaId}/rotate-external-id`);
    await ok('POST', `/v1/connections/${beta}/revoke-sessions`);
    await ok('DELETE', `/v1/connections/${beta}`);
    all = await ok('GET', '/v1/audit');
    page = await signedInPage(env, '/audit');
    await page.locator('table.audit').waitFor();
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('lists every event newest first, with who did it and on which connection', async () => {
    expect(await ids()).toEqual(all.map((e) => e.id));
    expect((await actions()).slice(0, 5)).toEqual([
      'connection.delete',
      'connection.revoke-sessions',
      'connection.rotate-external-id',
      'connection.create',
      'connection.create',
    ]);
    const row = (action: string) => page.locator(`table.audit tbody tr[data-action="${action}"]`).first();
    // A connection that still exists links to its page; a deleted one keeps its name.
    expect(await row('connection.rotate-external-id').getByRole('link', { name: 'audit-alpha' }).count()).toBe(1);
    expect(await row('connection.delete').locator('td').nth(3).textContent()).toBe('audit-beta');
    expect(await row('connection.delete').getByRole('link').count()).toBe(0);
    expect(await row('connection.revoke-sessions').locator('td').nth(3).textContent()).toBe('audit-beta');
    expect(await row('organization.create').locator('td').nth(2).textContent()).toBe('service');
    await checkA11y(page, 'the audit log');
    await screenshot(page, 'audit-log');
  });

  it('filters by action and by actor through the API, keeping the filters in the URL', async () => {
    await page.getByLabel('Action', { exact: true }).selectOption('connection.create');
    await expect.poll(actions).toEqual(['connection.create', 'connection.create', 'connection.create']);
    expect(param('action')).toBe('connection.create');
    await page.getByLabel('Actor', { exact: true }).selectOption({ label: 'Bea Member' });
    await expect.poll(actions).toEqual(['connection.create']);
    expect(param('actor')).toBe(beaId);
    expect(await page.locator('table.audit tbody td').nth(2).textContent()).toBe('Bea Member');
    await screenshot(page, 'audit-log-filtered');
    await page.reload();
    await page.locator('table.audit').waitFor();
    await expect.poll(actions).toEqual(['connection.create']);
    expect(await page.getByLabel('Actor', { exact: true }).inputValue()).toBe(beaId);
    await page.getByLabel('Action', { exact: true }).selectOption('connection.delete');
    await page.getByText('No event matches the filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(ids).toEqual(all.map((e) => e.id));
    expect(new URL(page.url()).search).toBe('');
  });

  it('filters by a time range: since is inclusive, until exclusive', async () => {
    const local = await page.evaluate((iso) => {
      const t = new Date(iso);
      const p = (n: number) => String(n).padStart(2, '0');
      return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
    }, between);
    const later = all.filter((e) => e.at >= between).map((e) => e.id);
    const earlier = all.filter((e) => e.at < between).map((e) => e.id);
    expect(later.length).toBe(4);
    expect(earlier.length).toBeGreaterThan(0);
    await page.getByLabel('Since (local time)').fill(local);
    await page.getByRole('button', { name: 'Apply times' }).click();
    await expect.poll(ids).toEqual(later);
    expect(param('since')).toBe(between);
    await page.getByLabel('Since (local time)').fill('');
    await page.getByLabel('Until (local time)').fill(local);
    await page.getByLabel('Until (local time)').press('Enter');
    await expect.poll(ids).toEqual(earlier);
    expect(param('since')).toBeNull();
    expect(param('until')).toBe(between);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(ids).toEqual(all.map((e) => e.id));
  });

  it('pages through the log, each event once, in order', async () => {
    await page.goto(`${env.url}/audit?limit=3`);
    await page.locator('table.audit').waitFor();
    expect(await ids()).toEqual(all.slice(0, 3).map((e) => e.id));
    const older = page.getByRole('button', { name: 'Show older events' });
    for (let shown = 3; shown < all.length; shown += 3) {
      await older.click();
      await expect.poll(ids).toEqual(all.slice(0, Math.min(shown + 3, all.length)).map((e) => e.id));
    }
    expect(await older.count()).toBe(0);
    // The filters hold while paging.
    await page.goto(`${env.url}/audit?limit=2&action=connection.create`);
    await page.locator('table.audit').waitFor();
    expect(await actions()).toEqual(['connection.create', 'connection.create']);
    await older.click();
    await expect.poll(actions).toEqual(['connection.create', 'connection.create', 'connection.create']);
    expect(await older.count()).toBe(0);
  });

  it("shows the API's refusal of a malformed time beside the field it names", async () => {
    const refused = await env.api('GET', '/v1/audit?since=yesterday');
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('since');
    await page.goto(`${env.url}/audit?since=yesterday`);
    const error = page.locator('#field-since-error');
    await error.waitFor();
    expect(await error.textContent()).toBe(refused.body.error.message);
    expect(await page.getByLabel('Since (local time)').getAttribute('aria-invalid')).toBe('true');
    await checkA11y(page, 'the audit log with a filter error');
  });
});
