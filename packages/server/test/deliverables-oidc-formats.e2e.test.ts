/**
 * An OIDC connection's Terraform, AWS CLI script and StackSet from the deliverables route, applied as the customer
 * against the sandbox by the real tools (bash + the AWS CLI; Terraform with the hashicorp/aws provider where the
 * machine has it in a local plugin folder), then verified by trustgate with its own tokens and no platform AWS
 * credentials: the formats create the IAM OIDC provider (or reuse the account's) and a role that trusts it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetOpenIDConnectProviderCommand, IAMClient, ListOpenIDConnectProvidersCommand } from '@aws-sdk/client-iam';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCfnLintClean } from '../../core/test/support/cfn-lint.ts';
import { runClean } from './issuance-tools.ts';
import { startTestService, type TestService } from './service-harness.ts';

const ISSUER = 'https://id.trustgate.test';
/** hashicorp/aws in a local plugin folder (Terraform cannot download it here); the Terraform test needs both. */
const TF_PLUGINS = '/opt/tf-plugins';
const terraformReady =
  existsSync(join(TF_PLUGINS, 'registry.terraform.io/hashicorp/aws')) &&
  (process.env.PATH ?? '').split(':').some((d) => existsSync(join(d, 'terraform')));

describe("an OIDC connection's Terraform, CLI script and StackSet, applied for real against the sandbox", () => {
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let dir: string;
  type Account = { accountId: string; accessKeyId: string; secretAccessKey: string };
  let first: Account;
  let second: Account;

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2 });
    [first, second] = sandbox.accounts as [Account, Account];
    t = await startTestService({
      dialect: 'sqlite',
      // An endpoint and an account but no credentials: trustgate cannot sign a call, only present its tokens.
      partitions: { aws: { endpoint: sandbox.endpoint, region: sandbox.region, accountId: '111111111111' } },
      identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) },
    });
    sandbox.routeOidcIssuer(ISSUER, t.url);
    ({ adminToken: token } = await t.newOrganization('Acme'));
    dir = mkdtempSync(join(tmpdir(), 'tg-oidc-formats-'));
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const connect = async (account: Account, trust: Record<string, unknown>, roleName: string) => {
    const res = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name: `c-${randomBytes(4).toString('hex')}`,
        scope: { kind: 'account', accountId: account.accountId },
        trust: { kind: 'oidc', ...trust },
        roleName,
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.connection.id as string;
  };
  const deliverable = async (id: string, format: string) => {
    const res = await t.api('GET', `/v1/connections/${id}/deliverables/${format}`, { token });
    expect(res.status, res.text).toBe(200);
    return res.text;
  };
  const verify = async (id: string, roleArn: string) => {
    const res = await t.api('POST', `/v1/connections/${id}/verify`, { token, body: { roleArn } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.status, res.body.statusReason ?? res.text).toBe('connected');
  };
  const customerEnv = (account: Account) => ({
    AWS_ENDPOINT_URL: sandbox.endpoint,
    AWS_ACCESS_KEY_ID: account.accessKeyId,
    AWS_SECRET_ACCESS_KEY: account.secretAccessKey,
    AWS_DEFAULT_REGION: sandbox.region,
    AWS_REGION: sandbox.region,
  });
  const iamOf = (account: Account) =>
    new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: account });
  const providerArnIn = (account: Account) => `arn:aws:iam::${account.accountId}:oidc-provider/id.trustgate.test`;
  const runScript = async (id: string, account: Account) => {
    const file = join(dir, `${id}.sh`);
    writeFileSync(file, await deliverable(id, 'cli'));
    return runClean('bash', [file], customerEnv(account));
  };

  it('the CLI script creates the provider (no thumbprint) and the role; trustgate verifies it connected', async () => {
    const id = await connect(first, { phases: ['read', 'write'] }, 'TrustgateCli');
    const r = await runScript(id, first);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`OidcProviderArn: ${providerArnIn(first)}`);
    const roleArn = /RoleArn: (\S+)/.exec(r.stdout)?.[1];
    expect(roleArn).toBe(`arn:aws:iam::${first.accountId}:role/TrustgateCli`);
    const provider = await iamOf(first).send(
      new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArnIn(first) }),
    );
    expect(provider).toMatchObject({
      Url: 'id.trustgate.test',
      ClientIDList: ['sts.amazonaws.com'],
      ThumbprintList: [],
    });
    await verify(id, roleArn!);
  }, 120_000);

  it("a second connection's script reuses the account's provider and adds its audience as a client ID", async () => {
    const id = await connect(first, { audience: 'trustgate-ci', phases: ['read'] }, 'TrustgateCliAudience');
    const r = await runScript(id, first);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`Reusing the IAM OIDC provider ${providerArnIn(first)}`);
    expect(r.stderr).toContain('Adding the client ID trustgate-ci');
    const iam = iamOf(first);
    expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toHaveLength(1);
    const provider = await iam.send(
      new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArnIn(first) }),
    );
    expect(provider.ClientIDList?.sort()).toEqual(['sts.amazonaws.com', 'trustgate-ci']);
    await verify(id, `arn:aws:iam::${first.accountId}:role/TrustgateCliAudience`);
  }, 120_000);

  it('the StackSet deliverable of an account-scope connection is the CloudFormation template, cfn-lint clean', async () => {
    const id = await connect(first, { phases: ['read'] }, 'TrustgateStackSet');
    const stackSet = JSON.parse(await deliverable(id, 'stackset')) as { note: string; template: unknown };
    expect(stackSet.template).toEqual(JSON.parse(await deliverable(id, 'cloudformation-json')));
    expect(JSON.stringify(stackSet.template)).toContain('AWS::IAM::OIDCProvider');
    const file = join(dir, 'stackset.json');
    writeFileSync(file, JSON.stringify(stackSet.template));
    expectCfnLintClean([file]);
  }, 60_000);

  it.skipIf(!terraformReady)(
    'Terraform applied with the hashicorp/aws provider creates the provider in a fresh account, and reuses it through oidc_provider_arn',
    async () => {
      const apply = async (id: string, account: Account, name: string, vars: string[] = []) => {
        const folder = mkdtempSync(join(dir, `${name}-tf-`));
        writeFileSync(join(folder, 'main.tf'), await deliverable(id, 'terraform'));
        const env = { ...customerEnv(account), TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1' };
        const init = await runClean(
          'terraform',
          [`-chdir=${folder}`, 'init', '-input=false', '-no-color', `-plugin-dir=${TF_PLUGINS}`],
          env,
        );
        expect(init.code, init.stderr).toBe(0);
        const out = await runClean(
          'terraform',
          [`-chdir=${folder}`, 'apply', '-auto-approve', '-input=false', '-no-color', ...vars],
          env,
        );
        expect(out.code, out.stderr).toBe(0);
        return out.stdout;
      };
      const fresh = await connect(second, { phases: ['read', 'write'] }, 'TrustgateTerraform');
      const created = await apply(fresh, second, 'fresh');
      expect(created).toContain(`oidc_provider_arn = "${providerArnIn(second)}"`);
      await verify(fresh, `arn:aws:iam::${second.accountId}:role/TrustgateTerraform`);

      const again = await connect(second, { phases: ['read'] }, 'TrustgateTerraformRead');
      const reused = await apply(again, second, 'reuse', ['-var', `oidc_provider_arn=${providerArnIn(second)}`]);
      expect(reused).not.toContain('aws_iam_openid_connect_provider.oidc_provider[0]: Creating');
      await verify(again, `arn:aws:iam::${second.accountId}:role/TrustgateTerraformRead`);
      const listed = await iamOf(second).send(new ListOpenIDConnectProvidersCommand({}));
      expect(listed.OpenIDConnectProviderList?.map((p) => p.Arn)).toEqual([providerArnIn(second)]);
    },
    180_000,
  );
});
