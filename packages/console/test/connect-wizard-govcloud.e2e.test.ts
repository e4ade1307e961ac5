import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServe, stopServe, type Served } from '../../cli/test/run-serve.ts';
import { createPlatformUser } from '../../server/src/aws/create-platform-user.ts';
import { applyStack } from '../../server/test/service-harness.ts';
import { checkA11y, ensureConsoleBuilt, launchBrowser, screenshot, signIn } from './browser-harness.ts';
import { WIZARD, check, openTab, setProduct, verdict } from './connect-wizard-tools.ts';

/**
 * A GovCloud connection with a custom selection, connected through the wizard. The demo `trustgate serve` serves the
 * commercial partition only, so this file runs serve as an operator would for GovCloud (`--aws default`, a
 * configuration naming `aws.partitions.aws-us-gov` with a profile of the platform identity and an endpoint) against a
 * GovCloud sandbox: the preview's ARNs are aws-us-gov, what GovCloud lacks cannot be ticked, the CloudFormation
 * template is applied in the GovCloud sandbox, and the pasted arn:aws-us-gov role turns connected.
 */

describe('connect wizard: GovCloud with a custom selection', { timeout: 180_000 }, () => {
  let govcloud: Sandbox;
  let served: Served;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    const [, sandbox] = await Promise.all([
      ensureConsoleBuilt(),
      startSandbox({ accounts: 2, partition: 'aws-us-gov' }),
    ]);
    govcloud = sandbox;
    const admin = govcloud.accounts[0];
    if (admin === undefined) throw new Error('the GovCloud sandbox has no accounts');
    const platform = await createPlatformUser({
      endpoint: govcloud.endpoint,
      region: govcloud.region,
      adminCredentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    });
    dir = mkdtempSync(join(tmpdir(), 'tg-console-gov-'));
    writeFileSync(
      join(dir, 'credentials'),
      `[gov]\naws_access_key_id = ${platform.credentials.accessKeyId}\naws_secret_access_key = ${platform.credentials.secretAccessKey}\n`,
      { mode: 0o600 },
    );
    writeFileSync(join(dir, 'aws-config'), '');
    writeFileSync(
      join(dir, 'trustgate.yaml'),
      [
        'aws:',
        '  mode: default',
        '  partitions:',
        '    aws-us-gov:',
        '      profile: gov',
        `      region: ${govcloud.region}`,
        `      endpoint: ${govcloud.endpoint}`,
        '',
      ].join('\n'),
    );
    [served, browser] = await Promise.all([
      runServe(['--db', join(dir, 'trustgate.db'), '--config', join(dir, 'trustgate.yaml')], {
        AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
        AWS_CONFIG_FILE: join(dir, 'aws-config'),
      }),
      launchBrowser(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (served !== undefined) await stopServe(served);
    await govcloud?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(new URL(WIZARD, served.url).href);
    await signIn(page, served.token);
    return page;
  };

  it('customizes and connects a GovCloud role: aws-us-gov ARNs, what GovCloud lacks cannot be ticked, connected', async () => {
    const customer = govcloud.accounts[1];
    if (customer === undefined) throw new Error('the GovCloud sandbox has no customer account');
    const page = await newPage();
    await page.getByRole('heading', { name: 'Step 1: Connection details' }).waitFor();
    await page.getByLabel('Connection name').fill('Flow GovCloud');
    await page.getByLabel('Role name').fill('TgFlowGov');
    await page.getByLabel('AWS account ID').fill(customer.accountId);
    await page.getByLabel('Partition').selectOption('aws-us-gov');
    await page.getByLabel('Region (optional)').fill(govcloud.region);
    await page.getByRole('button', { name: 'Next' }).click();

    // A custom selection: Cost Explorer is not offered in GovCloud; the inventory reads without compute's writes.
    await page.getByRole('radio', { name: /Customize/ }).check();
    const costExplorer = page.getByRole('checkbox', { name: 'Cost Explorer' });
    await costExplorer.waitFor();
    expect(await costExplorer.isDisabled()).toBe(true);
    for (const product of ['Elastic compute', 'Infrastructure-as-code runner', 'Platform installer'])
      await setProduct(page, product, false);
    await setProduct(page, 'Cost and inventory (read-only)', true);
    const json = page.getByTestId('policy-json');
    await expect
      .poll(
        async () => {
          const text = (await json.textContent()) ?? '';
          return text.includes('ec2:DescribeRegions') && !text.includes('ec2:RunInstances');
        },
        { timeout: 10_000 },
      )
      .toBe(true);
    await page.locator('.policy-preview[aria-busy="false"]').waitFor();
    expect(await json.textContent()).toContain('arn:aws-us-gov:');
    expect(await json.textContent()).not.toContain('arn:aws:');
    await checkA11y(page, 'wizard step 2 (GovCloud, custom)');
    await page.getByRole('button', { name: 'Create connection' }).click();

    // Step 3: the GovCloud console and the template, applied in the GovCloud sandbox as the customer would.
    await page.getByRole('heading', { name: 'Step 3: Create the role in AWS' }).waitFor();
    expect(await page.getByRole('link', { name: 'IAM (opens a new tab)' }).getAttribute('href')).toBe(
      'https://console.amazonaws-us-gov.com/iam/home',
    );
    await openTab(page, 'Trust policy');
    expect(await page.getByTestId('deliverable-trust-policy').textContent()).toContain(
      `arn:aws-us-gov:iam::${platformAccount(govcloud)}:root`,
    );
    await openTab(page, 'CloudFormation (YAML)');
    const template = (await page.getByTestId('deliverable-cloudformation-yaml').textContent()) ?? '';
    expect(template).not.toContain('ec2:RunInstances');
    await checkA11y(page, 'wizard step 3 (GovCloud)');
    const stack = await applyStack({
      endpoint: govcloud.endpoint,
      region: govcloud.region,
      credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
      stackName: 'tg-flow-gov',
      templateBody: template,
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    expect(stack.outputs.RoleArn).toBe(`arn:aws-us-gov:iam::${customer.accountId}:role/TgFlowGov`);
    await page.getByRole('button', { name: 'Next' }).click();

    // Step 4: a commercial ARN is refused inline; the GovCloud one connects.
    const arn = page.getByLabel('Role ARN', { exact: true });
    await arn.fill(`arn:aws:iam::${customer.accountId}:role/TgFlowGov`);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    expect(await page.locator('#field-roleArn-error').textContent()).toMatch(/partition aws-us-gov, the ARN in aws/);
    await arn.fill(stack.outputs.RoleArn ?? '');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    expect(await verdict(page)).toBe('Connected: trustgate can use the role.');
    for (const id of ['assumed', 'external-id', 'permissions']) expect(await check(page, id)).toBe('passed');
    await checkA11y(page, 'wizard step 4 (GovCloud connected)');
    await screenshot(page, 'connect-wizard-step-4-govcloud');
  });
});

/** The platform's account in a sandbox: the first (createPlatformUser made the platform user there). */
function platformAccount(sandbox: Sandbox): string {
  return sandbox.accounts[0]?.accountId ?? '';
}
