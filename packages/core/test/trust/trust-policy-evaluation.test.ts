import { describe, expect, it } from 'vitest';
import {
  PARTITIONS,
  buildBlueprint,
  buildTrustPolicy,
  scopedExternalId,
  type Partition,
  type PolicyDocument,
} from '../../src/index.ts';
import { decideBoth, type TrustCall } from './trust-oracle.ts';

const PLATFORM = '111122223333';
const CUSTOMER = '444455556666';
const OTHER = '777788889999';

async function expectDecision(trust: PolicyDocument, call: TrustCall, allowed: boolean): Promise<void> {
  const { core, oracle } = await decideBoth(trust, call);
  const expected = allowed ? 'Allowed' : 'ImplicitlyDenied';
  // The oracle sits out only for China's .amazonaws.com.cn service principals (see trust-oracle.ts).
  expect({ core, oracle }, JSON.stringify(call)).toEqual({
    core: expected,
    oracle: oracle === 'unsupported' ? 'unsupported' : expected,
  });
  if (oracle === 'unsupported') expect(call.principal.endsWith('.amazonaws.com.cn')).toBe(true);
}

describe.each(PARTITIONS)('trust policies evaluated by core and iam-simulate in %s', (partition: Partition) => {
  const roleArn = `arn:${partition}:iam::${CUSTOMER}:role/TrustgateAccess`;
  const broker = `arn:${partition}:iam::${PLATFORM}:role/broker`;

  it('account root with an external ID: right ID allowed; missing, wrong or another account denied', async () => {
    const { document } = buildTrustPolicy({
      partition,
      principals: [{ type: 'account', accountId: PLATFORM, externalId: { ids: ['ext-Right_123'] } }],
    });
    await expectDecision(
      document,
      { principal: broker, roleArn, context: { 'sts:ExternalId': 'ext-Right_123' } },
      true,
    );
    await expectDecision(document, { principal: broker, roleArn }, false);
    await expectDecision(
      document,
      { principal: broker, roleArn, context: { 'sts:ExternalId': 'ext-Wrong_123' } },
      false,
    );
    await expectDecision(
      document,
      { principal: broker, roleArn, context: { 'sts:ExternalId': 'ext-right_123' } },
      false,
    );
    await expectDecision(
      document,
      {
        principal: `arn:${partition}:iam::${OTHER}:role/broker`,
        roleArn,
        context: { 'sts:ExternalId': 'ext-Right_123' },
      },
      false,
    );
  });

  it('rotation: both the old and the new ID work, a third does not', async () => {
    const { document } = buildTrustPolicy({
      partition,
      principals: [{ type: 'account', accountId: PLATFORM, externalId: { ids: ['old-id-1', 'new-id-2'] } }],
    });
    await expectDecision(document, { principal: broker, roleArn, context: { 'sts:ExternalId': 'old-id-1' } }, true);
    await expectDecision(document, { principal: broker, roleArn, context: { 'sts:ExternalId': 'new-id-2' } }, true);
    await expectDecision(document, { principal: broker, roleArn, context: { 'sts:ExternalId': 'older-id-0' } }, false);
  });

  it('a platform role principal admits that role only', async () => {
    const { document } = buildTrustPolicy({
      partition,
      principals: [{ type: 'role', roleArn: broker, externalId: { ids: ['ext-1234'] } }],
    });
    await expectDecision(document, { principal: broker, roleArn, context: { 'sts:ExternalId': 'ext-1234' } }, true);
    await expectDecision(
      document,
      { principal: `arn:${partition}:iam::${PLATFORM}:role/other`, roleArn, context: { 'sts:ExternalId': 'ext-1234' } },
      false,
    );
    await expectDecision(
      document,
      { principal: `arn:${partition}:iam::${OTHER}:role/broker`, roleArn, context: { 'sts:ExternalId': 'ext-1234' } },
      false,
    );
  });

  it('scoped IDs: any stack, one stack, one stack and phase — other stacks, phases and integrations denied', async () => {
    const id = (stackSlug: string, phase: 'read' | 'write', integrationId = 'int1') => ({
      'sts:ExternalId': scopedExternalId({ accountName: 'acme', integrationId, stackSlug, phase }),
    });
    const trust = (scope: { stackSlug?: string; phase?: 'read' | 'write' }) =>
      buildTrustPolicy({
        partition,
        principals: [
          {
            type: 'account',
            accountId: PLATFORM,
            externalId: { scope: { accountName: 'acme', integrationId: 'int1', ...scope } },
          },
        ],
      }).document;
    const anyStack = trust({});
    await expectDecision(anyStack, { principal: broker, roleArn, context: id('net', 'read') }, true);
    await expectDecision(anyStack, { principal: broker, roleArn, context: id('app', 'write') }, true);
    await expectDecision(anyStack, { principal: broker, roleArn, context: id('app', 'write', 'int2') }, false);
    await expectDecision(
      anyStack,
      { principal: broker, roleArn, context: { 'sts:ExternalId': 'acme@int1@app@admin' } },
      false,
    );
    const oneStack = trust({ stackSlug: 'prod' });
    await expectDecision(oneStack, { principal: broker, roleArn, context: id('prod', 'read') }, true);
    await expectDecision(oneStack, { principal: broker, roleArn, context: id('prod', 'write') }, true);
    await expectDecision(oneStack, { principal: broker, roleArn, context: id('staging', 'write') }, false);
    // ATTACK: what a stack slug "prod@write" would produce, had it been accepted.
    await expectDecision(
      oneStack,
      { principal: broker, roleArn, context: { 'sts:ExternalId': 'acme@int1@prod@write@read' } },
      false,
    );
    const onePhase = trust({ stackSlug: 'prod', phase: 'read' });
    await expectDecision(onePhase, { principal: broker, roleArn, context: id('prod', 'read') }, true);
    await expectDecision(onePhase, { principal: broker, roleArn, context: id('prod', 'write') }, false);
    await expectDecision(onePhase, { principal: broker, roleArn, context: id('prod2', 'read') }, false);
  });

  it("Spot Fleet tagging role: only requests from the customer's account and ARN scope", async () => {
    const model = buildBlueprint('spot-fleet', { partition, customerAccountId: CUSTOMER });
    const role = model.resources.find((r) => r.kind === 'role');
    if (role?.kind !== 'role') throw new Error('no role');
    const trust = role.trustPolicy;
    const principal = (trust.Statement[0]?.Principal as { Service: string }).Service;
    const call = (account: string, arn: string | undefined): TrustCall => ({
      principal,
      type: 'Service',
      roleArn: `arn:${partition}:iam::${CUSTOMER}:role/aws-ec2-spot-fleet-tagging-role`,
      context: { 'aws:SourceAccount': account, ...(arn ? { 'aws:SourceArn': arn } : {}) },
    });
    const region = partition === 'aws' ? 'us-east-1' : partition === 'aws-cn' ? 'cn-north-1' : 'us-gov-west-1';
    const fleet = (account: string) =>
      `arn:${partition}:ec2:${region}:${account}:spot-fleet-request/sfr-11111111-1111-1111-1111-111111111111`;
    await expectDecision(trust, call(CUSTOMER, fleet(CUSTOMER)), true);
    await expectDecision(trust, call(OTHER, fleet(OTHER)), false);
    await expectDecision(trust, call(CUSTOMER, fleet(OTHER)), false);
    await expectDecision(trust, call(CUSTOMER, `arn:${partition}:ec2:${region}:${CUSTOMER}:instance/i-123`), false);
    await expectDecision(trust, call(CUSTOMER, undefined), false);
    await expectDecision(
      trust,
      {
        ...call(CUSTOMER, fleet(CUSTOMER)),
        principal: partition === 'aws-cn' ? 'ec2.amazonaws.com.cn' : 'ec2.amazonaws.com',
      },
      false,
    );
  });

  it('service trust scoped to one region or one resource denies the others', async () => {
    const region = partition === 'aws' ? 'eu-west-1' : partition === 'aws-cn' ? 'cn-northwest-1' : 'us-gov-east-1';
    const other = partition === 'aws' ? 'us-east-1' : partition === 'aws-cn' ? 'cn-north-1' : 'us-gov-west-1';
    const arnIn = (r: string, id = 'sfr-1') => `arn:${partition}:ec2:${r}:${CUSTOMER}:spot-fleet-request/${id}`;
    const roleArnTagging = `arn:${partition}:iam::${CUSTOMER}:role/aws-ec2-spot-fleet-tagging-role`;
    const regional = buildTrustPolicy({
      partition,
      principals: [
        {
          type: 'service',
          service: 'spotfleet',
          confusedDeputy: {
            sourceAccount: CUSTOMER,
            sourceArn: { scope: 'region', region, service: 'ec2', resource: 'spot-fleet-request/sfr-*' },
          },
        },
      ],
    }).document;
    const call = (arn: string): TrustCall => ({
      principal: 'spotfleet.amazonaws.com',
      type: 'Service',
      roleArn: roleArnTagging,
      context: { 'aws:SourceAccount': CUSTOMER, 'aws:SourceArn': arn },
    });
    await expectDecision(regional, call(arnIn(region)), true);
    await expectDecision(regional, call(arnIn(other)), false);
    const single = buildTrustPolicy({
      partition,
      principals: [
        {
          type: 'service',
          service: 'spotfleet',
          confusedDeputy: { sourceAccount: CUSTOMER, sourceArn: { scope: 'resource', arn: arnIn(region, 'sfr-aaaa') } },
        },
      ],
    }).document;
    await expectDecision(single, call(arnIn(region, 'sfr-aaaa')), true);
    await expectDecision(single, call(arnIn(region, 'sfr-bbbb')), false);
  });

  it('web identity: right audience and subject allowed; other subject, audience or provider denied', async () => {
    // accounts.google.com is an issuer whose aud/sub keys iam-simulate knows; the trust has the same shape for any issuer.
    const issuer = 'accounts.google.com';
    const { document } = buildTrustPolicy({
      partition,
      principals: [
        { type: 'oidc', accountId: CUSTOMER, issuer, audiences: ['trustgate-platform'], subjects: ['1234567890'] },
      ],
    });
    const provider = `arn:${partition}:iam::${CUSTOMER}:oidc-provider/${issuer}`;
    const call = (aud: string, sub: string, principal = provider): TrustCall => ({
      principal,
      type: 'Federated',
      action: 'sts:AssumeRoleWithWebIdentity',
      roleArn,
      context: { [`${issuer}:aud`]: aud, [`${issuer}:sub`]: sub },
    });
    await expectDecision(document, call('trustgate-platform', '1234567890'), true);
    await expectDecision(document, call('trustgate-platform', '1234567891'), false);
    await expectDecision(document, call('someone-else', '1234567890'), false);
    await expectDecision(
      document,
      call('trustgate-platform', '1234567890', `arn:${partition}:iam::${OTHER}:oidc-provider/${issuer}`),
      false,
    );
  });
});

describe("web identity with the platform's own issuer (core engine; iam-simulate ignores condition keys of unknown issuers)", () => {
  it('matches aud exactly and sub by StringLike', async () => {
    const { evaluateRequest } = await import('../../src/index.ts');
    const issuer = 'oidc.platform.example.com/tenant-1';
    const { document } = buildTrustPolicy({
      partition: 'aws',
      principals: [
        {
          type: 'oidc',
          accountId: CUSTOMER,
          issuer: `https://${issuer}`,
          audiences: ['sts.amazonaws.com'],
          subjects: ['connection:c-42:*'],
        },
      ],
    });
    const decide = (aud: string, sub: string) =>
      evaluateRequest(
        {
          principal: { arn: `arn:aws:iam::${CUSTOMER}:oidc-provider/${issuer}`, type: 'Federated' },
          action: 'sts:AssumeRoleWithWebIdentity',
          resource: `arn:aws:iam::${CUSTOMER}:role/TrustgateAccess`,
          context: { [`${issuer}:aud`]: aud, [`${issuer}:sub`]: sub },
        },
        { resourcePolicy: document },
      ).decision;
    expect(decide('sts.amazonaws.com', 'connection:c-42:run-1')).toBe('Allowed');
    expect(decide('sts.amazonaws.com', 'connection:c-43:run-1')).toBe('ImplicitlyDenied');
    expect(decide('other', 'connection:c-42:run-1')).toBe('ImplicitlyDenied');
  });
});

describe('the trust policy of every blueprint in every partition, as the deliverables write it', () => {
  const policy: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }],
  };
  for (const partition of PARTITIONS) {
    it(`${partition}: cross-account, instance-profile and spot-fleet roles admit only their principal`, async () => {
      const options = {
        partition,
        platform: { [partition]: { accountId: PLATFORM } },
        externalIds: ['ext-Blueprint_1'],
        customerAccountId: CUSTOMER,
        policies: [{ name: 'p', document: policy }],
      };
      const trustOf = (name: string) => {
        const role = buildBlueprint(name, options).resources.find((r) => r.kind === 'role');
        if (role?.kind !== 'role') throw new Error(`${name} has no role`);
        return { trust: role.trustPolicy, roleArn: `arn:${partition}:iam::${CUSTOMER}:role/${role.roleName}` };
      };
      const cross = trustOf('cross-account-role');
      const broker = `arn:${partition}:iam::${PLATFORM}:role/broker`;
      await expectDecision(
        cross.trust,
        { principal: broker, roleArn: cross.roleArn, context: { 'sts:ExternalId': 'ext-Blueprint_1' } },
        true,
      );
      await expectDecision(cross.trust, { principal: broker, roleArn: cross.roleArn }, false);
      await expectDecision(
        cross.trust,
        {
          principal: `arn:${partition}:iam::${OTHER}:role/broker`,
          roleArn: cross.roleArn,
          context: { 'sts:ExternalId': 'ext-Blueprint_1' },
        },
        false,
      );
      const instance = trustOf('instance-profile-role');
      const ec2 = partition === 'aws-cn' ? 'ec2.amazonaws.com.cn' : 'ec2.amazonaws.com';
      await expectDecision(instance.trust, { principal: ec2, type: 'Service', roleArn: instance.roleArn }, true);
      await expectDecision(
        instance.trust,
        { principal: 'lambda.amazonaws.com', type: 'Service', roleArn: instance.roleArn },
        false,
      );
      await expectDecision(instance.trust, { principal: broker, roleArn: instance.roleArn }, false);
      const spot = trustOf('spot-fleet');
      const fleet = `arn:${partition}:ec2:${partition === 'aws-cn' ? 'cn-north-1' : partition === 'aws' ? 'us-west-2' : 'us-gov-east-1'}:${CUSTOMER}:spot-fleet-request/sfr-1`;
      await expectDecision(
        spot.trust,
        {
          principal: 'spotfleet.amazonaws.com',
          type: 'Service',
          roleArn: spot.roleArn,
          context: { 'aws:SourceAccount': CUSTOMER, 'aws:SourceArn': fleet },
        },
        true,
      );
      await expectDecision(
        spot.trust,
        {
          principal: 'spotfleet.amazonaws.com',
          type: 'Service',
          roleArn: spot.roleArn,
          context: { 'aws:SourceAccount': OTHER, 'aws:SourceArn': fleet.replace(CUSTOMER, OTHER) },
        },
        false,
      );
      await expectDecision(spot.trust, { principal: broker, roleArn: spot.roleArn }, false);
    });
  }
});
