import { randomBytes } from 'node:crypto';
import { IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTrustPolicy, DEFAULT_OIDC_SUBJECT_TEMPLATE, oidcSubjectPattern } from '@trustgate/core';
import { startSandbox, type Sandbox } from '@trustgate/sandbox';
import { applyStack, startTestService, type TestService } from './service-harness.ts';

const ISSUER = 'https://id.trustgate.test';
/** Another shape, as a platform might need it (HCP Terraform-like labels, the stack's slug for readability). */
const NEW = 'organization:{org}:project:{space}:workspace:{stack}:slug:{stack_slug}:run-phase:{phase}';

/**
 * An organization's OIDC subject template and its migration, against the sandbox: trust both forms (the deliverables
 * emit patterns of both, the customer re-applies), then switch (tokens carry the new one), then drop the old one —
 * and no run fails on the way. Bad templates are 400s naming the field, and nothing is stored.
 */
describe("an organization's OIDC subject template, migrated against the sandbox", () => {
  let sandbox: Sandbox;
  let t: TestService;
  let admin: string;
  let runs: string;
  let org: string;
  let stackId: string;
  let connectionId: string;
  let iam: IAMClient;
  let runNumber = 0;

  const setting = (body: unknown, token = admin) => t.api('PUT', '/v1/organization/oidc-subject', { token, body });
  const issue = () =>
    t.api('POST', '/v1/issuances', {
      token: runs,
      body: { stack: 'net', phase: 'write', runId: `run-${++runNumber}`, connectionId },
    });
  /** The sub patterns the connection's trust policy holds now (its deliverables). */
  const trustedSubjects = async () => {
    const res = await t.api('GET', `/v1/connections/${connectionId}/deliverables`, { token: admin });
    expect(res.status, res.text).toBe(200);
    const statement = res.body.trustPolicy.Statement[0];
    return { policy: res.body.trustPolicy, subjects: [statement.Condition.StringLike['id.trustgate.test:sub']].flat() };
  };
  /** The customer re-applies the role's trust policy (here straight with IAM; the template does the same). */
  const applyTrust = async (policy: unknown) =>
    iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: 'TrustgateAccess', PolicyDocument: JSON.stringify(policy) }),
    );
  const trustOnly = async (subjects: string[]) =>
    applyTrust(
      buildTrustPolicy({
        partition: 'aws',
        principals: [
          {
            type: 'oidc',
            accountId: sandbox.accounts[0]!.accountId,
            issuer: ISSUER,
            audiences: ['sts.amazonaws.com'],
            subjects,
          },
        ],
      }).document,
    );

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 1, oidcKeyCacheMs: 0 });
    const customer = sandbox.accounts[0]!;
    t = await startTestService({
      dialect: 'sqlite',
      partitions: { aws: { endpoint: sandbox.endpoint, region: sandbox.region, accountId: '111111111111' } },
      identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) },
    });
    sandbox.routeOidcIssuer(ISSUER, t.url);
    ({ adminToken: admin, organizationId: org } = await t.newOrganization('Shapes'));
    iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: customer });
    stackId = (await t.api('POST', '/v1/stacks', { token: admin, body: { slug: 'net', name: 'net' } })).body.id;
    runs = (await t.api('POST', '/v1/tokens', { token: admin, body: { name: 'runs', scopes: ['credentials:issue'] } }))
      .body.secret;
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  it('is the documented default until set; only admins set it; bad templates are 400 naming the field, nothing stored', async () => {
    const shown = await t.api('GET', '/v1/organization/oidc-subject', { token: runs });
    expect(shown.body).toEqual({
      template: DEFAULT_OIDC_SUBJECT_TEMPLATE,
      isDefault: true,
      alsoTrusted: [],
      trusted: [DEFAULT_OIDC_SUBJECT_TEMPLATE],
    });
    expect((await setting({ alsoTrusted: [NEW] }, runs)).status).toBe(403);
    const cases: [unknown, string][] = [
      [{ template: 'org:{org}:phase:{phase}' }, 'template'], // no {stack}: every stack would share a subject
      [{ template: 'org:{org}:stack:*:{stack}:phase:{phase}' }, 'template'],
      [{ template: `org:${org}:stack:{stack}:x:{org}:phase:{phase}` }, 'template'], // spells an ID
      [{ alsoTrusted: [NEW, 'stack:{stack}:phase:{phase}'] }, 'alsoTrusted[1]'],
      [{ alsoTrusted: [DEFAULT_OIDC_SUBJECT_TEMPLATE] }, 'alsoTrusted[0]'], // the template itself
      [{ alsoTrusted: [NEW, NEW] }, 'alsoTrusted[1]'],
      [{ templates: [NEW] }, 'templates'],
    ];
    for (const [body, field] of cases) {
      const res = await setting(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.field, res.text).toBe(field);
    }
    expect((await t.api('GET', '/v1/organization/oidc-subject', { token: admin })).body.isDefault).toBe(true);
    // The default named explicitly is the default.
    expect((await setting({ template: DEFAULT_OIDC_SUBJECT_TEMPLATE })).body).toMatchObject({ isDefault: true });
  });

  it('a connection in the default form: connected from its template, attached, issuing', async () => {
    const created = await t.api('POST', '/v1/connections', {
      token: admin,
      body: {
        name: 'shaped',
        scope: { kind: 'account', accountId: sandbox.accounts[0]!.accountId },
        trust: { kind: 'oidc', stackIds: [stackId], phases: ['read', 'write'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    connectionId = created.body.connection.id;
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: sandbox.accounts[0]!,
      stackName: 'trustgate-oidc',
      templateBody: created.body.deliverables.formats['cloudformation-yaml'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const verified = await t.api('POST', `/v1/connections/${connectionId}/verify`, {
      token: admin,
      body: { roleArn: stack.outputs.RoleArn },
    });
    expect(verified.body.status, verified.text).toBe('connected');
    const attached = await t.api('POST', `/v1/stacks/${stackId}/attachments`, {
      token: admin,
      body: { connectionId, phases: ['read', 'write'], sessionMode: 'per-run' },
    });
    expect(attached.status, attached.text).toBe(201);
    expect((await issue()).status).toBe(201);
    expect((await trustedSubjects()).subjects).toEqual([oidcSubjectPattern({ org, stack: stackId })]);
  });

  it('switching before the roles trust the new form is refused: every run would fail', async () => {
    const res = await setting({ template: NEW });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('template');
    expect(res.body.error.message).toMatch(/alsoTrusted/);
  });

  it('migrates: trust both, re-apply; switch; drop the old form, re-apply — every run issues on the way', async () => {
    const oldForm = oidcSubjectPattern({ org, stack: stackId });
    const newForm = oidcSubjectPattern({ org, stack: stackId }, NEW);
    expect(newForm).toBe(`organization:${org}:project:*:workspace:${stackId}:slug:*:run-phase:*`);

    // 1. Trust both: the deliverables admit both forms; tokens still carry the old one.
    const both = await setting({ alsoTrusted: [NEW] });
    expect(both.status, both.text).toBe(200);
    expect(both.body).toMatchObject({
      template: DEFAULT_OIDC_SUBJECT_TEMPLATE,
      trusted: [DEFAULT_OIDC_SUBJECT_TEMPLATE, NEW],
    });
    const trusted = await trustedSubjects();
    expect(trusted.subjects).toEqual([oldForm, newForm]);
    expect((await issue()).status).toBe(201); // before the customer re-applies
    // Switching now would fail every run: the role does not accept the new form yet (probed), so it is refused.
    const early = await setting({ template: NEW, alsoTrusted: [DEFAULT_OIDC_SUBJECT_TEMPLATE] });
    expect(early.status, early.text).toBe(400);
    expect(early.body.error).toMatchObject({ field: 'template', message: expect.stringContaining('shaped (') });
    expect(early.text).not.toMatch(/eyJ[\w-]+\.eyJ/);
    expect((await t.api('GET', '/v1/organization/oidc-subject', { token: admin })).body.template).toBe(
      DEFAULT_OIDC_SUBJECT_TEMPLATE,
    );
    await applyTrust(trusted.policy);
    expect((await issue()).status).toBe(201);

    // 2. Switch: tokens carry the new form (a role trusting only the old form now refuses them).
    const switched = await setting({ template: NEW, alsoTrusted: [DEFAULT_OIDC_SUBJECT_TEMPLATE] });
    expect(switched.status, switched.text).toBe(200);
    expect(switched.body).toMatchObject({
      template: NEW,
      isDefault: false,
      trusted: [NEW, DEFAULT_OIDC_SUBJECT_TEMPLATE],
    });
    expect((await issue()).status).toBe(201);
    const verified = await t.api('POST', `/v1/connections/${connectionId}/verify`, { token: admin, body: {} });
    expect(verified.body.status, verified.text).toBe('connected');
    await trustOnly([oldForm]);
    const refused = await issue();
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('ROLE_REFUSED');
    await trustOnly([newForm]);
    expect((await issue()).status).toBe(201);

    // 3. Drop the old form: the deliverables hold only the new one; the re-applied role keeps issuing.
    const dropped = await setting({ template: NEW });
    expect(dropped.body).toMatchObject({ template: NEW, alsoTrusted: [], trusted: [NEW] });
    const only = await trustedSubjects();
    expect(only.subjects).toEqual([newForm]);
    await applyTrust(only.policy);
    expect((await issue()).status).toBe(201);
    // Verification mints in the new form too: the role trusting only it is connected.
    const reverified = await t.api('POST', `/v1/connections/${connectionId}/verify`, { token: admin, body: {} });
    expect(reverified.body.status, reverified.text).toBe('connected');
    // A role widened to the organization's every stack is insecure, and the fix names the patterns of the new form.
    await trustOnly([oidcSubjectPattern({ org }, NEW)]);
    const wide = await t.api('POST', `/v1/connections/${connectionId}/verify`, { token: admin, body: {} });
    expect(wide.body.status, wide.text).toBe('insecure');
    expect(wide.body.roles[0].fixHint).toContain(JSON.stringify([newForm]));
    await applyTrust(only.policy);
  });

  it('back to the default goes the same way (trust it first), and is audited', async () => {
    expect((await setting({ template: null })).body.error?.field).toBe('template');
    expect((await setting({ template: NEW, alsoTrusted: [DEFAULT_OIDC_SUBJECT_TEMPLATE] })).status).toBe(200);
    await applyTrust((await trustedSubjects()).policy);
    const back = await setting({ template: null, alsoTrusted: [NEW] });
    expect(back.status, back.text).toBe(200);
    expect(back.body).toMatchObject({ isDefault: true, trusted: [DEFAULT_OIDC_SUBJECT_TEMPLATE, NEW] });
    const audit = await t.api('GET', '/v1/audit', { token: admin });
    expect(audit.text).toContain('organization.oidc-subject');
  });
});
