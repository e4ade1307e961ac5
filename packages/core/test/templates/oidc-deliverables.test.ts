/**
 * Web-identity (OIDC) deliverables in every format, with and without a fixed customer account (a StackSet or a
 * connection of several accounts has none): each creates the IAM OIDC provider for the issuer (client IDs = the
 * audiences, no thumbprint) unless told of an existing one, and the role's Federated principal refers to it. Outside
 * checks: cfn-lint (CloudFormation JSON, YAML, StackSet), a real HCL parser (Terraform), bash and the AWS CLI run
 * against moto (the script).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetOpenIDConnectProviderCommand,
  GetRoleCommand,
  IAMClient,
  ListOpenIDConnectProvidersCommand,
} from '@aws-sdk/client-iam';
import { parse as parseHcl } from '@cdktf/hcl2json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANY_ACCOUNT_PLACEHOLDER,
  PARTITIONS,
  crossAccountRoleBlueprint,
  renderCloudFormation,
  renderConsoleJson,
  renderDeliverable,
  renderStackSet,
  type DeliverableModel,
  type Partition,
  type PolicyDocument,
} from '../../src/index.ts';
import { expectCfnLintClean } from '../support/cfn-lint.ts';
import { startMoto, type MotoServer } from '../../../../test/support/moto-server.ts';
import { CUSTOMER_ACCOUNT, evaluateTerraformTemplate, resolveCfn } from './deliverable-cases.ts';

const ISSUER = 'https://id.trustgate.test';
const HOST = 'id.trustgate.test';
const SUB = 'org:org_1:space:*:stack:*:phase:read';
const audienceOf = (partition: Partition) => (partition === 'aws-cn' ? 'sts.amazonaws.com.cn' : 'sts.amazonaws.com');

function oidcModel(partition: Partition, account?: string, roleName?: string): DeliverableModel {
  return crossAccountRoleBlueprint({
    partition,
    oidc: { issuer: ISSUER, audiences: [audienceOf(partition)], subjects: [SUB] },
    ...(account === undefined ? {} : { customerAccountId: account }),
    ...(roleName === undefined ? {} : { roleName }),
    policies: [
      {
        name: `${roleName ?? 'Trustgate'}Read`,
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:${partition}:s3:::state-bucket` }],
        },
      },
    ],
  });
}

/** Every partition, with the customer's account and with none. */
const CASES = PARTITIONS.flatMap((partition) =>
  [CUSTOMER_ACCOUNT, undefined].map((account) => ({
    name: `${partition}, ${account === undefined ? 'no fixed account' : 'one account'}`,
    partition,
    account,
    model: oidcModel(partition, account),
  })),
);

const trustOf = (model: DeliverableModel) => {
  const role = model.resources.find((r) => r.kind === 'role');
  return role?.kind === 'role' ? role.trustPolicy : undefined;
};

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trustgate-oidc-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the OIDC model without a fixed customer account', () => {
  it('builds: the placeholder stands for the account it runs in, and the raw JSON shows <ACCOUNT_ID>', () => {
    const model = oidcModel('aws');
    expect(model.customerAccountId).toBeUndefined();
    expect(model.accountPlaceholder).toBe(ANY_ACCOUNT_PLACEHOLDER);
    expect(model.oidcProvider).toEqual({ url: ISSUER, clientIds: ['sts.amazonaws.com'] });
    const raw = renderConsoleJson(model);
    expect(raw.roles[0]?.trustPolicy.Statement[0]?.Principal).toEqual({
      Federated: `arn:aws:iam::<ACCOUNT_ID>:oidc-provider/${HOST}`,
    });
    expect(raw.oidcProvider).toEqual({ url: ISSUER, clientIds: ['sts.amazonaws.com'] });
    expect(model.description).toMatch(/OIDC tokens/);
    // With the account, the raw JSON names it.
    const one = renderConsoleJson(oidcModel('aws', CUSTOMER_ACCOUNT));
    expect(one.roles[0]?.trustPolicy.Statement[0]?.Principal).toEqual({
      Federated: `arn:aws:iam::${CUSTOMER_ACCOUNT}:oidc-provider/${HOST}`,
    });
  });

  it('no format holds the placeholder or a literal account: each refers to the account it runs in', () => {
    for (const c of CASES) {
      for (const format of ['cloudformation-json', 'cloudformation-yaml', 'terraform', 'cli'] as const) {
        const text = renderDeliverable(c.model, format);
        expect(text, `${c.name} ${format}`).not.toContain(ANY_ACCOUNT_PLACEHOLDER);
        expect(text, `${c.name} ${format}`).not.toContain(CUSTOMER_ACCOUNT);
      }
    }
  });
});

describe('CloudFormation and StackSet', () => {
  it('create the provider in each account or use the one OidcProviderArn names; all cfn-lint clean', () => {
    const files: string[] = [];
    for (const [i, c] of CASES.entries()) {
      const template = renderCloudFormation(c.model) as {
        Parameters: Record<string, { Default?: string; AllowedPattern?: string }>;
        Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, unknown> }>;
      };
      expect(template.Resources.OidcProvider, c.name).toEqual({
        Type: 'AWS::IAM::OIDCProvider',
        Condition: 'CreateOidcProvider',
        Properties: { Url: ISSUER, ClientIdList: [audienceOf(c.partition)] },
      });
      expect(template.Parameters.OidcProviderArn?.Default).toBe('');
      const resolved = resolveCfn(template.Resources.PlatformRole?.Properties, {
        params: {},
        partition: c.partition,
        accountId: '999988887777',
      }) as { AssumeRolePolicyDocument: PolicyDocument };
      const statement = resolved.AssumeRolePolicyDocument.Statement[0];
      expect(statement?.Principal).toEqual({
        Federated: { 'Fn::If': ['CreateOidcProvider', { Ref: 'OidcProvider' }, { Ref: 'OidcProviderArn' }] },
      });
      expect(statement?.Condition).toEqual({
        StringEquals: { [`${HOST}:aud`]: audienceOf(c.partition) },
        StringLike: { [`${HOST}:sub`]: SUB },
      });
      const stackSet = renderStackSet(c.model, { stackSetName: 'trustgate-oidc', organizationalUnitIds: ['r-ab12'] });
      expect(JSON.parse(stackSet.createStackSet.TemplateBody as string)).toEqual(template);
      expect(stackSet.notes?.[0]).toContain(
        `parameter override OidcProviderArn=arn:${c.partition}:iam::<account>:oidc-provider/${HOST}`,
      );
      for (const [name, text] of [
        [`oidc-${i}.json`, renderDeliverable(c.model, 'cloudformation-json')],
        [`oidc-${i}.yaml`, renderDeliverable(c.model, 'cloudformation-yaml')],
        [`oidc-${i}-stackset.json`, stackSet.createStackSet.TemplateBody as string],
      ] as const) {
        writeFileSync(join(dir, name), text);
        files.push(join(dir, name));
      }
    }
    expectCfnLintClean(files);
  }, 120_000);
});

describe('Terraform', () => {
  type Hcl = {
    variable: Record<string, Array<{ default: string; validation: Array<{ condition: string }> }>>;
    resource: Record<string, Record<string, Array<Record<string, unknown>>>>;
    locals: Array<Record<string, string>>;
    output: Record<string, Array<{ value: string }>>;
    terraform: Array<{ required_providers: Array<{ aws: { version: string } }> }>;
  };

  it('parses with a real HCL parser: the provider (url, client IDs, no thumbprint) unless oidc_provider_arn names one, and the role trusts it', async () => {
    for (const c of CASES) {
      const text = renderDeliverable(c.model, 'terraform');
      const hcl = (await parseHcl('main.tf', text)) as Hcl;
      const provider = hcl.resource.aws_iam_openid_connect_provider?.oidc_provider?.[0];
      expect(provider, c.name).toEqual({
        count: '${var.oidc_provider_arn == "" ? 1 : 0}',
        url: ISSUER,
        client_id_list: [audienceOf(c.partition)],
      });
      expect(hcl.variable.oidc_provider_arn?.[0]?.default).toBe('');
      const pattern = (renderCloudFormation(c.model) as { Parameters: { OidcProviderArn: { AllowedPattern: string } } })
        .Parameters.OidcProviderArn.AllowedPattern;
      expect(hcl.variable.oidc_provider_arn?.[0]?.validation[0]?.condition).toBe(
        `\${can(regex(${JSON.stringify(pattern)}, var.oidc_provider_arn))}`,
      );
      expect(hcl.locals[0]?.oidc_provider_arn).toBe(
        '${var.oidc_provider_arn == "" ? aws_iam_openid_connect_provider.oidc_provider[0].arn : var.oidc_provider_arn}',
      );
      expect(hcl.output.oidc_provider_arn?.[0]?.value).toBe('${local.oidc_provider_arn}');
      expect(hcl.terraform[0]?.required_providers[0]?.aws.version).toBe('>= 5.81');
      // The trust policy, evaluated as Terraform would, is the model's with the provider's reference as Federated.
      const policy = hcl.resource.aws_iam_role?.platform_role?.[0]?.assume_role_policy as string;
      const variables = Object.fromEntries(Object.entries(hcl.variable).map(([k, v]) => [k, v[0]?.default ?? '']));
      const evaluated = JSON.parse(
        evaluateTerraformTemplate(policy.replace('${local.oidc_provider_arn}', 'LOCAL_PROVIDER'), {
          variables,
          partition: c.partition,
          accountId: CUSTOMER_ACCOUNT,
        }),
      ) as PolicyDocument;
      const want = structuredClone(trustOf(c.model)) as PolicyDocument;
      (want.Statement[0] as { Principal: unknown }).Principal = { Federated: 'LOCAL_PROVIDER' };
      expect(evaluated, c.name).toEqual(want);
    }
  }, 120_000);
});

describe('the AWS CLI script run against moto', () => {
  let moto: MotoServer;
  let iam: IAMClient;
  const MOTO_ACCOUNT = '123456789012';
  beforeAll(async () => {
    moto = await startMoto();
    iam = new IAMClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
  }, 120_000);
  afterAll(async () => moto?.stop());

  const run = (model: DeliverableModel, env: Record<string, string> = {}) => {
    const file = join(dir, `oidc-${Math.random().toString(36).slice(2)}.sh`);
    writeFileSync(file, renderDeliverable(model, 'cli'));
    return spawnSync('bash', [file], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH ?? '',
        HOME: dir,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_DEFAULT_REGION: 'us-east-1',
        AWS_CONFIG_FILE: '/dev/null',
        AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
        ...env,
      },
      timeout: 60_000,
    });
  };
  const providerArn = `arn:aws:iam::${MOTO_ACCOUNT}:oidc-provider/${HOST}`;
  const federatedOf = async (roleName: string) => {
    const role = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    const trust = JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '{}')) as PolicyDocument;
    return trust.Statement[0]?.Principal;
  };

  it('is valid bash in every partition, with and without an account', () => {
    for (const [i, c] of CASES.entries()) {
      const file = join(dir, `oidc-syntax-${i}.sh`);
      writeFileSync(file, renderDeliverable(c.model, 'cli'));
      const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      expect(r.status, `${c.name}: ${r.stderr}`).toBe(0);
    }
  });

  it('creates the provider (URL, client IDs, no thumbprint) and the role trusting it; a second run reuses it', async () => {
    await moto.reset();
    const first = run(oidcModel('aws'));
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`OidcProviderArn: ${providerArn}`);
    expect(first.stdout).toContain(`RoleArn: arn:aws:iam::${MOTO_ACCOUNT}:role/TrustgateAccess`);
    const provider = await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: providerArn }));
    expect(provider.Url).toBe(HOST);
    expect(provider.ClientIDList).toEqual(['sts.amazonaws.com']);
    expect(provider.ThumbprintList ?? []).toEqual([]);
    expect(await federatedOf('TrustgateAccess')).toEqual({ Federated: providerArn });

    // A second connection's script in the same account: an account has one provider per URL, so it is reused.
    const second = run(oidcModel('aws', undefined, 'TrustgateSecond'));
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toContain(`Reusing the IAM OIDC provider ${providerArn}`);
    const listed = await iam.send(new ListOpenIDConnectProvidersCommand({}));
    expect(listed.OpenIDConnectProviderList?.map((p) => p.Arn)).toEqual([providerArn]);
    expect(await federatedOf('TrustgateSecond')).toEqual({ Federated: providerArn });
  }, 120_000);

  it('uses the provider TRUSTGATE_OIDC_PROVIDER_ARN names, and refuses an ARN of another issuer before creating anything', async () => {
    await moto.reset();
    const created = run(oidcModel('aws', undefined, 'Unrelated'));
    expect(created.status, created.stderr).toBe(0);
    const named = run(oidcModel('aws', undefined, 'TrustgateNamed'), { TRUSTGATE_OIDC_PROVIDER_ARN: providerArn });
    expect(named.status, named.stderr).toBe(0);
    expect(named.stderr).not.toContain('Reusing');
    expect(await federatedOf('TrustgateNamed')).toEqual({ Federated: providerArn });

    const wrong = run(oidcModel('aws', undefined, 'TrustgateWrong'), {
      TRUSTGATE_OIDC_PROVIDER_ARN: `arn:aws:iam::${MOTO_ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`,
    });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain(`the ARN of the account's IAM OIDC provider for ${ISSUER}`);
    await expect(iam.send(new GetRoleCommand({ RoleName: 'TrustgateWrong' }))).rejects.toThrow();

    // Another account's provider: the role must trust its own account's; nothing is created.
    const other = run(oidcModel('aws', undefined, 'TrustgateOther'), {
      TRUSTGATE_OIDC_PROVIDER_ARN: `arn:aws:iam::999988887777:oidc-provider/${HOST}`,
    });
    expect(other.status).toBe(1);
    expect(other.stderr).toContain(
      `names a provider of another account; the role must trust its own account's (${MOTO_ACCOUNT})`,
    );
    await expect(iam.send(new GetRoleCommand({ RoleName: 'TrustgateOther' }))).rejects.toThrow();

    // The account's ARN for the issuer, but no such provider: IAM says so and nothing is created.
    await moto.reset();
    const missing = run(oidcModel('aws', undefined, 'TrustgateMissing'), { TRUSTGATE_OIDC_PROVIDER_ARN: providerArn });
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/GetOpenIDConnectProvider/);
    await expect(iam.send(new GetRoleCommand({ RoleName: 'TrustgateMissing' }))).rejects.toThrow();
  }, 120_000);
});
