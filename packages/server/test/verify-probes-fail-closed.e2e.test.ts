import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { startSandbox, type FaultKind, type FaultRule, type Sandbox } from '@trustgate/sandbox';
import { DIALECTS } from './test-stores.ts';
import { startTestService, type ApiResponse, type TestService } from './service-harness.ts';
import { createPlatformUser } from '../src/aws/create-platform-user.ts';

/**
 * Verification fails closed (issue 10): the insecurity probes — AssumeRole without the external ID and with a wrong
 * one — prove a role secure only when STS refuses them (AccessDenied). A probe that is throttled, answered with a
 * 5xx or never answered is asked again within bounds and then ends the verification with 502 AWS_ERROR and no
 * verdict: an insecure role must never become `connected` because AWS could not be asked. Over HTTP against the
 * sandbox's fault injection, on SQLite and PostgreSQL. The SDK's own retries are off (`maxAttempts: 1`) so that
 * what is counted is verification's own bounded retry; each attempt is given up after 300 ms.
 */
describe.each(DIALECTS)('insecurity probes fail closed on %s', (dialect) => {
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let platform: Sandbox['accounts'][number];
  let customer: Sandbox['accounts'][number];
  const creds = (a: Sandbox['accounts'][number]) => ({
    accessKeyId: a.accessKeyId,
    secretAccessKey: a.secretAccessKey,
  });

  beforeAll(async () => {
    sandbox = await startSandbox({ accounts: 2 });
    [platform, customer] = sandbox.accounts as [typeof platform, typeof customer];
    const platformUser = await createPlatformUser({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      adminCredentials: creds(platform),
    });
    t = await startTestService({
      dialect,
      partitions: {
        aws: {
          endpoint: sandbox.endpoint,
          region: sandbox.region,
          credentials: platformUser.credentials,
          accountId: platform.accountId,
          requestTimeoutMs: 300,
          maxAttempts: 1,
        },
      },
    });
    token = (await t.newOrganization('Probes')).adminToken;
  });
  afterEach(() => sandbox?.faults.clear());
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  /** A trust policy trusting the platform's account with `condition` (none: anyone holding the platform's keys may assume it). */
  const trusting = (condition?: Record<string, Record<string, string>>) => ({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${platform.accountId}:root` },
        Action: 'sts:AssumeRole',
        ...(condition === undefined ? {} : { Condition: condition }),
      },
    ],
  });

  /**
   * A connection and its role, made with the SDK in the customer's account with every permission the connection
   * asks for and `trust` as its trust policy (default: the connection's own, which requires its external ID).
   */
  async function connectionWithRole(
    name: string,
    trust?: (externalId: string) => unknown,
  ): Promise<{ id: string; externalId: string; roleArn: string }> {
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: {
        name,
        scope: { kind: 'account', accountId: customer.accountId },
        roleName: `Tg-${name}`,
        selection: { mode: 'custom', products: ['cost-inventory'] },
      },
    });
    expect(created.status, created.text).toBe(201);
    const { id, externalId } = created.body.connection as { id: string; externalId: string };
    const deliverables = created.body.deliverables as {
      trustPolicy: unknown;
      permissionPolicies: { name: string; document: unknown }[];
      managedPolicyArns: string[];
    };
    const iam = new IAMClient({ endpoint: sandbox.endpoint, region: sandbox.region, credentials: creds(customer) });
    const roleName = `Tg-${name}`;
    await iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        AssumeRolePolicyDocument: JSON.stringify(trust === undefined ? deliverables.trustPolicy : trust(externalId)),
      }),
    );
    for (const p of deliverables.permissionPolicies)
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: roleName,
          PolicyName: p.name,
          PolicyDocument: JSON.stringify(p.document),
        }),
      );
    for (const arn of deliverables.managedPolicyArns)
      await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: arn }));
    return { id, externalId, roleArn: `arn:aws:iam::${customer.accountId}:role/${roleName}` };
  }

  /** The AssumeRole calls the sandbox answered with `kind` since `mark` (an earlier length of `faults.injected`). */
  const assumeFaultsSince = (mark: number, kind: FaultKind) =>
    sandbox.faults.injected.slice(mark).filter((f) => f.action === 'AssumeRole' && f.kind === kind).length;

  const verify = (id: string, roleArn: string) =>
    t.api('POST', `/v1/connections/${id}/verify`, { token, body: { roleArn } });
  /** What a verify call answered, short enough for an assertion message. */
  const answer = (res: ApiResponse) =>
    res.status === 200 ? `200 ${res.body.status}: ${res.body.statusReason}` : `${res.status} ${res.text}`;

  /** Neither the connection nor any stored role row says connected (nor carries any other verdict). */
  async function expectNoVerdict(id: string): Promise<void> {
    const got = await t.api('GET', `/v1/connections/${id}`, { token });
    expect(got.status, got.text).toBe(200);
    expect(got.body.status, got.body.statusReason).toBe('pending');
    expect(got.body.roles).toEqual([]);
    const stored = await t.service.store.connections.listRoles(id);
    expect(stored.filter((r) => r.status !== 'pending')).toEqual([]);
  }

  const noExternalId = { param: 'ExternalId', absent: true } as const;
  /** AssumeRole calls with an external ID other than the connection's: the wrong-ID probe, not the verification itself. */
  const otherExternalId = (externalId: string) =>
    [
      { param: 'ExternalId', present: true },
      { param: 'ExternalId', notEquals: externalId },
    ] as const;

  /**
   * Roles the probe without an external ID finds out: one whose trust policy has no ExternalId condition at all
   * (the probe with a wrong one finds it out too), and one with `StringEqualsIfExists`, which a call without the
   * key passes (only that probe finds it out: with the probe refused, it would look secure).
   */
  const assumableWithoutExternalId: Array<[string, (externalId: string) => unknown]> = [
    ['no ExternalId condition', () => trusting()],
    ['StringEqualsIfExists', (externalId) => trusting({ StringEqualsIfExists: { 'sts:ExternalId': externalId } })],
  ];
  const faultKinds: FaultKind[] = ['throttle', 'server-error', 'timeout'];
  const cases = assumableWithoutExternalId.flatMap(([trust, policy], i) =>
    faultKinds.map((kind) => ({ trust, policy, kind, name: `open${i}-${kind}` })),
  );

  it.each(cases)(
    'a role trusting the platform with $trust, whose probe without an external ID gets $kind every time, is never connected: 502 AWS_ERROR, no verdict',
    async ({ policy, kind, name }) => {
      const { id, roleArn } = await connectionWithRole(name, policy);
      const mark = sandbox.faults.injected.length;
      sandbox.faults.inject({ service: 'sts', action: 'AssumeRole', kind, count: Infinity, when: noExternalId });
      const res = await verify(id, roleArn);
      expect(res.status, answer(res)).toBe(502);
      expect(res.body.error.code).toBe('AWS_ERROR');
      expect(res.body.error.message).toContain('did not answer whether the role can be assumed without an external ID');
      // The probe was asked again, within bounds, before verification gave up.
      expect(assumeFaultsSince(mark, kind)).toBeGreaterThan(1);
      expect(assumeFaultsSince(mark, kind)).toBeLessThanOrEqual(4);
      await expectNoVerdict(id);

      // Once STS answers, the same role is found out.
      sandbox.faults.clear();
      const answered = await verify(id, roleArn);
      expect(answered.status, answer(answered)).toBe(200);
      expect(answered.body.status, answered.body.statusReason).toBe('insecure');
    },
  );

  it('a role that requires an external ID but not its value, whose wrong-external-ID probe is throttled every time, is never connected', async () => {
    // Any external ID will do (Null: the key must be present): the probe with a wrong one is what finds this out.
    const { id, externalId, roleArn } = await connectionWithRole('any-id', () =>
      trusting({ Null: { 'sts:ExternalId': 'false' } }),
    );
    const rule: FaultRule = {
      service: 'sts',
      action: 'AssumeRole',
      kind: 'throttle',
      count: Infinity,
      when: [...otherExternalId(externalId)],
    };
    const mark = sandbox.faults.injected.length;
    sandbox.faults.inject(rule);
    const res = await verify(id, roleArn);
    expect(res.status, answer(res)).toBe(502);
    expect(res.body.error.code).toBe('AWS_ERROR');
    expect(res.body.error.message).toContain('did not answer whether the role can be assumed with a wrong external ID');
    expect(assumeFaultsSince(mark, 'throttle')).toBeGreaterThan(1);
    await expectNoVerdict(id);

    sandbox.faults.clear();
    const answered = await verify(id, roleArn);
    expect(answered.body.status, answered.body.statusReason).toBe('insecure');
    expect(answered.body.roles[0].fixHint).toContain('with a wrong external ID');
  });

  it('a secure role whose probes are throttled a few times and then refused (AccessDenied) is connected', async () => {
    const { id, externalId, roleArn } = await connectionWithRole('secure');
    const mark = sandbox.faults.injected.length;
    sandbox.faults.inject({ service: 'sts', action: 'AssumeRole', kind: 'throttle', count: 2, when: noExternalId });
    sandbox.faults.inject({
      service: 'sts',
      action: 'AssumeRole',
      kind: 'throttle',
      count: 2,
      when: [...otherExternalId(externalId)],
    });
    const res = await verify(id, roleArn);
    expect(res.status, answer(res)).toBe(200);
    expect(res.body.status, res.body.statusReason).toBe('connected');
    // Every throttle was spent: each probe was asked until STS answered it.
    expect(assumeFaultsSince(mark, 'throttle')).toBe(4);
  });
});
