import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IAMClient, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Sandbox } from '@trustgate/sandbox';
import { DIALECTS } from './test-stores.ts';
import { applyStack, startServiceOnSandbox, type ServiceOnSandbox, type TestService } from './service-harness.ts';

/** A trust policy statement's condition block, as IAM takes it. */
type Condition = Record<string, Record<string, string>>;

/**
 * One shape of the statement trusting the platform. `condition` gets the connection's external ID; undefined
 * means no Condition at all. `expected` is the verdict; `how` is what the fix hint must say the role accepts.
 */
interface TrustCase {
  name: string;
  condition: ((externalId: string) => Condition) | undefined;
  expected: 'insecure' | 'connected';
  how?: 'without any external ID' | 'with a wrong external ID';
}

/**
 * Each case is caught by exactly one of verify-role.ts's two insecurity probes (or by both): a role that demands
 * SOME external ID but takes any value is caught only by the wrong-ID probe; one that takes a missing ID but
 * checks a present one only by the no-ID probe.
 */
const CASES: TrustCase[] = [
  {
    name: 'any-null',
    condition: () => ({ Null: { 'sts:ExternalId': 'false' } }),
    expected: 'insecure',
    how: 'with a wrong external ID',
  },
  {
    name: 'any-like',
    condition: () => ({ StringLike: { 'sts:ExternalId': '*' } }),
    expected: 'insecure',
    how: 'with a wrong external ID',
  },
  {
    name: 'if-exists',
    condition: (externalId) => ({ StringEqualsIfExists: { 'sts:ExternalId': externalId } }),
    expected: 'insecure',
    how: 'without any external ID',
  },
  { name: 'no-condition', condition: undefined, expected: 'insecure', how: 'without any external ID' },
  {
    name: 'locked',
    condition: (externalId) => ({ StringEquals: { 'sts:ExternalId': externalId } }),
    expected: 'connected',
  },
];

/**
 * The confused-deputy checks end to end: the customer applies trustgate's template (so the role has every
 * permission it needs), then rewrites the role's trust policy with IAM; verification over the API assumes it
 * in the sandbox, whose STS enforces the trust policy's conditions. Only the correctly locked role is connected.
 */
describe.each(DIALECTS)('trust policies that do not pin the external ID, against the sandbox on %s', (dialect) => {
  let env: ServiceOnSandbox;
  let sandbox: Sandbox;
  let t: TestService;
  let token: string;
  let customer: Sandbox['accounts'][number];

  beforeAll(async () => {
    env = await startServiceOnSandbox({ dialect, sandbox: { accounts: 2 } });
    ({ sandbox, t } = env);
    customer = sandbox.accounts[1]!;
    token = (await t.newOrganization('Acme')).adminToken;
  });
  afterAll(async () => {
    await env?.close();
  });

  it.each(CASES)('$name: the role is $expected', async ({ name, condition, expected, how }) => {
    const created = await t.api('POST', '/v1/connections', {
      token,
      body: { name, scope: { kind: 'account', accountId: customer.accountId }, roleName: `Tg-${name}` },
    });
    expect(created.status, created.text).toBe(201);
    const { connection, deliverables } = created.body;
    const stack = await applyStack({
      endpoint: sandbox.endpoint,
      credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
      stackName: `tg-${name}`,
      templateBody: deliverables.formats['cloudformation-json'],
    });
    expect(stack.status, stack.reason).toBe('CREATE_COMPLETE');
    const trust = deliverables.trustPolicy as { Version: string; Statement: Array<Record<string, unknown>> };
    expect(trust.Statement).toHaveLength(1);
    const { Condition: issued, ...statement } = trust.Statement[0]!;
    expect(issued).toEqual({ StringEquals: { 'sts:ExternalId': connection.externalId } });
    const rewritten = {
      ...trust,
      Statement: [
        { ...statement, ...(condition === undefined ? {} : { Condition: condition(connection.externalId) }) },
      ],
    };
    const iam = new IAMClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: { accessKeyId: customer.accessKeyId, secretAccessKey: customer.secretAccessKey },
    });
    await iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: `Tg-${name}`, PolicyDocument: JSON.stringify(rewritten) }),
    );

    const verified = await t.api('POST', `/v1/connections/${connection.id}/verify`, {
      token,
      body: { roleArn: stack.outputs.RoleArn },
    });
    expect(verified.status, verified.text).toBe(200);
    expect(verified.body.status, verified.body.statusReason).toBe(expected);
    const role = verified.body.roles[0];
    expect(role).toMatchObject({ accountId: customer.accountId, roleArn: stack.outputs.RoleArn, status: expected });
    // Assumed with the right external ID in every case, and every permission is there: the trust policy is the only fault.
    expect(role.missing).toEqual([]);
    if (expected === 'connected') {
      expect(role.fixHint).toBeUndefined();
      return;
    }
    expect(verified.body.statusReason).toBe("The role's trust policy does not require the external ID.");
    expect(role.fixHint).toContain(`The role can be assumed ${how}`);
    expect(role.fixHint).toContain(`"Condition": {"StringEquals": {"sts:ExternalId": "${connection.externalId}"}}`);
    // The verdict is stored: reading the connection again says the same.
    const read = await t.api('GET', `/v1/connections/${connection.id}`, { token });
    expect(read.body.status).toBe('insecure');
    expect(read.body.roles[0].fixHint).toBe(role.fixHint);
  });
});
