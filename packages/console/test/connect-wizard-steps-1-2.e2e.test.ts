import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { checkA11y, focused, screenshot, signedInPage, startConsoleEnv, type ConsoleEnv } from './browser-harness.ts';

/**
 * The connect wizard's first two steps in a real browser against `trustgate serve` (the AWS sandbox in-process):
 * details with inline validation, the permission tree whose ticks update the live preview (compared with the API's
 * own preview and with the created connection's policies), GovCloud with a custom selection, a typo'd extra action's
 * did-you-mean, axe-core on each step, keyboard-only completion, and a screenshot of each step.
 */

const WIZARD = '/connections/new';
/** An account of the scope that need not exist yet (nothing is verified in steps 1-2). */
const SECOND_ACCOUNT = '333333333333';

/** Waits until step 2 created the connection: the next step (or, without one, the wizard's end) is shown. */
async function waitForCreated(page: Page): Promise<void> {
  await page.getByRole('heading', { name: /^Step 3: |^Connection created$/ }).waitFor();
}

/** Waits until the preview's JSON satisfies `test` (it updates a moment after each change). */
async function waitForPreview(page: Page, test: (json: string) => boolean): Promise<string> {
  const json = page.getByTestId('policy-json');
  await expect.poll(async () => test((await json.textContent()) ?? ''), { timeout: 10_000 }).toBe(true);
  await page.locator('.policy-preview[aria-busy="false"]').waitFor();
  return (await json.textContent()) ?? '';
}

async function fillDetails(page: Page, values: { name: string; account: string }): Promise<void> {
  await page.getByLabel('Connection name').fill(values.name);
  await page.getByLabel('AWS account ID').fill(values.account);
}

/**
 * Ticks (`on`) or clears a product's checkbox. A product with some integrations ticked is "mixed"; a click on it
 * ticks them all, the next clears them (the tri-state checkbox's cycle), so it is clicked until it shows `on`.
 */
async function setProduct(page: Page, name: string, on: boolean): Promise<void> {
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

/** The focused element as `tag#id[name=value]` plus its accessible text (D's `focused`, with a radio's value). */
async function focus(page: Page): Promise<string> {
  const value = await page.evaluate(() => {
    const el = document.activeElement;
    return el instanceof HTMLInputElement && el.type === 'radio' ? `[${el.name}=${el.value}]` : '';
  });
  return `${await focused(page)}${value}`;
}

/** Presses Tab (up to 80 times) until the focused element's description matches. */
async function tabTo(page: Page, match: RegExp): Promise<void> {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (match.test(await focus(page))) return;
  }
  throw new Error(`Tab never reached ${match}; focus is on ${await focus(page)}`);
}

describe('connect wizard, steps 1 and 2', { timeout: 120_000 }, () => {
  let env: ConsoleEnv;
  let customer: string;
  beforeAll(async () => {
    env = await startConsoleEnv();
    customer = env.sandbox.accounts[1]?.accountId ?? '';
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('checks step 1 inline, then ticks in the tree update the live preview, which is what the connection gets', async () => {
    const page = await signedInPage(env, WIZARD);
    await page.getByRole('heading', { name: 'Step 1: Connection details' }).waitFor();
    const progress = page.getByRole('navigation', { name: 'Wizard progress' });
    expect(await progress.locator('[aria-current="step"]').textContent()).toMatch(
      /Step 1 of \d, current: Connection details/,
    );
    await checkA11y(page, 'wizard step 1');
    await screenshot(page, 'connect-wizard-step-1');

    // Nothing filled in: the errors are beside their fields and the first invalid one has the focus.
    await page.getByRole('radio', { name: 'Several accounts' }).check();
    await page.getByRole('button', { name: 'Add another account' }).click();
    await page.getByLabel('AWS account ID 1').fill(customer);
    await page.getByLabel('AWS account ID 2').fill('12345');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('#field-name-error').waitFor();
    expect(await page.locator('#field-name-error').textContent()).toBe('Name the connection.');
    expect(await page.getByLabel('Connection name').evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await page.locator('#field-scope-accountIds-1--error').textContent()).toBe(
      'An AWS account ID is 12 digits.',
    );
    expect(await page.getByLabel('AWS account ID 2').getAttribute('aria-invalid')).toBe('true');
    await checkA11y(page, 'wizard step 1 with errors');
    await screenshot(page, 'connect-wizard-step-1-errors');
    await page.getByRole('button', { name: 'Remove account 2' }).click();
    await page.getByRole('radio', { name: 'One account' }).check();
    await fillDetails(page, { name: 'Wizard custom', account: customer });
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Step 2: Permissions' }).waitFor();
    expect(await focused(page)).toMatch(/^h2#wizard-step-heading/);
    await waitForPreview(page, (json) => json.includes('ec2:RequestSpotFleet'));
    await page.getByRole('radio', { name: /Customize/ }).check();
    const compute = page.getByRole('checkbox', { name: 'Elastic compute' });
    await compute.waitFor();
    // Customizing starts from the defaults: Spot Fleet ticked, the IAM console variant not.
    expect(await page.getByRole('checkbox', { name: 'Spot Fleet', exact: true }).isChecked()).toBe(true);
    expect(await compute.evaluate((el) => (el as HTMLInputElement).indeterminate)).toBe(true);
    await setProduct(page, 'Elastic compute', false);
    await waitForPreview(page, (json) => !json.includes('ec2:RequestSpotFleet') && json.includes('ce:GetCostAndUsage'));
    await page.getByRole('checkbox', { name: 'Savings Plans and pricing' }).check();
    await page.getByRole('checkbox', { name: 'Cost Explorer' }).uncheck();
    const json = await waitForPreview(
      page,
      (text) => text.includes('savingsplans:DescribeSavingsPlans') && !text.includes('ce:GetCostForecast'),
    );
    // An integration opens to its actions.
    await page.getByRole('button', { name: /Show 7 actions of Savings Plans/ }).click();
    await page.locator('#integration-savings-plans-actions').getByText('pricing:GetProducts').waitFor();

    // The preview is the API's own, and the meters count it.
    const ticked = [
      'inventory',
      'savings-plans',
      'state-backend',
      'plan',
      'installer-network',
      'installer-instances',
      'installer-iam',
    ];
    const api = await env.api('POST', '/v1/policy-preview', {
      scope: { kind: 'account', accountId: customer },
      selection: { mode: 'custom', integrations: ticked },
    });
    expect(api.status).toBe(200);
    expect(JSON.parse(json)).toEqual(
      api.body.documents.map((d: { name: string; document: unknown }) => ({
        PolicyName: d.name,
        PolicyDocument: d.document,
      })),
    );
    expect(await page.getByText(/^[\d,]+ of [\d,]+ \(6,144 per policy/).textContent()).toContain(
      `${api.body.limits.characters.toLocaleString('en-US')} of ${api.body.limits.maxCharacters.toLocaleString('en-US')}`,
    );
    expect(await page.getByText(/a role may have attached/).textContent()).toMatch(
      new RegExp(`^${api.body.limits.managedPolicies} of 10 `),
    );
    await checkA11y(page, 'wizard step 2 (custom selection)');
    await screenshot(page, 'connect-wizard-step-2');

    await page.getByRole('button', { name: 'Create connection' }).click();
    await waitForCreated(page);
    const list = await env.api('GET', '/v1/connections');
    const created = list.body.find((c: { name: string }) => c.name === 'Wizard custom');
    expect(created.selection).toEqual({ mode: 'custom', integrations: ticked });
    const deliverables = await env.api('GET', `/v1/connections/${created.id}/deliverables`);
    expect(deliverables.body.permissionPolicies).toEqual(
      (JSON.parse(json) as { PolicyName: string; PolicyDocument: unknown }[]).map((d) => ({
        name: d.PolicyName,
        document: d.PolicyDocument,
      })),
    );
  });

  it('customizes a GovCloud connection: what GovCloud lacks cannot be ticked, ARNs are aws-us-gov', async () => {
    const page = await signedInPage(env, WIZARD);
    await fillDetails(page, { name: 'Wizard GovCloud', account: customer });
    await page.getByLabel('Partition').selectOption('aws-us-gov');
    await page.getByLabel('Region (optional)').fill('us-gov-west-1');
    // The sandbox's platform identity is commercial only: a GovCloud role trusts trustgate's OIDC issuer.
    await page.getByRole('radio', { name: /OIDC/ }).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('radio', { name: /Customize/ }).check();
    const costExplorer = page.getByRole('checkbox', { name: 'Cost Explorer' });
    await costExplorer.waitFor();
    expect(await costExplorer.isDisabled()).toBe(true);
    expect(await page.locator('#integration-cost-explorer-about').textContent()).toMatch(
      /Not offered in AWS GovCloud \(US\)/,
    );
    await setProduct(page, 'Elastic compute', false);
    await setProduct(page, 'Infrastructure-as-code runner', false);
    await setProduct(page, 'Platform installer', false);
    await setProduct(page, 'Cost and inventory (read-only)', true);
    const json = await waitForPreview(
      page,
      (text) =>
        text.includes('ec2:DescribeRegions') && !text.includes('ec2:RunInstances') && text.includes('arn:aws-us-gov:'),
    );
    expect(json).not.toContain('arn:aws:');
    await page.getByText('arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess').waitFor();
    await checkA11y(page, 'wizard step 2 (GovCloud)');
    await screenshot(page, 'connect-wizard-step-2-govcloud');

    // This demo service serves the commercial partition only: creating is refused naming the partition, and the
    // wizard goes back to step 1 with the message beside that field (the server's tests create GovCloud connections
    // from the same settings and compare them with the preview).
    await page.getByRole('button', { name: 'Create connection' }).click();
    await page.getByRole('heading', { name: 'Step 1: Connection details' }).waitFor();
    const partitionError = page.locator('#field-partition-error');
    await partitionError.waitFor();
    expect(await partitionError.textContent()).toMatch(/does not serve partition aws-us-gov/);
    expect(await page.getByLabel('Partition').getAttribute('aria-invalid')).toBe('true');
    expect(await focused(page)).toMatch(/^select#field-partition/);
    await checkA11y(page, 'wizard step 1 with the API refusing the partition');
    await screenshot(page, 'connect-wizard-step-1-partition-refused');
    // Back on the commercial partition the same custom selection goes through.
    await page.getByLabel('Partition').selectOption('aws');
    await page.getByLabel('Region (optional)').fill('');
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.getByRole('checkbox', { name: 'Cost Explorer' }).isDisabled()).toBe(false);
    const commercial = await waitForPreview(
      page,
      (text) => text.includes('arn:aws:') && !text.includes('arn:aws-us-gov:'),
    );
    await page.getByRole('button', { name: 'Create connection' }).click();
    await waitForCreated(page);
    const created = (await env.api('GET', '/v1/connections')).body.find(
      (c: { name: string }) => c.name === 'Wizard GovCloud',
    );
    expect(created).toMatchObject({
      partition: 'aws',
      trust: { kind: 'oidc' },
      selection: { mode: 'custom', integrations: ['inventory', 'view-only-console'] },
    });
    const deliverables = await env.api('GET', `/v1/connections/${created.id}/deliverables`);
    expect(deliverables.body.permissionPolicies).toEqual(
      (JSON.parse(commercial) as { PolicyName: string; PolicyDocument: unknown }[]).map((d) => ({
        name: d.PolicyName,
        document: d.PolicyDocument,
      })),
    );
  });

  it("completes an action from AWS's list, and a typo'd extra action gets a did-you-mean that fixes it", async () => {
    const page = await signedInPage(env, WIZARD);
    await fillDetails(page, { name: 'Wizard typo', account: customer });
    await page.getByRole('button', { name: 'Next' }).click();
    const input = page.getByRole('combobox', { name: 'Action to add' });
    await input.fill('s3:GetObjectAc');
    await page.getByRole('option', { name: 's3:GetObjectAcl' }).waitFor();
    await input.press('ArrowDown');
    expect(await page.getByRole('option', { name: 's3:GetObjectAcl' }).getAttribute('aria-selected')).toBe('true');
    await input.press('Enter');
    await page.getByRole('list', { name: 'Extra actions added' }).getByText('s3:GetObjectAcl').waitFor();
    await waitForPreview(page, (json) => json.includes('"s3:GetObjectAcl"'));

    // While typing: no AWS action starts so.
    await input.fill('s3:GetObjcet');
    await page.getByText(/No AWS action starts with/).waitFor();
    expect(await page.locator('.did-you-mean').textContent()).toMatch(/Did you mean s3:GetObject/);
    await page.getByRole('button', { name: 'Add action' }).click();
    // Added anyway: the preview refuses it, and the suggestion sits beside it.
    const refusal = page.getByRole('list', { name: 'Extra actions added' }).getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/s3:GetObjcet is not an AWS action\. Did you mean s3:GetObject/);
    await checkA11y(page, 'wizard step 2 with a refused extra action');
    await screenshot(page, 'connect-wizard-step-2-did-you-mean');
    await page.getByRole('button', { name: 'Replace s3:GetObjcet with s3:GetObject', exact: true }).click();
    await waitForPreview(page, (json) => json.includes('"s3:GetObject"'));
    expect(await refusal.count()).toBe(0);
  });

  it('scopes an AWS Organization with its units, and a refused managed policy is marked beside its field', async () => {
    const page = await signedInPage(env, WIZARD);
    await page.getByLabel('Connection name').fill('Wizard organization');
    await page.getByRole('radio', { name: /An AWS Organization/ }).check();
    await page.getByLabel('AWS Organization ID').fill('o-abc');
    await page.getByLabel('Organizational units (optional)').fill('ou-ab12-cdef3456, ou-nope');
    await page.getByRole('button', { name: 'Next' }).click();
    expect(await page.locator('#field-scope-organizationId-error').textContent()).toMatch(/looks like o-abcd123456/);
    expect(await page.locator('#field-scope-organizationalUnitIds-error').textContent()).toMatch(
      /^ou-nope is not an organizational unit ID/,
    );
    await page.getByLabel('AWS Organization ID').fill('o-abcd123456');
    await page.getByLabel('Organizational units (optional)').fill('ou-ab12-cdef3456, r-ab12');
    await page.getByRole('button', { name: 'Next' }).click();

    const policy = page.getByRole('textbox', { name: 'AWS managed policy to attach' });
    await policy.fill('Read Only Access');
    await policy.press('Enter');
    const refused = page.locator('#managed-policy-error');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/"Read Only Access" is not an AWS managed policy name/);
    expect(await page.locator('.policy-preview').textContent()).toMatch(/Fix the AWS managed policy marked beside it/);
    await page.getByRole('button', { name: 'Remove Read Only Access' }).click();
    await policy.fill('job-function/ViewOnlyAccess');
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.getByText('arn:aws:iam::aws:policy/job-function/ViewOnlyAccess').waitFor();
    // An organization's role may describe its organization (verification proves membership that way).
    await waitForPreview(page, (json) => json.includes('organizations:DescribeOrganization'));
    await page.getByRole('button', { name: 'Create connection' }).click();
    await waitForCreated(page);
    const created = (await env.api('GET', '/v1/connections')).body.find(
      (c: { name: string }) => c.name === 'Wizard organization',
    );
    expect(created).toMatchObject({
      scope: {
        kind: 'organization',
        organizationId: 'o-abcd123456',
        organizationalUnitIds: ['ou-ab12-cdef3456', 'r-ab12'],
      },
      managedPolicies: ['job-function/ViewOnlyAccess'],
      selection: { mode: 'default' },
    });

    // Back after creating: a change updates that connection (no second one); what a role is created with cannot change.
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('heading', { name: 'Step 2: Permissions' }).waitFor();
    await page.getByRole('button', { name: 'Remove job-function/ViewOnlyAccess' }).click();
    await page.getByRole('button', { name: 'Create connection' }).click();
    await waitForCreated(page);
    const mine = (await env.api('GET', '/v1/connections')).body.filter(
      (c: { name: string }) => c.name === 'Wizard organization',
    );
    expect(mine.map((c: { id: string; managedPolicies: string[] }) => [c.id, c.managedPolicies])).toEqual([
      [created.id, []],
    ]);
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByLabel('Role name').fill('AnotherRole');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create connection' }).click();
    const roleError = page.locator('#field-roleName-error');
    await roleError.waitFor();
    expect(await roleError.textContent()).toMatch(/created already and its role name cannot change/);
    expect(await focused(page)).toMatch(/^input#field-roleName/);
  });

  it('completes steps 1 and 2 with the keyboard alone', async () => {
    const page = await signedInPage(env, WIZARD);
    await page.getByRole('heading', { name: 'Step 1: Connection details' }).waitFor();
    await tabTo(page, /^input#field-name/);
    await page.keyboard.type('Wizard keyboard');
    await tabTo(page, /^input#field-roleName/);
    await page.keyboard.press('End');
    await page.keyboard.type('Keys');
    // The scope's radio group: arrows move the choice.
    await tabTo(page, /\[scope=account\]$/);
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: 'Several accounts' }).isChecked()).toBe(true);
    await tabTo(page, /^input#field-scope-accountIds-0-/);
    await page.keyboard.type(customer);
    await tabTo(page, /^button "Add another account"/);
    await page.keyboard.press('Enter');
    await tabTo(page, /^input#field-scope-accountIds-1-/);
    await page.keyboard.type(SECOND_ACCOUNT);
    await tabTo(page, /^button "Add a label"/);
    await page.keyboard.press('Enter');
    await tabTo(page, /^input#field-labelKey-0-/);
    await page.keyboard.type('env');
    await page.keyboard.press('Tab');
    await page.keyboard.type('prod');
    await tabTo(page, /^button "Next"/);
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: 'Step 2: Permissions' }).waitFor();
    expect(await focused(page)).toMatch(/^h2#wizard-step-heading/);
    await tabTo(page, /\[selectionMode=default\]$/);
    await page.keyboard.press('ArrowDown');
    expect(await page.getByRole('radio', { name: /Customize/ }).isChecked()).toBe(true);
    await waitForPreview(page, (json) => json.includes('ec2:CreateVpc'));
    // The installer's product is mixed (its DNS integration is not a default): Space ticks all, Space again clears.
    await tabTo(page, /^input#product-platform-installer/);
    await page.keyboard.press('Space');
    expect(await page.getByRole('checkbox', { name: 'Route 53 records' }).isChecked()).toBe(true);
    await page.keyboard.press('Space');
    await waitForPreview(page, (json) => !json.includes('ec2:CreateVpc'));
    await tabTo(page, /^input#integration-savings-plans/);
    await page.keyboard.press('Space');
    await waitForPreview(page, (json) => json.includes('savingsplans:DescribeSavingsPlans'));
    await tabTo(page, /^input#extra-action-input/);
    await page.keyboard.type('ec2:DescribeSpotPriceH');
    await page.getByRole('option', { name: 'ec2:DescribeSpotPriceHistory' }).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitForPreview(page, (json) => json.includes('ec2:DescribeSpotPriceHistory'));
    await tabTo(page, /^button "Create connection"/);
    await page.keyboard.press('Enter');
    await waitForCreated(page);
    const created = (await env.api('GET', '/v1/connections')).body.find(
      (c: { name: string }) => c.name === 'Wizard keyboard',
    );
    expect(created).toMatchObject({
      roleName: 'TrustgateAccessKeys',
      scope: { kind: 'accounts', accountIds: [customer, SECOND_ACCOUNT] },
      labels: { env: 'prod' },
      extraActions: ['ec2:DescribeSpotPriceHistory'],
    });
    expect(created.selection.integrations).toContain('savings-plans');
    expect(created.selection.integrations).not.toContain('installer-network');
  });
});
