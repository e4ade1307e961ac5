import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrustgate } from '../../cli/test/run-trustgate.ts';
import { applyStack } from '../../server/test/service-harness.ts';
import { checkA11y, focused, screenshot, signedInPage, startConsoleEnv, type ConsoleEnv } from './browser-harness.ts';

/**
 * Stacks and attachments in a real browser against `trustgate serve` and its sandbox: a stack created in the form, a
 * connection (scoped trust, its CloudFormation template applied in the sandbox, verified) attached with read and
 * write — the service verifies both phases against the sandbox's STS — the trust statement of exactly this stack and
 * each phase as the API builds it, credentials issued to a run (its `trustgate creds` with a credentials:issue token, then the API) showing in the issuances table
 * and the chart (an STS session, then a cache hit), an invalid duration's refusal beside its field, axe on each state.
 */
describe('console: stacks and attachments', { timeout: 240_000 }, () => {
  let env: ConsoleEnv;
  let page: Page;
  let connection: { id: string; name: string; externalId: string };
  let stackId: string;

  const bucketTotals = async () =>
    page
      .locator('figure.issuance-chart svg g[data-issued]')
      .evaluateAll((gs) =>
        gs.reduce(
          (t, g) => [t[0]! + Number(g.getAttribute('data-issued')), t[1]! + Number(g.getAttribute('data-cache-hits'))],
          [0, 0],
        ),
      );
  const issuedRuns = async () =>
    page
      .locator('table.issuances-table tbody tr')
      .evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-run')}:${r.getAttribute('data-source')}`));

  beforeAll(async () => {
    env = await startConsoleEnv();
    const account = env.sandbox.accounts[0];
    if (account === undefined) throw new Error(`serve printed no sandbox account:\n${env.served.output()}`);
    const made = await env.api('POST', '/v1/connections', {
      name: 'prod-network',
      scope: { kind: 'account', accountId: account.accountId },
      roleName: 'TrustgateStacksE2e',
      selection: { mode: 'default' },
      externalIdTrust: { kind: 'scoped', phases: ['read', 'write'] },
    });
    expect(made.status, made.text).toBe(201);
    const applied = await applyStack({
      endpoint: env.sandbox.endpoint,
      credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
      stackName: 'tg-prod-network',
      templateBody: made.body.deliverables.formats['cloudformation-json'],
    });
    expect(applied.status, applied.reason).toBe('CREATE_COMPLETE');
    const verified = await env.api('POST', `/v1/connections/${made.body.connection.id}/verify`, {
      roleArn: applied.outputs.RoleArn,
    });
    expect(verified.body.status, verified.text).toBe('connected');
    connection = {
      id: made.body.connection.id,
      name: 'prod-network',
      externalId: made.body.connection.externalId,
    };
    page = await signedInPage(env, '/stacks');
    await page.getByRole('heading', { name: 'Create a stack' }).waitFor();
  }, 240_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('creates a stack from the list page (keyboard only), refusing a bad slug beside its field', async () => {
    expect(await page.locator('p.empty').textContent()).toBe('No stack yet.');
    await checkA11y(page, 'the empty stacks list');
    await page.getByLabel('Slug').focus();
    await page.keyboard.type('Net Prod');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Network (prod)');
    await page.keyboard.press('Enter');
    const slugError = page.locator('#field-slug-error');
    await slugError.waitFor();
    expect(await slugError.textContent()).toContain('1-64 characters of a-z, 0-9 and "-"');
    expect(await page.getByLabel('Slug').getAttribute('aria-invalid')).toBe('true');
    expect(await focused(page)).toBe('input#field-slug');
    await checkA11y(page, 'the stack form with a slug error');
    await page.getByLabel('Slug').fill('net-prod');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Stack Network (prod)' }).waitFor();
    stackId = decodeURIComponent(new URL(page.url()).pathname.split('/')[2] ?? '');
    const listed = await env.api('GET', '/v1/stacks');
    expect(listed.body.map((s: { id: string; slug: string }) => [s.id, s.slug])).toEqual([[stackId, 'net-prod']]);
    expect(await page.locator('p.empty').first().textContent()).toContain('No connection is attached');
  });

  it('attaches the connection with read and write, showing the trust statement of exactly this stack and each phase', async () => {
    await page.getByRole('button', { name: 'Attach a connection' }).press('Enter');
    await page.getByRole('heading', { name: 'Attach a connection' }).waitFor();
    expect(await focused(page)).toMatch(/^select#field-connectionId /);
    await page.getByLabel('Connection', { exact: true }).selectOption({ label: 'prod-network (connected)' });
    await page.getByLabel('Write (apply)').check();
    for (const phase of ['read', 'write'] as const) {
      const shown = page.locator(`.trust-statement[data-phase="${phase}"]`);
      await shown.waitFor();
      const api = await env.api('POST', `/v1/stacks/${stackId}/trust-statement`, {
        connectionId: connection.id,
        phase,
        assumeOnWorker: false,
      });
      expect(api.status, api.text).toBe(200);
      expect(JSON.parse((await shown.locator('pre').textContent()) ?? '')).toEqual(api.body.statement);
      expect(api.body.statement.Condition).toEqual({
        StringEquals: { 'sts:ExternalId': `${connection.externalId}@net-prod@${phase}` },
      });
      expect(await shown.locator('code.external-id').textContent()).toBe(`${connection.externalId}@net-prod@${phase}`);
    }
    await checkA11y(page, 'the attach form with its trust statements');
    await screenshot(page, 'stack-attach-form');
    // The worker's own custom ID changes the statement it shows.
    await page.getByLabel('Assume the role on the worker').check();
    await page.getByLabel('Custom external ID (optional)').fill('worker-net-7');
    await expect
      .poll(() => page.locator('.trust-statement[data-phase="read"] code.external-id').textContent())
      .toBe('worker-net-7');
    await page.getByLabel('Assume the role on the worker').uncheck();
    await expect
      .poll(() => page.locator('.trust-statement[data-phase="read"] code.external-id').textContent())
      .toBe(`${connection.externalId}@net-prod@read`);

    await page.getByRole('button', { name: 'Attach', exact: true }).click();
    const row = page.locator('tr[data-attachment="prod-network"]');
    await row.waitFor();
    expect(await row.locator('td.phases').textContent()).toBe('read, write');
    expect(await row.locator('td.verification').textContent()).toContain('2 of 2 checks pass');
    expect(await page.getByRole('status').first().textContent()).toBe('Attached prod-network.');
    await expect.poll(() => focused(page)).toBe('button "Attach a connection"');
    const stored = await env.api('GET', `/v1/stacks/${stackId}/attachments`);
    expect(stored.body).toEqual([
      expect.objectContaining({ connectionId: connection.id, phases: ['read', 'write'], durationSeconds: 3600 }),
    ]);
    await checkA11y(page, 'the stack with an attachment');
  });

  it('shows credentials issued to a run through the API in the table and the chart (STS, then a cache hit)', async () => {
    expect(await page.locator('p.empty').last().textContent()).toContain('No credentials issued');
    expect(await bucketTotals()).toEqual([0, 0]);
    // As a run does: a token that may only issue credentials, and `trustgate creds` with it.
    const runToken = await env.api('POST', '/v1/tokens', { name: 'runner', scopes: ['credentials:issue'] });
    expect(runToken.status, runToken.text).toBe(201);
    const creds = await runTrustgate(['creds', '--stack', 'net-prod', '--phase', 'write', '--run', 'run-101'], {
      env: { TRUSTGATE_URL: env.url, TRUSTGATE_TOKEN: runToken.body.secret },
      input: '',
    });
    expect(creds.code, creds.stderr).toBe(0);
    const secret = /AWS_SECRET_ACCESS_KEY=['"]?([^'"\s]+)/.exec(creds.stdout)?.[1];
    expect(secret, creds.stdout.replace(/=.*/g, '=…')).toBeDefined();
    // The page asks again by itself.
    await expect.poll(issuedRuns, { timeout: 15_000 }).toEqual(['run-101:sts']);
    expect(await bucketTotals()).toEqual([1, 0]);
    const again = await env.api(
      'POST',
      '/v1/issuances',
      { stack: 'net-prod', phase: 'write', runId: 'run-101' },
      runToken.body.secret,
    );
    expect(again.status, again.text).toBe(201);
    expect(again.body.source).toBe('cache');
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(issuedRuns).toEqual(['run-101:cache', 'run-101:sts']);
    expect(await bucketTotals()).toEqual([2, 1]);
    expect(await page.locator('#issuance-chart-summary').textContent()).toMatch(
      /^2 issuances, 1 cache hits\. .+: 2 issued, 1 from the cache\.$/,
    );
    expect(await page.locator('figure.issuance-chart svg').getAttribute('aria-labelledby')).toBe(
      'issuance-chart-caption issuance-chart-summary',
    );
    // The table alternative holds the same numbers.
    await page.getByText('Show the numbers as a table').click();
    const cells = await page
      .locator('table.issuance-series tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.textContent))));
    expect(cells.reduce((t, [i = 0, h = 0]) => [t[0]! + i, t[1]! + h], [0, 0])).toEqual([2, 1]);
    // A shorter window: 10-minute buckets, kept in the URL.
    await page.getByLabel('Window').selectOption({ label: 'Last 6 hours' });
    await expect.poll(() => page.locator('figure.issuance-chart svg g[data-issued]').count()).toBe(36);
    expect(await bucketTotals()).toEqual([2, 1]);
    expect(new URL(page.url()).searchParams.get('hours')).toBe('6');
    // No credential reaches the page.
    expect(await page.content()).not.toContain(secret);
    expect(await page.content()).not.toContain(again.body.credentials.secretAccessKey);
    await checkA11y(page, 'the stack with issuances');
    await screenshot(page, 'stack-issuances');
  });

  it("shows an invalid duration's refusal beside its field, and changes nothing", async () => {
    await page.getByRole('button', { name: 'Change prod-network' }).click();
    await page.getByRole('heading', { name: 'Change the attachment to prod-network' }).waitFor();
    await page.getByLabel('Session duration (seconds)').fill('60');
    await page.getByRole('button', { name: 'Save changes' }).click();
    const error = page.locator('#field-durationSeconds-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('900');
    expect(await page.getByLabel('Session duration (seconds)').getAttribute('aria-invalid')).toBe('true');
    expect(await focused(page)).toBe('input#field-durationSeconds');
    expect(await page.locator('.attachment-form .form-error').count()).toBe(0);
    await checkA11y(page, 'the attachment form with a duration error');
    await screenshot(page, 'stack-duration-error');
    const stored = await env.api('GET', `/v1/stacks/${stackId}/attachments`);
    expect(stored.body[0].durationSeconds).toBe(3600);
    // A valid change is saved and shown.
    await page.getByLabel('Session duration (seconds)').fill('1800');
    await page.getByLabel('Region (optional)').fill('us-east-1');
    await page.getByLabel('Session mode').selectOption({ label: 'Shared' });
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect
      .poll(() => page.locator('tr[data-attachment="prod-network"] td.duration').textContent())
      .toBe('1800 s');
    expect(await page.locator('tr[data-attachment="prod-network"] td.session').textContent()).toBe('shared');
    expect((await env.api('GET', `/v1/stacks/${stackId}/attachments`)).body[0]).toMatchObject({
      durationSeconds: 1800,
      region: 'us-east-1',
      sessionMode: 'shared',
    });
  });

  it('lists the stack, linking to its page', async () => {
    await page.getByRole('link', { name: 'All stacks' }).click();
    const row = page.locator('tr[data-stack="net-prod"]');
    await row.waitFor();
    expect(await row.getByRole('link').textContent()).toBe('Network (prod)');
    await checkA11y(page, 'the stacks list');
    await screenshot(page, 'stacks-list');
  });
});
