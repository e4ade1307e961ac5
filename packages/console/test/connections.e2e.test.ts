import { IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStack } from '../../server/test/service-harness.ts';
import { checkA11y, screenshot, signedInPage, startConsoleEnv, type ConsoleEnv } from './browser-harness.ts';

/**
 * The Connections page in a real browser over connections made through the API against the sandbox: one connected
 * for real (its CloudFormation template applied in the sandbox, then verified), one insecure (the customer dropped the
 * external ID condition from its trust policy), one broken (a role that does not exist),
 * two pending (one in a space, labelled). Badges and reasons, the chart's counts, and each filter as the API applies
 * it, kept in the URL.
 */
describe('console: the connections list', { timeout: 180_000 }, () => {
  let env: ConsoleEnv;
  let page: Page;
  let spaceId: string;

  const create = async (body: Record<string, unknown>) => {
    const res = await env.api('POST', '/v1/connections', { selection: { mode: 'default' }, ...body });
    expect(res.status, res.text).toBe(201);
    return res.body.connection as { id: string; name: string };
  };
  const rowNames = async () =>
    page
      .locator('table.connections tbody tr')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-connection')));
  const chartCount = async (status: string) =>
    page.locator(`figure.chart g[data-status="${status}"] text.chart-count`).textContent();

  beforeAll(async () => {
    env = await startConsoleEnv();
    const account = env.sandbox.accounts[0];
    if (account === undefined) throw new Error(`serve printed no sandbox account:\n${env.served.output()}`);
    const space = await env.api('POST', '/v1/spaces', { name: 'Team A' });
    expect(space.status, space.text).toBe(201);
    spaceId = space.body.id;

    const gone = await create({
      name: 'staging-broken',
      scope: { kind: 'account', accountId: account.accountId },
      roleName: 'TrustgateConsoleMissing',
      labels: { env: 'staging' },
    });
    // The service retries AssumeRole for a while before it calls a role broken: verified while the stack is applied.
    const breaking = env.api('POST', `/v1/connections/${gone.id}/verify`, {
      roleArn: `arn:aws:iam::${account.accountId}:role/TrustgateConsoleMissing`,
    });
    const customer = { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
    /** Creates a connection, applies its CloudFormation template as the customer; the role's ARN. */
    const applied = async (name: string, roleName: string, labels: Record<string, string>) => {
      const made = await env.api('POST', '/v1/connections', {
        name,
        scope: { kind: 'account', accountId: account.accountId },
        roleName,
        selection: { mode: 'default' },
        labels,
      });
      expect(made.status, made.text).toBe(201);
      const stack = await applyStack({
        endpoint: env.sandbox.endpoint,
        credentials: customer,
        stackName: `tg-${name}`,
        templateBody: made.body.deliverables.formats['cloudformation-json'],
      });
      expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
      return {
        id: made.body.connection.id as string,
        roleArn: stack.outputs.RoleArn,
        trust: made.body.deliverables.trustPolicy,
      };
    };
    const connect = async () => {
      const ok = await applied('prod-ok', 'TrustgateConsoleOk', { env: 'prod' });
      return env.api('POST', `/v1/connections/${ok.id}/verify`, { roleArn: ok.roleArn });
    };
    // The customer drops the external ID condition from the role's trust policy: anyone's trustgate could assume it.
    const loosen = async () => {
      const open = await applied('open-trust', 'TrustgateConsoleOpen', { env: 'dev' });
      const { Condition: _pinned, ...statement } = open.trust.Statement[0];
      const iam = new IAMClient({ endpoint: env.sandbox.endpoint, region: 'us-east-1', credentials: customer });
      await iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: 'TrustgateConsoleOpen',
          PolicyDocument: JSON.stringify({ ...open.trust, Statement: [statement] }),
        }),
      );
      return env.api('POST', `/v1/connections/${open.id}/verify`, { roleArn: open.roleArn });
    };
    const [verified, insecure] = await Promise.all([connect(), loosen()]);
    expect(verified.body.status, verified.text).toBe('connected');
    expect(insecure.body.status, insecure.text).toBe('insecure');
    const broken = await breaking;
    expect(broken.body.status, broken.text).toBe('broken');

    await create({
      name: 'team-a-pending',
      scope: { kind: 'account', accountId: account.accountId },
      spaceId,
      labels: { env: 'prod', team: 'a' },
    });
    await create({ name: 'dev-pending', scope: { kind: 'account', accountId: account.accountId } });
    page = await signedInPage(env, '/connections');
    await page.locator('table.connections').waitFor();
  }, 180_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('lists every connection with its status badge and reason, and charts them by status', async () => {
    expect((await rowNames()).sort()).toEqual([
      'dev-pending',
      'open-trust',
      'prod-ok',
      'staging-broken',
      'team-a-pending',
    ]);
    const row = (name: string) => page.locator(`tr[data-connection="${name}"]`);
    expect(await row('prod-ok').locator('.badge').textContent()).toBe('Connected');
    expect(await row('staging-broken').locator('.badge').textContent()).toBe('Broken');
    expect(await row('dev-pending').locator('.badge').textContent()).toBe('Pending');
    expect(await row('open-trust').locator('.badge').textContent()).toBe('Insecure');
    expect(await row('open-trust').locator('.status-reason').textContent()).toBe(
      "The role's trust policy does not require the external ID.",
    );
    // The reason the API gives is shown beside the badge.
    const reasons = await env.api('GET', '/v1/connections');
    const brokenReason = reasons.body.find((c: { name: string }) => c.name === 'staging-broken').statusReason;
    expect(brokenReason).not.toBe('');
    expect(await row('staging-broken').locator('.status-reason').textContent()).toBe(brokenReason);
    expect(await row('team-a-pending').locator('td').nth(2).textContent()).toBe('Team A');
    expect(await chartCount('pending')).toBe('2');
    expect(await chartCount('connected')).toBe('1');
    expect(await chartCount('broken')).toBe('1');
    expect(await chartCount('insecure')).toBe('1');
    expect(await chartCount('needs-update')).toBe('0');
    const label = await page.locator('figure.chart svg').getAttribute('aria-labelledby');
    expect(label).toBe('status-chart-caption status-chart-summary');
    expect(await page.locator('#status-chart-summary').textContent()).toBe(
      'Pending: 2, Connected: 1, Needs update: 0, Insecure: 1, Broken: 1',
    );
    await checkA11y(page, 'the connections list');
    await screenshot(page, 'connections-list');
  });

  it('filters by status, space and label through the API, keeping the filters in the URL', async () => {
    await page.getByLabel('Status', { exact: true }).selectOption('broken');
    await expect.poll(rowNames).toEqual(['staging-broken']);
    expect(new URL(page.url()).searchParams.get('status')).toBe('broken');
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByLabel('Space', { exact: true }).selectOption({ label: 'Team A' });
    await expect.poll(rowNames).toEqual(['team-a-pending']);
    expect(new URL(page.url()).searchParams.get('space')).toBe(spaceId);
    await page.getByLabel('Space', { exact: true }).selectOption('');
    await page.getByLabel('Label (key:value)').fill('env:prod');
    await page.getByLabel('Label (key:value)').press('Enter');
    await expect.poll(async () => (await rowNames()).sort()).toEqual(['prod-ok', 'team-a-pending']);
    // The chart counts every connection, whatever the filter.
    expect(await chartCount('pending')).toBe('2');
    await screenshot(page, 'connections-filtered');
    // A reload keeps the filter.
    await page.reload();
    await page.locator('table.connections').waitFor();
    await expect.poll(async () => (await rowNames()).sort()).toEqual(['prod-ok', 'team-a-pending']);
    expect(await page.getByLabel('Label (key:value)').inputValue()).toBe('env:prod');
  });

  it("shows the API's refusal of a malformed label beside the label field", async () => {
    await page.getByLabel('Label (key:value)').fill('no-colon');
    await page.getByLabel('Label (key:value)').press('Enter');
    const error = page.locator('#field-label-error');
    await error.waitFor();
    expect(await error.textContent()).toBe('A label filter is key:value.');
    expect(await page.getByLabel('Label (key:value)').getAttribute('aria-invalid')).toBe('true');
    await checkA11y(page, 'the connections list with a filter error');
  });
});
