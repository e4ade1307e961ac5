import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateOpenIDConnectProviderCommand, CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { SandboxAccount } from '@trustgate/sandbox';
import { startBrokerEnv, type BrokerEnv } from '../../issuance-harness.ts';
import { applyStack, callbackTopicArn } from '../../service-harness.ts';
import { attackerOf, Tally, type Attacker } from './deputy-tenants.ts';

/** The issuer as AWS requires it; the sandbox fetches its discovery document and JWKS from the service. */
const ISSUER = 'https://id.trustgate.test';

/**
 * Confused deputy, every way in (issue 16), for OIDC trust and the automatic-mode callback: the attacker knows the
 * victim's OIDC role ARN and tries trustgate's verification, attachments (assumed by trustgate and on the worker,
 * where the attacker holds the web identity token itself and calls STS directly), subject templates shaped to look
 * like the victim's subject, and a CloudFormation callback naming the victim's role. The sandbox's STS evaluates
 * `<issuer>:sub` against the role's trust policy as AWS does; every refusal must be clear (AccessDenied, a 4xx code,
 * a FAILED custom resource), never a throttle or a timeout.
 */
describe('confused deputy through OIDC subjects and the callback route', () => {
  let env: BrokerEnv;
  let mallory: Attacker;
  let malloryAccount: SandboxAccount;
  let victimRoleArn: string;
  let victimConnectionId: string;
  const tally = new Tally();

  /** A role in `account` with the trust policy a connection's deliverables give, allowed everything. */
  const createRole = async (account: SandboxAccount, roleName: string, trustPolicy: unknown) => {
    const iam = env.iamOf(account);
    await iam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trustPolicy) }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'everything',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
        }),
      }),
    );
    return `arn:aws:iam::${account.accountId}:role/${roleName}`;
  };

  beforeAll(async () => {
    env = await startBrokerEnv({
      dialect: 'sqlite',
      service: { identity: { issuerUrl: ISSUER, keyEncryptionKey: randomBytes(32) } },
    });
    env.sandbox.routeOidcIssuer(ISSUER, env.url);
    await env.sandbox.subscribe(callbackTopicArn(env.platform.accountId), `${env.url}/v1/callbacks/cloudformation`);
    malloryAccount = env.sandbox.accounts[2] as SandboxAccount;
    for (const account of [env.customer, malloryAccount])
      await env
        .iamOf(account)
        .send(new CreateOpenIDConnectProviderCommand({ Url: ISSUER, ClientIDList: ['sts.amazonaws.com'] }));
    // The victim: an OIDC connection trusting any stack of its organization, in both phases.
    const created = await env.api('POST', '/v1/connections', {
      token: env.adminToken,
      body: {
        name: 'victim-oidc',
        scope: { kind: 'account', accountId: env.customer.accountId },
        roleName: 'Victim-oidc',
        trust: { kind: 'oidc', phases: ['read', 'write'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    victimConnectionId = created.body.connection.id;
    victimRoleArn = await createRole(env.customer, 'Victim-oidc', created.body.deliverables.trustPolicy);
    const verified = await env.api('POST', `/v1/connections/${victimConnectionId}/verify`, {
      token: env.adminToken,
      body: { roleArn: victimRoleArn },
    });
    expect(verified.body.roles[0].status, verified.text).not.toBe('broken');
    mallory = await attackerOf(env);
  }, 60_000);
  afterAll(async () => {
    console.log(tally.summary('confused deputy, OIDC and callback'));
    await env?.close();
  });

  it('subject templates cannot spell another organization, widen a pattern or take wildcards: 400 naming the field', async () => {
    const victimOrg = env.organizationId;
    for (const template of [
      `org:${victimOrg}:space:{space}:stack:{stack}:phase:{phase}`,
      'org:*:space:{space}:stack:{stack}:phase:{phase}',
      'org:{org}:space:?:stack:{stack}:phase:{phase}',
      'org:{org}{stack}:phase:{phase}',
      'org:{org}:org:{org}:stack:{stack}:phase:{phase}',
      'org:{org}:stack:{stack}:phase:{phase}:x',
      'org:{org}:stack:{stack}%3A:phase:{phase}',
    ]) {
      const res = await mallory.api('PUT', '/v1/organization/oidc-subject', { template });
      tally.refusal(`template ${template}`, res, ['INVALID_INPUT']);
      expect(res.body.error?.field).toBe('template');
    }
    for (const slug of ['a:b', 'stack:x', 'x%3Ay']) {
      const res = await mallory.api('POST', '/v1/stacks', { slug, name: slug });
      tally.refusal(`stack slug ${slug}`, res, ['INVALID_INPUT']);
    }
    // A valid template whose literal text puts the attacker's IDs where the victim's pattern expects others.
    const swapped = await mallory.api('PUT', '/v1/organization/oidc-subject', {
      template: 'org:{stack}:space:{space}:stack:{org}:phase:{phase}',
    });
    expect(swapped.status, swapped.text).toBe(200);
  });

  it("verifying the attacker's OIDC connection with the victim's role ARN: STS refuses its token, the connection is broken", async () => {
    const created = await mallory.api('POST', '/v1/connections', {
      name: 'stolen-oidc',
      scope: { kind: 'account', accountId: env.customer.accountId },
      roleName: 'Victim-oidc',
      trust: { kind: 'oidc', phases: ['read', 'write'] },
    });
    expect(created.status, created.text).toBe(201);
    const id = created.body.connection.id as string;
    const verified = await mallory.api('POST', `/v1/connections/${id}/verify`, { roleArn: victimRoleArn });
    const role = verified.body.roles?.[0];
    tally.check(
      'OIDC verify with the victim ARN',
      verified.status === 200 && role?.status === 'broken' && /AccessDenied/.test(role?.statusReason ?? ''),
      `${verified.status} ${JSON.stringify(role)}`,
    );
    expect(role?.statusReason ?? '').not.toMatch(/Throttl|timed? ?out|InternalError|ServiceUnavailable/i);
    const stack = await mallory.api('POST', '/v1/stacks', { slug: 'oidc-heist', name: 'oidc heist' });
    for (const body of [{ phases: ['read'] }, { phases: ['read', 'write'], assumeOnWorker: true }]) {
      const res = await mallory.api('POST', `/v1/stacks/${stack.body.id}/attachments`, { connectionId: id, ...body });
      tally.refusal(`OIDC attach ${JSON.stringify(body)}`, res, ['VERIFICATION_FAILED']);
    }
  });

  it("on the worker, the attacker's own web identity token is refused by STS for the victim's role", async () => {
    // The attacker's own OIDC connection and role (trusting its own subjects), an assume-on-worker attachment.
    const created = await mallory.api('POST', '/v1/connections', {
      name: 'own-oidc',
      scope: { kind: 'account', accountId: malloryAccount.accountId },
      roleName: 'Mallory-oidc',
      trust: { kind: 'oidc', phases: ['read', 'write'] },
    });
    expect(created.status, created.text).toBe(201);
    const roleArn = await createRole(malloryAccount, 'Mallory-oidc', created.body.deliverables.trustPolicy);
    const verified = await mallory.api('POST', `/v1/connections/${created.body.connection.id}/verify`, { roleArn });
    expect(verified.body.roles[0].status, verified.text).not.toBe('broken');
    const stack = await mallory.api('POST', '/v1/stacks', { slug: 'worker', name: 'worker' });
    const attached = await mallory.api('POST', `/v1/stacks/${stack.body.id}/attachments`, {
      connectionId: created.body.connection.id,
      phases: ['read', 'write'],
      assumeOnWorker: true,
    });
    expect(attached.status, attached.text).toBe(201);
    const sts = new STSClient({ endpoint: env.sandbox.endpoint, region: env.sandbox.region });
    for (const phase of ['read', 'write'] as const) {
      const issued = await mallory.api('POST', '/v1/issuances', { stack: 'worker', phase, runId: `r-${phase}` });
      expect(issued.status, issued.text).toBe(201);
      const token: string = issued.body.webIdentity.token;
      // The token works for the attacker's own role (so a refusal below is the victim's trust policy) ...
      const own = await sts.send(
        new AssumeRoleWithWebIdentityCommand({ RoleArn: roleArn, RoleSessionName: 'own', WebIdentityToken: token }),
      );
      expect(own.Credentials?.AccessKeyId).toBeDefined();
      // ... and not for the victim's.
      let refusal = 'assumed';
      try {
        await sts.send(
          new AssumeRoleWithWebIdentityCommand({
            RoleArn: victimRoleArn,
            RoleSessionName: 'heist',
            WebIdentityToken: token,
          }),
        );
      } catch (error) {
        refusal = `${(error as { name?: string }).name} ${(error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode}`;
      }
      tally.check(`web identity token (${phase}) for the victim role`, refusal === 'AccessDenied 403', refusal);
    }
  });

  it.each([
    ["the attacker's own account", () => malloryAccount.accountId],
    ["the victim's account", () => env.customer.accountId],
  ])(
    "a CloudFormation callback naming the victim's role (connection scoped to %s) fails the custom resource, and connects nothing",
    async (_, scopeAccount) => {
      const created = await mallory.api('POST', '/v1/connections', {
        name: `callback-heist-${scopeAccount()}`,
        mode: 'automatic',
        scope: { kind: 'account', accountId: scopeAccount() },
        roleName: 'Mallory-auto',
      });
      expect(created.status, created.text).toBe(201);
      const template = JSON.parse(created.body.deliverables.formats['cloudformation-json']);
      const custom = Object.values(
        template.Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>,
      ).find((r) => r.Type.startsWith('Custom::'));
      if (custom === undefined) throw new Error('the template has no custom resource');
      custom.Properties.RoleArn = victimRoleArn;
      const before = await env.api('GET', `/v1/connections/${victimConnectionId}`, { token: env.adminToken });
      const applied = await applyStack({
        endpoint: env.sandbox.endpoint,
        credentials: { accessKeyId: malloryAccount.accessKeyId, secretAccessKey: malloryAccount.secretAccessKey },
        stackName: `callback-heist-${scopeAccount()}`,
        templateBody: JSON.stringify(template),
      });
      tally.check(
        `callback naming the victim role, scope ${scopeAccount()}`,
        applied.status === 'ROLLBACK_COMPLETE' || applied.status === 'CREATE_FAILED',
        `${applied.status} ${applied.reason ?? ''}`,
      );
      expect(applied.reason ?? '').not.toMatch(/Throttl|timed? ?out|InternalError|ServiceUnavailable/i);
      const after = await mallory.api('GET', `/v1/connections/${created.body.connection.id}`);
      expect(after.body.status).not.toBe('connected');
      // A role row naming the victim's role, if the callback got that far, records STS's refusal.
      for (const role of after.body.roles as { roleArn: string; status: string; statusReason: string }[])
        if (role.roleArn === victimRoleArn) {
          expect(role.status).toBe('broken');
          expect(role.statusReason).toMatch(/AccessDenied/);
        }
      // The callback's answer, in the attacker's audit log: FAILED.
      const audit = await mallory.api('GET', `/v1/audit?connectionId=${created.body.connection.id}`);
      const answered = (audit.body as { action: string; details: { answer?: string } }[]).filter(
        (e) => e.action === 'connection.callback',
      );
      expect(answered.map((e) => e.details.answer)).toEqual(['FAILED']);
      expect((await env.api('GET', `/v1/connections/${victimConnectionId}`, { token: env.adminToken })).body).toEqual(
        before.body,
      );
    },
  );

  it('refused every way, with no failure', () => {
    expect(tally.failures).toEqual([]);
  });
});
