import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStack } from '../../server/test/service-harness.ts';
import { checkA11y, focused, screenshot, signedInPage, startConsoleEnv, type ConsoleEnv } from './browser-harness.ts';
import {
  SHOT_VIEWPORT,
  WIZARD,
  check,
  connectionNamed,
  openTab,
  stepShot,
  tabTo,
  verdict,
  type Customer,
} from './connect-wizard-tools.ts';

/**
 * The connect wizard's manual flow end to end in a real browser against `trustgate serve` and its AWS sandbox: a
 * custom selection (the preview follows), the deliverables (step 3: the AWS console steps filled in, the CloudFormation
 * template downloaded through the page and applied in the sandbox as the customer would), a role name typo (AWS
 * refuses AssumeRole: the checklist), the ARN and `connected` (step 4), access (step 5); axe on every step, a
 * screenshot of each step (test-artifacts/wizard-<n>-<step>.png; `UPDATE_WIZARD_SCREENSHOTS=1` also copies them
 * to docs/screenshots for the README), and the same flow with the keyboard alone.
 */

describe('connect wizard: the manual flow', { timeout: 180_000 }, () => {
  let env: ConsoleEnv;
  let customer: Customer;
  let colleague: { id: string; email: string; name: string };
  const creds = () => ({ accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey });

  beforeAll(async () => {
    env = await startConsoleEnv();
    const account = env.sandbox.accounts[0];
    if (account === undefined) throw new Error(`serve printed no sandbox account:\n${env.served.output()}`);
    customer = account;
    const made = await env.api('POST', '/v1/users', { email: 'ana@example.com', name: 'Ana Ops' });
    expect(made.status, made.text).toBe(201);
    colleague = made.body;
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('manual: custom selection, the template downloaded through the page and applied, a typo, the ARN, connected, access', async () => {
    const page = await signedInPage(env, '/connections');
    await page.setViewportSize(SHOT_VIEWPORT);
    await page.getByRole('link', { name: 'Connect an AWS account' }).click();
    await page.getByRole('heading', { name: 'Step 1: Connection details' }).waitFor();
    await page.getByLabel('Connection name').fill('Flow manual');
    await page.getByLabel('Role name').fill('TgFlowManual');
    await page.getByLabel('AWS account ID').fill(customer.accountId);
    await checkA11y(page, 'wizard step 1');
    await stepShot(page, 1, 'details');
    await page.getByRole('button', { name: 'Next' }).click();
    // A custom selection: unticking Cost Explorer takes its actions out of the live preview.
    await page.getByRole('radio', { name: /Customize/ }).check();
    const json = page.getByTestId('policy-json');
    await expect
      .poll(async () => (await json.textContent()) ?? '', { timeout: 10_000 })
      .toContain('ce:GetCostForecast');
    await page.getByRole('checkbox', { name: 'Cost Explorer' }).uncheck();
    await expect
      .poll(async () => (await json.textContent()) ?? '', { timeout: 10_000 })
      .not.toContain('ce:GetCostForecast');
    await page.locator('.policy-preview[aria-busy="false"]').waitFor();
    await checkA11y(page, 'wizard step 2 (custom selection)');
    await stepShot(page, 2, 'permissions');
    await page.getByRole('button', { name: 'Create connection' }).click();

    // Step 3: manual mode opens on the AWS console steps, filled in with this connection's values.
    await page.getByRole('heading', { name: 'Step 3: Create the role in AWS' }).waitFor();
    const created = await connectionNamed(env, 'Flow manual');
    const deliverables = (await env.api('GET', `/v1/connections/${created.id}/deliverables`)).body;
    const tabs = page.getByRole('tablist', { name: 'Deliverables' }).getByRole('tab');
    await tabs.first().waitFor();
    expect(await tabs.allTextContents()).toEqual([
      'AWS console steps',
      'CloudFormation (YAML)',
      'CloudFormation (JSON)',
      'Terraform',
      'CLI script',
      'StackSet (organizations)',
      'Quick-create link',
      'Permission policy',
      'Trust policy',
    ]);
    const steps = page.locator('.manual-steps');
    expect(await steps.textContent()).toContain(`account ${customer.accountId}`);
    expect(await steps.textContent()).toContain(created.externalId);
    expect(await steps.textContent()).toContain('TgFlowManual');
    expect(await steps.textContent()).toContain(deliverables.permissionPolicies[0].name);
    await checkA11y(page, 'wizard step 3 (manual: AWS console steps)');
    await stepShot(page, 3, 'deliverables');
    await openTab(page, 'Trust policy');
    expect(JSON.parse((await page.getByTestId('deliverable-trust-policy').textContent()) ?? '')).toEqual(
      deliverables.trustPolicy,
    );
    await openTab(page, 'CloudFormation (YAML)');
    expect(await page.getByTestId('deliverable-cloudformation-yaml').textContent()).toBe(
      deliverables.formats['cloudformation-yaml'],
    );
    // The template without Cost Explorer's actions, downloaded through the page.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the CloudFormation template (YAML)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('trustgate-flow-manual.yaml');
    const template = readFileSync(await download.path(), 'utf8');
    expect(template).toBe(deliverables.formats['cloudformation-yaml']);
    expect(template).not.toContain('ce:GetCostForecast');
    await checkA11y(page, 'wizard step 3 (CloudFormation tab)');
    const stack = await applyStack({
      endpoint: env.sandbox.endpoint,
      credentials: creds(),
      stackName: 'tg-flow-manual',
      templateBody: template,
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    await page.getByRole('button', { name: 'Next' }).click();

    // Step 4: the ARN is checked inline, then for real.
    await page.getByRole('heading', { name: 'Step 4: Connect' }).waitFor();
    const arn = page.getByLabel('Role ARN', { exact: true });
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.locator('#field-roleArn-error').textContent()).toMatch(/not connected yet: paste the role ARN/);
    await arn.fill(`arn:aws-cn:iam::${customer.accountId}:role/TgFlowManual`);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    expect(await page.locator('#field-roleArn-error').textContent()).toMatch(/partition aws, the ARN in aws-cn/);
    expect(await arn.getAttribute('aria-invalid')).toBe('true');
    await checkA11y(page, 'wizard step 4 with an ARN error');
    // A typo in the role name: AWS refuses AssumeRole, and the checklist that solves it is shown.
    await arn.fill(`arn:aws:iam::${customer.accountId}:role/TgFlowManaul`);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page.getByText(/^Verifying in AWS/).waitFor();
    expect(await verdict(page)).toMatch(/^Not connected \(broken\)/);
    expect(await check(page, 'assumed')).toBe('failed');
    expect(await check(page, 'external-id')).toBe('not-checked');
    const checklist = page.locator('.assume-checklist');
    expect(await checklist.locator('h3').textContent()).toMatch(/refused to let trustgate assume the role/);
    expect(await checklist.textContent()).toContain('They differ: fix the typo');
    expect(await checklist.textContent()).toContain(created.externalId);
    expect(await checklist.textContent()).toMatch(/Propagation delay/);
    expect(await checklist.textContent()).toMatch(/service control policy/);
    await checkA11y(page, 'wizard step 4 (AssumeRole refused)');
    await screenshot(page, 'connect-wizard-step-4-assume-role-refused');
    await arn.fill(stack.outputs.RoleArn ?? '');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    expect(await verdict(page)).toBe('Connected: trustgate can use the role.');
    for (const id of ['assumed', 'external-id', 'permissions']) expect(await check(page, id)).toBe('passed');
    expect((await connectionNamed(env, 'Flow manual')).status).toBe('connected');
    await checkA11y(page, 'wizard step 4 (connected)');
    await page.locator('#verify-result-heading').scrollIntoViewIfNeeded();
    await stepShot(page, 4, 'connect');
    await page.getByRole('button', { name: 'Next' }).click();

    // Step 5: the creator owns it; a colleague is added as a user, then made an editor.
    await page.getByRole('heading', { name: 'Step 5: Access' }).waitFor();
    await page.getByRole('table', { name: 'Who has access' }).waitFor();
    expect(await page.getByLabel('Access level of Demo admin (admin@demo.trustgate.local)').inputValue()).toBe('owner');
    await page.getByLabel('User', { exact: true }).selectOption({ label: 'Ana Ops (ana@example.com)' });
    await page.getByLabel('Connection access level').selectOption('user');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('Added Ana Ops (ana@example.com) as user.').waitFor();
    await page.getByLabel('Access level of Ana Ops (ana@example.com)').selectOption('editor');
    await page.getByText('Ana Ops (ana@example.com) is now editor.').waitFor();
    const access = await env.api('GET', `/v1/connections/${created.id}/access`);
    expect(access.body).toContainEqual({ userId: colleague.id, level: 'editor' });
    await checkA11y(page, 'wizard step 5');
    await stepShot(page, 5, 'access');
    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('heading', { name: 'Connection created' }).waitFor();
    expect(await page.locator('.wizard-step').textContent()).toContain('connected');
  });

  it('completes the manual flow with the keyboard alone', async () => {
    const page = await signedInPage(env, WIZARD);
    await page.getByRole('heading', { name: 'Step 1: Connection details' }).waitFor();
    await tabTo(page, /^input#field-name/);
    await page.keyboard.type('Flow keyboard');
    await tabTo(page, /^input#field-roleName/);
    await page.keyboard.press('End');
    await page.keyboard.type('Keys');
    await tabTo(page, /^input#field-scope-accountId/);
    await page.keyboard.type(customer.accountId);
    await tabTo(page, /^button "Next"/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Step 2: Permissions' }).waitFor();
    await page.locator('.policy-preview[aria-busy="false"]').waitFor();
    await tabTo(page, /^button "Create connection"/);
    await page.keyboard.press('Enter');

    // Step 3: into the tablist, the arrows move to the YAML tab, Tab reaches its download link.
    await page.getByRole('heading', { name: 'Step 3: Create the role in AWS' }).waitFor();
    await tabTo(page, /^button#deliverables-tab-console-steps/);
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toMatch(/^button#deliverables-tab-cloudformation-yaml/);
    expect(await page.getByRole('tab', { name: 'CloudFormation (YAML)' }).getAttribute('aria-selected')).toBe('true');
    await tabTo(page, /^a "Download the CloudFormation template/);
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
    const stack = await applyStack({
      endpoint: env.sandbox.endpoint,
      credentials: creds(),
      stackName: 'tg-flow-keyboard',
      templateBody: readFileSync(await download.path(), 'utf8'),
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    await tabTo(page, /^button "Next"/);
    await page.keyboard.press('Enter');

    // Step 4: type the ARN, Enter connects.
    await page.getByRole('heading', { name: 'Step 4: Connect' }).waitFor();
    await tabTo(page, /^input#field-roleArn/);
    await page.keyboard.type(stack.outputs.RoleArn ?? '');
    await page.keyboard.press('Enter');
    expect(await verdict(page)).toBe('Connected: trustgate can use the role.');
    await tabTo(page, /^button "Next"/);
    await page.keyboard.press('Enter');

    // Step 5: a colleague added as a viewer, then Done.
    await page.getByRole('heading', { name: 'Step 5: Access' }).waitFor();
    await page.getByRole('table', { name: 'Who has access' }).waitFor();
    await tabTo(page, /^select#field-level/);
    await page.keyboard.press('ArrowDown');
    expect(await page.getByLabel('Connection access level').inputValue()).toBe('viewer');
    await tabTo(page, /^button "Add user"/);
    await page.keyboard.press('Enter');
    await page.getByText('Added Ana Ops (ana@example.com) as viewer.').waitFor();
    await tabTo(page, /^button "Done"/);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Connection created' }).waitFor();
    const made = await connectionNamed(env, 'Flow keyboard');
    expect(made.status).toBe('connected');
    expect((await env.api('GET', `/v1/connections/${made.id}/access`)).body).toContainEqual({
      userId: colleague.id,
      level: 'viewer',
    });
  });
});
