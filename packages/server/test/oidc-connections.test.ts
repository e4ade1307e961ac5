import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expectCfnLintClean } from '../../core/test/support/cfn-lint.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_AWS, startTestService, type TestService } from './service-harness.ts';

const ISSUER = 'https://id.trustgate.test';
const ACCOUNT = '222222222222';

describe('connections in OIDC mode', () => {
  let t: TestService;
  let bare: TestService;
  let token: string;
  let org: string;
  let stackA: string;
  let stackB: string;

  beforeAll(async () => {
    t = await startTestService({
      dialect: 'sqlite',
      // aws-cn is served for OIDC connections only (no platform identity there).
      partitions: { ...NO_AWS, 'aws-cn': { endpoint: 'http://127.0.0.1:9', region: 'cn-north-1' } },
      identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) },
    });
    bare = await startTestService({ dialect: 'sqlite', partitions: NO_AWS });
    ({ adminToken: token, organizationId: org } = await t.newOrganization('Acme'));
    const stack = async (slug: string) =>
      (await t.api('POST', '/v1/stacks', { token, body: { slug, name: slug } })).body.id as string;
    stackA = await stack('alpha');
    stackB = await stack('beta');
  });
  afterAll(async () => {
    await t?.close();
    await bare?.close();
  });

  const create = (body: Record<string, unknown>, on: TestService = t, as: string = token) =>
    on.api('POST', '/v1/connections', {
      token: as,
      body: { name: `c-${randomBytes(4).toString('hex')}`, scope: { kind: 'account', accountId: ACCOUNT }, ...body },
    });
  const statementOf = (res: { body: { deliverables: { trustPolicy: { Statement: unknown[] } } } }) =>
    res.body.deliverables.trustPolicy.Statement[0];

  it('a connection made without trust (every existing one) trusts an external ID, and its view says so', async () => {
    const res = await create({});
    expect(res.status).toBe(201);
    expect(res.body.connection.trust).toEqual({ kind: 'external-id' });
    expect(statementOf(res)).toMatchObject({ Action: 'sts:AssumeRole', Principal: { AWS: expect.any(String) } });
  });

  it("trust oidc, any stack: the role trusts the issuer's provider in the customer's account, aud and sub", async () => {
    const res = await create({ trust: { kind: 'oidc', phases: ['read', 'write'] } });
    expect(res.status).toBe(201);
    expect(res.body.connection.trust).toEqual({ kind: 'oidc', phases: ['read', 'write'] });
    expect(statementOf(res)).toEqual({
      Sid: 'WebIdentityAssumeRole',
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/id.trustgate.test` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { 'id.trustgate.test:aud': 'sts.amazonaws.com' },
        StringLike: { 'id.trustgate.test:sub': `org:${org}:space:*:stack:*:phase:*` },
      },
    });
    expect(JSON.stringify(res.body.deliverables.trustPolicy)).not.toContain('sts:ExternalId');
    const got = await t.api('GET', `/v1/connections/${res.body.connection.id}`, { token });
    expect(got.body.trust).toEqual({ kind: 'oidc', phases: ['read', 'write'] });
  });

  it('listed stacks and read only: one sub pattern per stack, phase read; aws-cn takes sts.amazonaws.com.cn', async () => {
    const res = await create({ trust: { kind: 'oidc', stackIds: [stackA, stackB], phases: ['read'] } });
    expect(res.status).toBe(201);
    expect(statementOf(res)).toMatchObject({
      Condition: {
        StringLike: {
          'id.trustgate.test:sub': [
            `org:${org}:space:*:stack:${stackA}:phase:read`,
            `org:${org}:space:*:stack:${stackB}:phase:read`,
          ],
        },
      },
    });
    const cn = await create({ partition: 'aws-cn', trust: { kind: 'oidc', phases: ['write'] } });
    expect(cn.status).toBe(201);
    expect(statementOf(cn)).toMatchObject({
      Principal: { Federated: `arn:aws-cn:iam::${ACCOUNT}:oidc-provider/id.trustgate.test` },
      Condition: {
        StringEquals: { 'id.trustgate.test:aud': 'sts.amazonaws.com.cn' },
        StringLike: { 'id.trustgate.test:sub': `org:${org}:space:*:stack:*:phase:write` },
      },
    });
    const aud = await create({ trust: { kind: 'oidc', audience: 'trustgate', phases: ['read'] } });
    expect(statementOf(aud)).toMatchObject({ Condition: { StringEquals: { 'id.trustgate.test:aud': 'trustgate' } } });
  });

  it('an update to oidc trust makes the trust policy follow; back to external-id too', async () => {
    const res = await create({});
    const id = res.body.connection.id as string;
    const up = await t.api('PATCH', `/v1/connections/${id}`, {
      token,
      body: { trust: { kind: 'oidc', stackIds: [stackA], phases: ['read', 'write'] } },
    });
    expect(up.status).toBe(200);
    const d = await t.api('GET', `/v1/connections/${id}/deliverables`, { token });
    expect(d.body.trustPolicy.Statement[0].Condition.StringLike).toEqual({
      'id.trustgate.test:sub': `org:${org}:space:*:stack:${stackA}:phase:*`,
    });
    await t.api('PATCH', `/v1/connections/${id}`, { token, body: { trust: { kind: 'external-id' } } });
    const back = await t.api('GET', `/v1/connections/${id}/deliverables`, { token });
    expect(back.body.trustPolicy.Statement[0].Action).toBe('sts:AssumeRole');
  });

  it("several accounts and an organization: one template for every account, each role trusting its own account's provider", async () => {
    for (const scope of [
      { kind: 'accounts', accountIds: [ACCOUNT, '333333333333'] },
      { kind: 'organization', organizationId: 'o-abcdefghij' },
    ]) {
      const res = await create({ scope, trust: { kind: 'oidc', phases: ['read'] } });
      expect(res.status, res.text).toBe(201);
      const formats = res.body.deliverables.formats as Record<string, string>;
      expect(formats['cloudformation-json']).not.toContain(ACCOUNT);
      const role = JSON.parse(formats['cloudformation-json']!).Resources.PlatformRole;
      expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal.Federated).toEqual({
        'Fn::If': ['CreateOidcProvider', { Ref: 'OidcProvider' }, { Ref: 'OidcProviderArn' }],
      });
      expect(JSON.stringify(res.body.deliverables.trustPolicy)).not.toContain(ACCOUNT);
    }
  });

  it('refused with a 4xx naming the field: no issuer, automatic mode without a callback topic, a partition not served, an unknown stack', async () => {
    const orgB = await bare.newOrganization('Bare');
    const none = await create({ trust: { kind: 'oidc', phases: ['read'] } }, bare, orgB.adminToken);
    expect(none.status).toBe(400);
    expect(none.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'trust' });
    expect(none.body.error.message).toMatch(/no OIDC issuer configured/);
    // Automatic mode is offered for OIDC as for external IDs, where the partition has the callback topic (not here).
    const auto = await create({ mode: 'automatic', trust: { kind: 'oidc', phases: ['read'] } });
    expect(auto.status).toBe(400);
    expect(auto.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'mode' });
    expect(auto.body.error.message).toMatch(/callback topic/);
    const unknown = await create({ trust: { kind: 'oidc', stackIds: ['stk_nope'], phases: ['read'] } });
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND', field: 'trust.stackIds[0]' });
    const unserved = await create({ partition: 'aws-us-gov', trust: { kind: 'oidc', phases: ['read'] } });
    expect(unserved.status).toBe(400);
    expect(unserved.body.error).toMatchObject({ code: 'INVALID_PARTITION', field: 'partition' });
    expect(unserved.body.error.message).toMatch(/does not serve partition aws-us-gov/);
    const externalCn = await create({ partition: 'aws-cn' });
    expect(externalCn.body.error).toMatchObject({ code: 'INVALID_PARTITION', field: 'partition' });
    expect(externalCn.body.error.message).toMatch(/OIDC connections only/);
    const wildcard = await create({ trust: { kind: 'oidc', audience: 'sts.*', phases: ['read'] } });
    expect(wildcard.body.error).toMatchObject({ code: 'INVALID_INPUT', field: 'trust.audience' });
  });

  it('every format is offered for an OIDC connection: Terraform, the CLI script and the StackSet create the IAM OIDC provider too', async () => {
    const res = await create({ trust: { kind: 'oidc', phases: ['read'] } });
    const id = res.body.connection.id as string;
    expect(Object.keys(res.body.deliverables.formats).sort()).toEqual([
      'cli',
      'cloudformation-json',
      'cloudformation-yaml',
      'json',
      'quick-create-link',
      'stackset',
      'terraform',
    ]);
    for (const [format, text] of [
      ['terraform', 'resource "aws_iam_openid_connect_provider" "oidc_provider"'],
      ['cli', "aws iam create-open-id-connect-provider --url 'https://id.trustgate.test'"],
      ['stackset', 'AWS::IAM::OIDCProvider'],
    ] as const) {
      const r = await t.api('GET', `/v1/connections/${id}/deliverables/${format}`, { token });
      expect(r.status, format).toBe(200);
      expect(r.text, format).toContain(text);
    }
  });

  it('CloudFormation creates the IAM OIDC provider (Url, ClientIdList = [audience], no thumbprint) or reuses the one OidcProviderArn names; cfn-lint clean', async () => {
    const res = await create({ trust: { kind: 'oidc', stackIds: [stackA], phases: ['read', 'write'] } });
    const formats = res.body.deliverables.formats as Record<string, string>;
    const template = JSON.parse(formats['cloudformation-json']!);
    expect(parse(formats['cloudformation-yaml']!)).toEqual(template);
    expect(template.Parameters.OidcProviderArn).toMatchObject({ Type: 'String', Default: '' });
    expect(template.Parameters.ExternalId).toBeUndefined();
    expect(template.Conditions.CreateOidcProvider).toEqual({ 'Fn::Equals': [{ Ref: 'OidcProviderArn' }, ''] });
    expect(template.Resources.OidcProvider).toEqual({
      Type: 'AWS::IAM::OIDCProvider',
      Condition: 'CreateOidcProvider',
      Properties: { Url: ISSUER, ClientIdList: ['sts.amazonaws.com'] },
    });
    const statement = template.Resources.PlatformRole.Properties.AssumeRolePolicyDocument.Statement[0];
    expect(statement.Principal.Federated).toEqual({
      'Fn::If': ['CreateOidcProvider', { Ref: 'OidcProvider' }, { Ref: 'OidcProviderArn' }],
    });
    expect(statement.Condition).toEqual({
      StringEquals: { 'id.trustgate.test:aud': 'sts.amazonaws.com' },
      StringLike: { 'id.trustgate.test:sub': `org:${org}:space:*:stack:${stackA}:phase:*` },
    });
    const pattern = new RegExp(template.Parameters.OidcProviderArn.AllowedPattern);
    expect(pattern.test('')).toBe(true);
    expect(pattern.test(`arn:aws:iam::${ACCOUNT}:oidc-provider/id.trustgate.test`)).toBe(true);
    expect(pattern.test(`arn:aws:iam::${ACCOUNT}:oidc-provider/idxtrustgate.test`)).toBe(false);
    expect(pattern.test(`arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`)).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'tg-oidc-cfn-'));
    writeFileSync(join(dir, 'oidc.json'), formats['cloudformation-json']!);
    writeFileSync(join(dir, 'oidc.yaml'), formats['cloudformation-yaml']!);
    expectCfnLintClean([join(dir, 'oidc.json'), join(dir, 'oidc.yaml')]);
  });
});
