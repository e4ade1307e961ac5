import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_AWS, startTestService, type TestService } from './service-harness.ts';

/** The routes the console's connect wizard reads: the catalog tree, the live policy preview, AWS's actions. */

const CUSTOMER = '222222222222';
const GOV = { ...NO_AWS.aws, region: 'us-gov-west-1' };

describe('wizard routes over HTTP', () => {
  let t: TestService;
  let token: string;
  beforeAll(async () => {
    t = await startTestService({ dialect: 'sqlite', partitions: { ...NO_AWS, 'aws-us-gov': GOV } });
    token = (await t.newOrganization('Wizard')).adminToken;
  });
  afterAll(async () => t?.close());

  const preview = (body: unknown) => t.api('POST', '/v1/policy-preview', { token, body });

  it("previews exactly the permission policies a created connection's deliverables hold", async () => {
    for (const partition of ['aws', 'aws-us-gov'] as const) {
      const settings = {
        partition,
        scope: { kind: 'account', accountId: CUSTOMER },
        roleName: `Wizard-${partition}`,
        selection: { mode: 'custom', products: ['cost-inventory'], integrations: ['state-backend', 'spot-fleet'] },
        managedPolicies: ['ReadOnlyAccess'],
        extraActions: ['s3:GetObject', 'ec2:DescribeSpot*'],
      };
      const previewed = await preview(settings);
      expect(previewed.status).toBe(200);
      const created = await t.api('POST', '/v1/connections', {
        token,
        body: { name: `Wizard ${partition}`, ...settings },
      });
      expect(created.status).toBe(201);
      const { deliverables, connection } = created.body;
      expect(
        previewed.body.documents.map((d: { name: string; document: unknown }) => ({
          name: d.name,
          document: d.document,
        })),
      ).toEqual(deliverables.permissionPolicies);
      expect(previewed.body.managedPolicyArns).toEqual(deliverables.managedPolicyArns);
      expect(previewed.body.managedPolicyArns).toEqual([
        `arn:${partition}:iam::aws:policy/job-function/ViewOnlyAccess`,
        `arn:${partition}:iam::aws:policy/ReadOnlyAccess`,
      ]);
      expect(previewed.body.requiredActions).toEqual(connection.requiredActions);
      // ARNs carry the partition and the one account.
      expect(JSON.stringify(previewed.body.documents)).toContain(
        `arn:${partition}:iam::${CUSTOMER}:role/aws-ec2-spot-fleet-tagging-role`,
      );
      // Cost Explorer, Savings Plans and the CUR are not offered in GovCloud: left out with the compiler's warning.
      const left = previewed.body.warnings.filter((w: { code: string }) => w.code === 'INTEGRATION_NOT_OFFERED');
      expect(left.map((w: { message: string }) => w.message.match(/"([^"]+)"/)?.[1])).toEqual(
        partition === 'aws' ? [] : ['cost-explorer', 'savings-plans', 'cost-and-usage-report'],
      );
    }
  });

  it('counts characters and managed policies against the quotas', async () => {
    const res = await preview({
      selection: { mode: 'default' },
      managedPolicies: ['ReadOnlyAccess', 'job-function/ViewOnlyAccess'],
    });
    expect(res.status).toBe(200);
    const { documents, limits } = res.body;
    for (const d of documents) expect(d.characters).toBe(JSON.stringify(d.document).length);
    expect(limits).toEqual({
      characters: documents.reduce((n: number, d: { characters: number }) => n + d.characters, 0),
      maxCharactersPerPolicy: 6144,
      maxCharacters: (10 - 2) * 6144,
      managedPolicies: documents.length + 2,
      maxManagedPolicies: 10,
    });
    // The verification policy rides along last, as on a created connection.
    expect(documents.at(-1).name).toBe('TrustgateAccess-verification');
  });

  it('refuses a typo with the field and did-you-mean suggestions, and stores nothing', async () => {
    const typo = await preview({ selection: { mode: 'default' }, extraActions: ['s3:GetObject', 's3:GetObjcet'] });
    expect(typo.status).toBe(422);
    expect(typo.body.error).toMatchObject({
      code: 'UNKNOWN_ACTION',
      field: 'extraActions[1]',
      details: { action: 's3:GetObjcet', suggestions: expect.arrayContaining(['s3:GetObject']) },
    });
    expect(typo.body.error.message).toMatch(/did you mean s3:GetObject/);
    const service = await preview({ selection: { mode: 'default' }, extraActions: ['ec3:DescribeInstances'] });
    expect(service.body.error).toMatchObject({ code: 'UNKNOWN_ACTION', field: 'extraActions[0]' });
    expect(service.body.error.details.suggestions).toContain('ec2:DescribeInstances');
    const product = await preview({ selection: { mode: 'custom', products: ['iac-runer'] } });
    expect(product.status).toBe(422);
    expect(product.body.error).toMatchObject({ code: 'INVALID_SELECTION', field: 'selection' });
    expect(product.body.error.message).toMatch(/unknown product "iac-runer" \(did you mean iac-runner/);
    expect(product.body.error.findings[0].path).toBe('selection.products[0]');
    const cases: [unknown, number, string][] = [
      [{ partition: 'aws-iso' }, 400, 'partition'],
      [{ region: 'us-east-1', partition: 'aws-us-gov' }, 400, 'region'],
      [{ scope: { kind: 'account', accountId: '12' } }, 400, 'scope.accountId'],
      [{ roleName: 'has space' }, 400, 'roleName'],
      [{ catalogName: 'nope' }, 404, 'catalogName'],
      [{ name: 'not a preview field' }, 400, 'name'],
    ];
    for (const [body, status, field] of cases) {
      const res = await preview(body);
      expect([res.status, res.body.error.field]).toEqual([status, field]);
    }
    expect((await t.api('POST', '/v1/policy-preview', { body: {} })).status).toBe(401);
    const audit = await t.api('GET', '/v1/audit', { token });
    expect(audit.body.some((e: { action: string }) => e.action.includes('preview'))).toBe(false);
  });

  it('lists the default catalog as products, integrations and statements', async () => {
    const res = await t.api('GET', '/v1/catalog-tree', { token });
    expect(res.status).toBe(200);
    expect(res.body.catalogName).toBeNull();
    expect(res.body.products.map((p: { id: string }) => p.id)).toEqual([
      'elastic-compute',
      'cost-inventory',
      'iac-runner',
      'platform-installer',
    ]);
    const costExplorer = res.body.products[1].integrations.find((i: { id: string }) => i.id === 'cost-explorer');
    expect(costExplorer).toMatchObject({ default: true, partitions: ['aws', 'aws-cn'] });
    expect(costExplorer.statements[0]).toMatchObject({ effect: 'Allow', resources: ['*'] });
    expect(costExplorer.statements[0].actions).toContain('ce:GetCostAndUsage');
    const missing = await t.api('GET', '/v1/catalog-tree?catalogName=nope', { token });
    expect([missing.status, missing.body.error.field]).toEqual([404, 'catalogName']);
  });

  it("pages through AWS's actions by prefix, with a did-you-mean when nothing matches", async () => {
    const one = await t.api('GET', '/v1/actions?prefix=S3:GetObjectA&limit=500', { token });
    expect(one.status).toBe(200);
    const names = one.body.actions.map((a: { name: string }) => a.name);
    expect(names).toContain('s3:GetObjectAcl');
    expect(names.every((n: string) => n.toLowerCase().startsWith('s3:getobjecta'))).toBe(true);
    expect(one.body.total).toBe(names.length);
    expect(one.body.next).toBeUndefined();
    expect(one.body.actions.find((a: { name: string }) => a.name === 's3:GetObjectAcl').accessLevel).toBe('Read');
    // Pages of 7 join into the whole list, each action once.
    const all = await t.api('GET', '/v1/actions?prefix=ec2:describe&limit=500', { token });
    const paged: string[] = [];
    let after: string | undefined;
    do {
      const page = await t.api(
        'GET',
        `/v1/actions?prefix=ec2:describe&limit=7${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`,
        { token },
      );
      expect(page.body.total).toBe(all.body.total);
      paged.push(...page.body.actions.map((a: { name: string }) => a.name));
      after = page.body.next;
    } while (after !== undefined);
    expect(paged).toEqual(all.body.actions.map((a: { name: string }) => a.name));
    expect(all.body.total).toBeGreaterThan(100);
    const typo = await t.api('GET', '/v1/actions?prefix=s3:GetObjcet', { token });
    expect(typo.body).toMatchObject({ actions: [], total: 0, didYouMean: expect.arrayContaining(['s3:GetObject']) });
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['limit=many', 'limit'],
      ['prefx=s3', 'prefx'],
    ]) {
      const res = await t.api('GET', `/v1/actions?${query}`, { token });
      expect([res.status, res.body.error.field]).toEqual([400, field]);
    }
  });
});
