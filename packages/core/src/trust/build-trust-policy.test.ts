import { describe, expect, it } from 'vitest';
import { TrustgateError } from '../errors/index.ts';
import { PARTITIONS } from '../partition/index.ts';
import { policySize } from '../policy-document/index.ts';
import {
  CHINA_SERVICE_PRINCIPALS,
  buildTrustPolicy,
  platformIdentityFor,
  servicePrincipal,
  validateMaxSessionDuration,
} from './index.ts';

function thrown(fn: () => unknown): TrustgateError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TrustgateError) return e;
    throw e;
  }
  throw new Error('expected a TrustgateError');
}

describe('buildTrustPolicy', () => {
  it('trusts the platform account root of the partition with the external ID', () => {
    for (const partition of PARTITIONS) {
      const { document, size } = buildTrustPolicy({
        partition,
        principals: [{ type: 'account', accountId: '111122223333', externalId: { ids: ['ext-1234'] } }],
      });
      expect(document.Statement[0]).toEqual({
        Sid: 'PlatformAssumeRole',
        Effect: 'Allow',
        Principal: { AWS: `arn:${partition}:iam::111122223333:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': 'ext-1234' } },
      });
      expect(size).toBe(policySize(document));
    }
  });

  it('accepts two external IDs during a rotation and drops duplicates', () => {
    const { document } = buildTrustPolicy({
      partition: 'aws',
      principals: [{ type: 'account', accountId: '111122223333', externalId: { ids: ['old-id', 'new-id', 'old-id'] } }],
    });
    expect(document.Statement[0]?.Condition).toEqual({ StringEquals: { 'sts:ExternalId': ['old-id', 'new-id'] } });
  });

  it('uses StringLike patterns for scoped external IDs', () => {
    const { document } = buildTrustPolicy({
      partition: 'aws',
      principals: [
        {
          type: 'role',
          roleArn: 'arn:aws:iam::111122223333:role/runner',
          externalId: { scope: { accountName: 'acme', integrationId: 'i1', stackSlug: 'prod', phase: 'read' } },
        },
      ],
    });
    expect(document.Statement[0]).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::111122223333:role/runner' },
      Condition: { StringLike: { 'sts:ExternalId': 'acme@i1@prod@read' } },
    });
  });

  it('writes service principals per partition and confused-deputy conditions per scope', () => {
    const cn = buildTrustPolicy({ partition: 'aws-cn', principals: [{ type: 'service', service: 'ec2' }] });
    expect(cn.document.Statement[0]?.Principal).toEqual({ Service: 'ec2.amazonaws.com.cn' });
    const gov = buildTrustPolicy({
      partition: 'aws-us-gov',
      principals: [{ type: 'service', service: 'ec2.amazonaws.com' }],
    });
    expect(gov.document.Statement[0]?.Principal).toEqual({ Service: 'ec2.amazonaws.com' });
    const scopes = [
      [
        { scope: 'account', service: 'ec2', resource: 'spot-fleet-request/sfr-*' },
        'arn:aws:ec2:*:444455556666:spot-fleet-request/sfr-*',
      ],
      [
        { scope: 'region', region: 'eu-west-1', service: 'ec2', resource: 'spot-fleet-request/sfr-*' },
        'arn:aws:ec2:eu-west-1:444455556666:spot-fleet-request/sfr-*',
      ],
      [
        {
          scope: 'resource',
          arn: 'arn:aws:ec2:eu-west-1:444455556666:spot-fleet-request/sfr-11111111-1111-1111-1111-111111111111',
        },
        'arn:aws:ec2:eu-west-1:444455556666:spot-fleet-request/sfr-11111111-1111-1111-1111-111111111111',
      ],
    ] as const;
    for (const [sourceArn, expected] of scopes) {
      const { document } = buildTrustPolicy({
        partition: 'aws',
        principals: [
          { type: 'service', service: 'spotfleet', confusedDeputy: { sourceAccount: '444455556666', sourceArn } },
        ],
      });
      expect(document.Statement[0]?.Condition).toEqual({
        StringEquals: { 'aws:SourceAccount': '444455556666' },
        ArnLike: { 'aws:SourceArn': expected },
      });
    }
  });

  it('warns when a China service principal is not confirmed by a source', () => {
    const r = buildTrustPolicy({ partition: 'aws-cn', principals: [{ type: 'service', service: 'batch' }] });
    expect(r.document.Statement[0]?.Principal).toEqual({ Service: 'batch.amazonaws.com' });
    expect(r.warnings[0]).toMatchObject({ code: 'UNVERIFIED_SERVICE_PRINCIPAL', path: 'principals[0].service' });
    expect(
      buildTrustPolicy({ partition: 'aws', principals: [{ type: 'service', service: 'batch' }] }).warnings,
    ).toEqual([]);
    expect(
      buildTrustPolicy({ partition: 'aws-cn', principals: [{ type: 'service', service: 'spotfleet' }] }).warnings,
    ).toEqual([]);
  });

  it('builds web-identity trust with aud and sub conditions', () => {
    const { document } = buildTrustPolicy({
      partition: 'aws-us-gov',
      principals: [
        {
          type: 'oidc',
          accountId: '444455556666',
          issuer: 'https://token.example.com/',
          audiences: ['sts.amazonaws.com'],
          subjects: ['platform:prod', 'platform:worker-*'],
        },
      ],
    });
    expect(document.Statement[0]).toEqual({
      Sid: 'WebIdentityAssumeRole',
      Effect: 'Allow',
      Principal: { Federated: 'arn:aws-us-gov:iam::444455556666:oidc-provider/token.example.com' },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: { 'token.example.com:aud': 'sts.amazonaws.com' },
        StringLike: { 'token.example.com:sub': ['platform:worker-*', 'platform:prod'] },
      },
    });
  });

  it('lets web-identity tokens tag the session and set a source identity only when asked', () => {
    const oidc = {
      type: 'oidc' as const,
      accountId: '444455556666',
      issuer: 'oidc.example.com/id',
      audiences: ['sts.amazonaws.com'],
      subjects: ['org:o1:*'],
    };
    const plain = buildTrustPolicy({ partition: 'aws', principals: [oidc] }).document.Statement[0];
    expect(plain?.Action).toBe('sts:AssumeRoleWithWebIdentity');
    const tagged = buildTrustPolicy({
      partition: 'aws',
      principals: [{ ...oidc, sessionActions: ['sts:SetSourceIdentity', 'sts:TagSession', 'sts:TagSession'] }],
    }).document.Statement[0];
    expect(tagged?.Action).toEqual(['sts:AssumeRoleWithWebIdentity', 'sts:TagSession', 'sts:SetSourceIdentity']);
    expect(() =>
      buildTrustPolicy({
        partition: 'aws',
        principals: [{ ...oidc, sessionActions: ['sts:AssumeRole' as 'sts:TagSession'] }],
      }),
    ).toThrow(/principals\[0\]\.sessionActions\[0\]/);
  });

  it('refuses bad input with an error naming the field', () => {
    const cases: Array<[() => unknown, string, string]> = [
      [
        () =>
          buildTrustPolicy({
            partition: 'aws',
            principals: [{ type: 'account', accountId: '1234', externalId: { ids: ['abc'] } }],
          }),
        'INVALID_ACCOUNT_ID',
        'principals[0].accountId',
      ],
      [
        () =>
          buildTrustPolicy({
            partition: 'aws-cn',
            principals: [{ type: 'role', roleArn: 'arn:aws:iam::111122223333:role/x', externalId: { ids: ['abc'] } }],
          }),
        'INVALID_PARTITION',
        'principals[0].roleArn',
      ],
      [
        () =>
          buildTrustPolicy({
            partition: 'aws',
            principals: [{ type: 'account', accountId: '111122223333', externalId: { ids: [] } }],
          }),
        'INVALID_EXTERNAL_ID',
        'principals[0].externalId.ids',
      ],
      [
        () =>
          buildTrustPolicy({
            partition: 'aws',
            principals: [{ type: 'account', accountId: '111122223333', externalId: { ids: ['ok-id', 'bad id'] } }],
          }),
        'INVALID_EXTERNAL_ID',
        'principals[0].externalId.ids[1]',
      ],
      [() => buildTrustPolicy({ partition: 'aws', principals: [] }), 'INVALID_INPUT', 'principals'],
      // A string where a list belongs must not be spread into one-character IDs.
      [
        () =>
          buildTrustPolicy({
            partition: 'aws',
            principals: [
              { type: 'account', accountId: '111122223333', externalId: { ids: 'abcdef' as unknown as string[] } },
            ],
          }),
        'INVALID_EXTERNAL_ID',
        'principals[0].externalId.ids',
      ],
      [
        () =>
          buildTrustPolicy({
            partition: 'aws',
            principals: [
              {
                type: 'oidc',
                accountId: '111122223333',
                issuer: 'token.example.com',
                audiences: 'sts.amazonaws.com' as unknown as string[],
                subjects: ['x'],
              },
            ],
          }),
        'INVALID_INPUT',
        'principals[0].audiences',
      ],
      [
        () =>
          buildTrustPolicy({
            partition: 'aws',
            principals: [
              {
                type: 'service',
                service: 'spotfleet',
                confusedDeputy: {
                  sourceAccount: '111122223333',
                  sourceArn: { scope: 'resource', arn: 'arn:aws:ec2:us-east-1:999999999999:spot-fleet-request/sfr-1' },
                },
              },
            ],
          }),
        'INVALID_ACCOUNT_ID',
        'principals[0].confusedDeputy.sourceArn.arn',
      ],
      [
        () =>
          buildTrustPolicy({
            partition: 'aws',
            principals: [
              {
                type: 'service',
                service: 'spotfleet',
                confusedDeputy: {
                  sourceAccount: '111122223333',
                  sourceArn: {
                    scope: 'resource',
                    arn: 'arn:aws-cn:ec2:cn-north-1:111122223333:spot-fleet-request/sfr-1',
                  },
                },
              },
            ],
          }),
        'INVALID_PARTITION',
        'principals[0].confusedDeputy.sourceArn.arn',
      ],
      [
        () =>
          buildTrustPolicy({
            partition: 'aws',
            principals: [
              {
                type: 'oidc',
                accountId: '111122223333',
                issuer: 'token.example.com',
                audiences: ['sts.amazonaws.com'],
                subjects: ['*'],
              },
            ],
          }),
        'INVALID_INPUT',
        'principals[0].subjects',
      ],
      [
        () =>
          buildTrustPolicy({
            partition: 'aws',
            principals: [{ type: 'account', accountId: '111122223333', externalId: { ids: ['abc'] } }],
            maxSize: 5000,
          }),
        'INVALID_INPUT',
        'maxSize',
      ],
    ];
    for (const [fn, code, field] of cases) {
      const e = thrown(fn);
      expect([e.code, e.field], e.message).toEqual([code, field]);
      expect(e.message.startsWith(field)).toBe(true);
    }
  });

  it('refuses a trust policy over the size limit with TRUST_POLICY_TOO_LARGE (2,048 by default, up to 4,096)', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `external-id-${String(i).padStart(40, '0')}`);
    const principals = [{ type: 'account' as const, accountId: '111122223333', externalId: { ids } }];
    const e = thrown(() => buildTrustPolicy({ partition: 'aws', principals }));
    expect(e.code).toBe('TRUST_POLICY_TOO_LARGE');
    expect(e.field).toBe('trustPolicy');
    expect(e.details.limit).toBe(2048);
    expect(e.details.size).toBeGreaterThan(2048);
    const raised = buildTrustPolicy({ partition: 'aws', principals, maxSize: 4096 });
    expect(raised.size).toBeGreaterThan(2048);
    expect(raised.size).toBeLessThanOrEqual(4096);
  });
});

describe('service principal table', () => {
  it('gives every China entry a source and keeps the commercial form elsewhere', () => {
    for (const [service, fact] of Object.entries(CHINA_SERVICE_PRINCIPALS)) {
      expect(fact.sources.length, service).toBeGreaterThan(0);
      expect(fact.principal.startsWith(`${service}.amazonaws.com`)).toBe(true);
      expect(servicePrincipal(service, 'aws').principal).toBe(`${service}.amazonaws.com`);
      expect(servicePrincipal(service, 'aws-cn')).toMatchObject({ principal: fact.principal, verified: true });
    }
    expect(servicePrincipal('lambda', 'aws-cn').principal).toBe('lambda.amazonaws.com');
    expect(servicePrincipal('s3.amazonaws.com.cn', 'aws-cn').principal).toBe('s3.amazonaws.com.cn');
    expect(() => servicePrincipal('EC2 service', 'aws')).toThrow(TrustgateError);
  });
});

describe('platform identity and session duration', () => {
  it("picks the identity of the customer's partition and refuses a missing or mismatched one", () => {
    const ids = {
      aws: { accountId: '111122223333' },
      'aws-cn': { accountId: '444455556666', roleArn: 'arn:aws-cn:iam::444455556666:role/platform' },
    };
    expect(platformIdentityFor(ids, 'aws-cn').roleArn).toBe('arn:aws-cn:iam::444455556666:role/platform');
    expect(thrown(() => platformIdentityFor(ids, 'aws-us-gov'))).toMatchObject({
      code: 'INVALID_PARTITION',
      field: 'platform.aws-us-gov',
    });
    const wrong = { 'aws-us-gov': { accountId: '111122223333', roleArn: 'arn:aws:iam::111122223333:role/platform' } };
    expect(thrown(() => platformIdentityFor(wrong, 'aws-us-gov'))).toMatchObject({
      code: 'INVALID_PARTITION',
      field: 'platform.aws-us-gov.roleArn',
    });
  });
  it('accepts MaxSessionDuration 3,600-43,200 only', () => {
    expect(validateMaxSessionDuration(3600)).toEqual([]);
    expect(validateMaxSessionDuration(43200)).toEqual([]);
    for (const bad of [3599, 43201, 3600.5, '3600']) expect(validateMaxSessionDuration(bad)).toHaveLength(1);
  });
});
