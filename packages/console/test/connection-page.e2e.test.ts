import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreatePolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStack } from '../../server/test/service-harness.ts';
import { checkA11y, focused, screenshot, signedInPage, startConsoleEnv, type ConsoleEnv } from './browser-harness.ts';

/**
 * The connection page in a real browser, over a connection connected for real: its CloudFormation template applied
 * in the sandbox as the customer, verified with the role's ARN and the stack's ID. Its roles and last verification;
 * the customer cuts a policy down (CreatePolicyVersion), a re-verification from the page shows the side-by-side diff
 * and the update-stack link; the external ID rotated; sessions revoked; the audit trail; deletion confirmed by typing
 * the name, by keyboard alone (cancel and Escape keep it).
 */
describe('console: the connection page', { timeout: 120_000 }, () => {
  let env: ConsoleEnv;
  let page: Page;
  let connectionId: string;
  let roleArn: string;
  let accountId: string;
  let customer: { accessKeyId: string; secretAccessKey: string };
  let expected: { name: string; document: { Statement: { Action: string | string[] }[] } }[];
  const NAME = 'billing-prod';

  beforeAll(async () => {
    env = await startConsoleEnv();
    const account = env.sandbox.accounts[0];
    if (account === undefined) throw new Error(`serve printed no sandbox account:\n${env.served.output()}`);
    accountId = account.accountId;
    customer = { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey };
    const made = await env.api('POST', '/v1/connections', {
      name: NAME,
      scope: { kind: 'account', accountId },
      roleName: 'TgConsolePage',
      selection: { mode: 'custom', products: ['cost-inventory'] },
      labels: { env: 'prod' },
    });
    expect(made.status, made.text).toBe(201);
    connectionId = made.body.connection.id;
    expected = made.body.deliverables.permissionPolicies;
    const stack = await applyStack({
      endpoint: env.sandbox.endpoint,
      credentials: customer,
      stackName: 'tg-billing-prod',
      templateBody: made.body.deliverables.formats['cloudformation-json'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    roleArn = stack.outputs.RoleArn as string;
    const cfn = new CloudFormationClient({
      endpoint: env.sandbox.endpoint,
      region: 'us-east-1',
      credentials: customer,
    });
    const described = await cfn.send(new DescribeStacksCommand({ StackName: 'tg-billing-prod' }));
    const stackId = described.Stacks?.[0]?.StackId as string;
    const verified = await env.api('POST', `/v1/connections/${connectionId}/verify`, { roleArn, stackId });
    expect(verified.body.status, verified.text).toBe('connected');
    page = await signedInPage(env, '/connections');
    await page.locator(`tr[data-connection="${NAME}"] a`).click();
    await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('opens from the list and shows scope, selection, and each role with its last verification', async () => {
    expect(new URL(page.url()).pathname).toBe(`/connections/${connectionId}`);
    expect(await page.title()).toContain('Connection');
    expect(await page.getByTestId('scope').textContent()).toBe(`Account ${accountId}`);
    expect(await page.getByTestId('selection').textContent()).toContain('cost-inventory');
    const role = page.locator(`li.role[data-account="${accountId}"]`);
    expect(await role.locator('code').first().textContent()).toBe(roleArn);
    expect(await role.locator('.badge').textContent()).toBe('Connected');
    expect(await role.locator('time').getAttribute('datetime')).not.toBeNull();
    expect(await role.locator('.role-complete').textContent()).toContain('Permissions complete');
    const drift = page.locator(`.role-drift[data-account="${accountId}"]`);
    expect(await drift.locator('h3').textContent()).toBe(`Account ${accountId}: matches the template`);
    expect(await page.locator('table.policy-diff').count()).toBe(0);
    await checkA11y(page, 'the connection page');
    await screenshot(page, 'connection-page');
  });

  it('re-verifying after the customer cut a policy shows the side-by-side diff and the update-stack link', async () => {
    const first = expected[0]!;
    const actions = [first.document.Statement[0]!.Action].flat();
    expect(actions.length).toBeGreaterThan(1);
    const kept = actions[0]!;
    const cut = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [kept], Resource: '*' }] };
    const iam = new IAMClient({ endpoint: env.sandbox.endpoint, region: 'us-east-1', credentials: customer });
    await iam.send(
      new CreatePolicyVersionCommand({
        PolicyArn: `arn:aws:iam::${accountId}:policy/${first.name}`,
        PolicyDocument: JSON.stringify(cut),
        SetAsDefault: true,
      }),
    );
    await page.getByRole('button', { name: 'Re-verify now' }).click();
    await page.getByText('Verified: needs-update').waitFor();
    const role = page.locator(`li.role[data-account="${accountId}"]`);
    await expect.poll(() => role.locator('.badge').textContent()).toBe('Needs update');
    // The missing permissions per integration, as the verification found them.
    expect(await role.locator('.role-missing').textContent()).toContain(actions[1]!);
    const drift = page.locator(`.role-drift[data-account="${accountId}"]`);
    await expect.poll(() => drift.locator('h3').textContent()).toBe(`Account ${accountId}: drifted`);
    const table = drift.locator('table.policy-diff');
    expect(await table.count()).toBe(1);
    expect(await table.locator('caption').textContent()).toBe(`${first.name}: changed`);
    // Unchanged lines far from a change are folded: unfold them all to read both documents whole.
    const folds = table.getByRole('button', { name: /^Show \d+ unchanged lines$/ });
    while ((await folds.count()) > 0) await folds.first().click();
    // The actions the customer cut are on the expected side only; the one kept is on both sides.
    const only = (column: number) =>
      table
        .locator(`tbody td:nth-child(${column}).diff-only code`)
        .evaluateAll((cells) => cells.map((c) => c.textContent ?? ''));
    const left = (await only(1)).join('\n');
    for (const action of actions.slice(1)) expect(left).toContain(`"${action}"`);
    // The role's side is the cut document: the kept action, none of the cut ones.
    const right = (
      await table.locator('tbody td:nth-child(2) code').evaluateAll((cells) => cells.map((c) => c.textContent ?? ''))
    ).join('\n');
    expect(right).toContain(`"${kept}"`);
    for (const action of actions.slice(1)) expect(right).not.toContain(`"${action}"`);
    // Not by colour alone: screen readers hear which side a line is only on.
    expect(await table.locator('.visually-hidden', { hasText: 'Only expected' }).count()).toBeGreaterThan(0);
    const link = drift.getByRole('link', { name: `Update the CloudFormation stack in account ${accountId}` });
    const href = (await link.getAttribute('href')) ?? '';
    expect(href).toContain('cloudformation');
    expect(decodeURIComponent(href)).toContain('stack/tg-billing-prod/');
    await checkA11y(page, 'the connection page with drift');
    await screenshot(page, 'connection-page-drift');
  });

  it('rotates the external ID and revokes the sessions issued before now', async () => {
    const before = await page.getByTestId('external-id').textContent();
    await page.getByRole('button', { name: 'Rotate external ID' }).click();
    await page.getByText(/^New external ID /).waitFor();
    const after = await env.api('GET', `/v1/connections/${connectionId}`);
    expect(after.body.externalId).not.toBe(before);
    expect(after.body.previousExternalId).toBe(before);
    expect(await page.getByTestId('external-id').textContent()).toBe(after.body.externalId);
    expect(await page.getByText('Previous (still accepted)').count()).toBe(1);

    expect(await page.getByTestId('revoked-before').textContent()).toBe('never');
    await page.getByRole('button', { name: 'Revoke sessions issued before now' }).click();
    const remedy = page.locator('.revoke-remedy');
    await remedy.waitFor();
    expect(await remedy.locator('pre').textContent()).toContain('aws iam put-role-policy');
    const revoked = await env.api('GET', `/v1/connections/${connectionId}`);
    expect(revoked.body.sessionsRevokedBefore).not.toBeNull();
    await expect.poll(() => page.getByTestId('revoked-before').textContent()).not.toBe('never');
    await checkA11y(page, 'the connection page after rotation and revocation');
  });

  it("shows the API's refusal of a role ARN beside the Role ARN field", async () => {
    const bad = 'arn:aws:iam::not-an-account:role/Nope';
    const refused = await env.api('POST', `/v1/connections/${connectionId}/verify`, { roleArn: bad });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('roleArn');
    const field = page.getByLabel('Role ARN (only to verify another role)');
    await field.fill(bad);
    await page.getByRole('button', { name: 'Re-verify now' }).click();
    const error = page.locator('#field-roleArn-error');
    await error.waitFor();
    expect(await error.textContent()).toBe(refused.body.error.message);
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    await checkA11y(page, 'the connection page with a field error');
    // Nothing was verified: the role is the one connected before.
    const still = await env.api('GET', `/v1/connections/${connectionId}`);
    expect(still.body.roles.map((r: { roleArn: string }) => r.roleArn)).toEqual([roleArn]);
    await field.fill('');
  });

  it("shows the connection's audit trail, newest first", async () => {
    const trail = page.locator('section[aria-labelledby="trail-heading"] table.audit tbody tr');
    await expect
      .poll(() => trail.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action'))))
      .toEqual([
        'connection.revoke-sessions',
        'connection.rotate-external-id',
        'connection.verify',
        'connection.verify',
        'connection.create',
      ]);
    expect(await trail.first().locator('td').nth(2).textContent()).not.toBe('service');
  });

  it('deletes only once the name is typed, by keyboard alone; Cancel and Escape keep the connection', async () => {
    const opener = page.getByRole('button', { name: 'Delete connection…' });
    const dialog = page.getByRole('dialog', { name: `Delete ${NAME}?` });
    const confirm = dialog.getByRole('button', { name: 'Delete connection' });
    await opener.focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    // The dialog takes the focus to its name field; the delete button waits for the exact name.
    expect(await focused(page)).toBe('input#field-confirmName');
    expect(await confirm.isDisabled()).toBe(true);
    await page.keyboard.type(NAME.slice(0, -1));
    expect(await confirm.isDisabled()).toBe(true);
    await checkA11y(page, 'the delete dialog');
    await screenshot(page, 'connection-delete-dialog');
    // Escape closes it; the focus is back on the button that opened it, and nothing is deleted.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await focused(page)).toBe('button "Delete connection…"');
    expect((await env.api('GET', `/v1/connections/${connectionId}`)).status).toBe(200);
    // Cancel (reached with Tab) keeps it too, and the typed name is forgotten.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await page.locator('#field-confirmName').inputValue()).toBe('');
    await page.keyboard.type(NAME);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button "Cancel"');
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    expect((await env.api('GET', `/v1/connections/${connectionId}`)).status).toBe(200);
    // The name typed exactly, Tab past Cancel to the enabled delete button, Enter.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.type(NAME);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button "Delete connection"');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Connections' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/connections');
    expect((await env.api('GET', `/v1/connections/${connectionId}`)).status).toBe(404);
    // Its page now says so.
    await page.goto(`${env.url}/connections/${connectionId}`);
    await page.getByRole('heading', { level: 1, name: 'Connection not found' }).waitFor();
    await checkA11y(page, 'a deleted connection');
  });
});
