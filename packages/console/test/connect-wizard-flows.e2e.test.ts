import { readFileSync } from 'node:fs';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStack } from '../../server/test/service-harness.ts';
import { checkA11y, screenshot, signedInPage, startConsoleEnv, type ConsoleEnv } from './browser-harness.ts';
import {
  WIZARD,
  check,
  connectionNamed,
  openTab,
  throughStep2,
  verdict,
  type Customer,
} from './connect-wizard-tools.ts';

/**
 * The connect wizard's other flows in a real browser against `trustgate serve` and its AWS sandbox: the automatic
 * flow (the quick-create link's stack applied in the sandbox, the page turns connected by itself), an insecure role,
 * a role missing permissions (which, per integration), an OIDC connection (with every deliverable tab, Copy and Download); axe on each step shown.
 */

describe('connect wizard: automatic, insecure, missing permissions, OIDC', { timeout: 180_000 }, () => {
  let env: ConsoleEnv;
  let customer: Customer;
  const creds = () => ({ accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey });

  beforeAll(async () => {
    env = await startConsoleEnv();
    const account = env.sandbox.accounts[0];
    if (account === undefined) throw new Error(`serve printed no sandbox account:\n${env.served.output()}`);
    customer = account;
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  it('automatic: the quick-create stack applied in the sandbox, the page turns connected by itself', async () => {
    const page = await signedInPage(env, WIZARD);
    await throughStep2(page, {
      name: 'Flow automatic',
      account: customer.accountId,
      roleName: 'TgFlowAuto',
      automatic: true,
    });
    const tabs = page.getByRole('tablist', { name: 'Deliverables' }).getByRole('tab');
    expect(await tabs.first().textContent()).toBe('Quick-create link');
    expect(await tabs.first().getAttribute('aria-selected')).toBe('true');
    const href = (await page.getByTestId('quick-create-link').getAttribute('href')) ?? '';
    await checkA11y(page, 'wizard step 3 (automatic: quick-create)');
    await screenshot(page, 'connect-wizard-step-3-automatic');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Step 4: Connect' }).waitFor();
    expect(await page.locator('.stack-wait').textContent()).toMatch(/^Waiting for the stack/);
    await checkA11y(page, 'wizard step 4 (waiting for the stack)');
    await screenshot(page, 'connect-wizard-step-4-waiting');

    // What the customer's browser does with the link: CloudFormation loads the template and creates the stack.
    const link = new URL(href);
    const query = new URLSearchParams(link.hash.slice(link.hash.indexOf('?') + 1));
    const templateUrl = (query.get('templateURL') ?? '').replace(/^https:/, 'http:');
    const templateBody = await (await fetch(templateUrl)).text();
    const parameters = Object.fromEntries(
      [...query].filter(([k]) => k.startsWith('param_')).map(([k, v]) => [k.slice('param_'.length), v]),
    );
    expect(parameters).toMatchObject({ RoleName: 'TgFlowAuto' });
    const stack = await applyStack({
      endpoint: env.sandbox.endpoint,
      credentials: creds(),
      stackName: query.get('stackName') ?? 'tg-flow-auto',
      templateBody,
      parameters,
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    // Nothing pressed: the page reads the connection until the stack's callback verified it.
    expect(await verdict(page)).toBe('Connected: trustgate can use the role.');
    expect(await page.locator('.stack-wait').textContent()).toMatch(/^The stack reported back/);
    await screenshot(page, 'connect-wizard-step-4-automatic-connected');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Step 5: Access' }).waitFor();
  });

  it('an insecure role shows insecure with the fix; a role missing permissions shows which, per integration', async () => {
    const iam = new IAMClient({ endpoint: env.sandbox.endpoint, region: 'us-east-1', credentials: creds() });
    // Insecure: the trust policy without the external ID condition.
    const page = await signedInPage(env, WIZARD);
    await throughStep2(page, { name: 'Flow insecure', account: customer.accountId, roleName: 'TgFlowOpen' });
    const open = await connectionNamed(env, 'Flow insecure');
    const openDeliverables = (await env.api('GET', `/v1/connections/${open.id}/deliverables`)).body;
    const { Condition: _dropped, ...statement } = openDeliverables.trustPolicy.Statement[0];
    await iam.send(
      new CreateRoleCommand({
        RoleName: 'TgFlowOpen',
        AssumeRolePolicyDocument: JSON.stringify({ ...openDeliverables.trustPolicy, Statement: [statement] }),
      }),
    );
    for (const p of openDeliverables.permissionPolicies)
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'TgFlowOpen',
          PolicyName: p.name,
          PolicyDocument: JSON.stringify(p.document),
        }),
      );
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Role ARN', { exact: true }).fill(`arn:aws:iam::${customer.accountId}:role/TgFlowOpen`);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    expect(await verdict(page)).toMatch(/^Not connected \(insecure\)/);
    expect(await check(page, 'assumed')).toBe('passed');
    expect(await check(page, 'external-id')).toBe('failed');
    const fix = page.locator('.role-verification .fix');
    expect(await fix.textContent()).toContain('sts:ExternalId');
    expect(await fix.textContent()).toContain(open.externalId);
    await checkA11y(page, 'wizard step 4 (insecure)');
    await screenshot(page, 'connect-wizard-step-4-insecure');

    // Missing permissions: the right trust policy, only the first integration's actions (and the self-reads).
    const partial = await signedInPage(env, WIZARD);
    await throughStep2(partial, { name: 'Flow partial', account: customer.accountId, roleName: 'TgFlowPartial' });
    const made = await connectionNamed(env, 'Flow partial');
    const trust = (await env.api('GET', `/v1/connections/${made.id}/deliverables`)).body.trustPolicy;
    await iam.send(
      new CreateRoleCommand({ RoleName: 'TgFlowPartial', AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );
    const [first, ...rest] = made.requiredActions as { integrationId: string; actions: string[] }[];
    const granted = [
      ...(first?.actions ?? []),
      'iam:GetRole',
      'iam:GetRolePolicy',
      'iam:ListRolePolicies',
      'iam:ListAttachedRolePolicies',
      'iam:GetPolicy',
      'iam:GetPolicyVersion',
    ];
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: 'TgFlowPartial',
        PolicyName: 'partial',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: granted, Resource: '*' }],
        }),
      }),
    );
    await partial.getByRole('button', { name: 'Next' }).click();
    await partial.getByLabel('Role ARN', { exact: true }).fill(`arn:aws:iam::${customer.accountId}:role/TgFlowPartial`);
    await partial.getByLabel('Role ARN', { exact: true }).press('Enter');
    expect(await verdict(partial)).toMatch(/^Not connected \(needs-update\)/);
    expect(await check(partial, 'assumed')).toBe('passed');
    expect(await check(partial, 'external-id')).toBe('passed');
    expect(await check(partial, 'permissions')).toBe('failed');
    const view = await env.api('GET', `/v1/connections/${made.id}`);
    const missing = view.body.roles[0].missing as { integrationId: string; actions: string[] }[];
    expect(missing.length).toBeGreaterThan(0);
    expect(missing.map((m) => m.integrationId)).not.toContain(first?.integrationId);
    expect(rest.length).toBeGreaterThan(0);
    const rows = partial.getByRole('table', { name: 'Actions the role lacks, per integration' }).locator('tbody tr');
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-integration')))).toEqual(
      missing.map((m) => m.integrationId),
    );
    expect(await rows.first().locator('td').textContent()).toBe(missing[0]?.actions.join(', '));
    await checkA11y(partial, 'wizard step 4 (missing permissions)');
    await screenshot(partial, 'connect-wizard-step-4-missing-permissions');
  });

  it("an OIDC connection: its template creates the provider and the role, which trusts trustgate's issuer", async () => {
    const page = await signedInPage(env, WIZARD);
    await throughStep2(page, { name: 'Flow OIDC', account: customer.accountId, roleName: 'TgFlowOidc', oidc: true });
    await openTab(page, 'CloudFormation (JSON)');
    const template = (await page.getByTestId('deliverable-cloudformation-json').textContent()) ?? '';
    expect(template).toContain('AWS::IAM::OIDCProvider');
    // Every file tab shows the service's own deliverable; Copy puts it on the clipboard, Download saves it.
    const made = await connectionNamed(env, 'Flow OIDC');
    const deliverables = (await env.api('GET', `/v1/connections/${made.id}/deliverables`)).body;
    const tabs: [string, string][] = [
      ['CloudFormation (YAML)', 'cloudformation-yaml'],
      ['Terraform', 'terraform'],
      ['CLI script', 'cli'],
      ['StackSet (organizations)', 'stackset'],
    ];
    for (const [tab, format] of tabs) {
      await openTab(page, tab);
      expect(await page.getByTestId(`deliverable-${format}`).textContent(), tab).toBe(deliverables.formats[format]);
    }
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.url });
    await openTab(page, 'Trust policy');
    await page.getByRole('button', { name: 'Copy the trust policy' }).click();
    await page.getByText('Copied the trust policy.').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(JSON.parse(copied)).toEqual(deliverables.trustPolicy);
    await openTab(page, 'Permission policy');
    const first = deliverables.permissionPolicies[0] as { name: string; document: unknown };
    const [saved] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Download the policy ${first.name}` }).click(),
    ]);
    expect(saved.suggestedFilename()).toBe(`trustgate-flow-oidc-${first.name}.json`);
    expect(JSON.parse(readFileSync(await saved.path(), 'utf8'))).toEqual(first.document);
    await openTab(page, 'AWS console steps');
    expect(await page.locator('.manual-steps').textContent()).toMatch(/Identity providers/);
    await checkA11y(page, 'wizard step 3 (OIDC)');
    const stack = await applyStack({
      endpoint: env.sandbox.endpoint,
      credentials: creds(),
      stackName: 'tg-flow-oidc',
      templateBody: template,
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Role ARN', { exact: true }).fill(stack.outputs.RoleArn ?? '');
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    expect(await verdict(page)).toBe('Connected: trustgate can use the role.');
    expect(await page.locator('[data-check="assumed"] .check-label').textContent()).toBe(
      "Role assumed with trustgate's OIDC token: Passed",
    );
    await screenshot(page, 'connect-wizard-step-4-oidc');
  });
});
