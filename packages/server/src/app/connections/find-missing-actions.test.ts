import { describe, expect, it } from 'vitest';
import type { PolicyDocument } from '@trustgate/core';
import { findMissingActions } from './find-missing-actions.ts';
import type { IssuedPolicy } from '../../model/records.ts';

const issued: IssuedPolicy = {
  documents: [
    {
      name: 'p1',
      document: {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:GetObject', 's3:ListBucket'],
            Resource: ['arn:aws:s3:::reports', 'arn:aws:s3:::reports/*'],
          },
          { Effect: 'Allow', Action: ['ec2:DescribeInstances', 'ec2:DescribeRegions'], Resource: '*' },
        ],
      },
    },
  ],
  managedPolicyArns: [],
  requiredActions: [
    { productId: 'p', integrationId: 'storage', actions: ['s3:GetObject', 's3:ListBucket'] },
    { productId: 'p', integrationId: 'compute', actions: ['ec2:DescribeInstances', 'ec2:DescribeRegions'] },
  ],
};
const principalArn = 'arn:aws:sts::222222222222:assumed-role/R/s';
const doc = (...Statement: PolicyDocument['Statement'][]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: Statement.flat() as PolicyDocument['Statement'],
});

describe('findMissingActions', () => {
  it('finds nothing missing when the role holds the issued documents themselves', () => {
    expect(
      findMissingActions({ issued, identityPolicies: issued.documents.map((d) => d.document), principalArn }),
    ).toEqual([]);
  });

  it('lists every action per integration for a role with no policies', () => {
    expect(findMissingActions({ issued, identityPolicies: [], principalArn })).toEqual(issued.requiredActions);
  });

  it('accepts wildcards that cover the actions, and rejects grants on other resources', () => {
    const policies = [
      doc([
        { Effect: 'Allow', Action: ['ec2:Describe*', 's3:Get*'], Resource: 'arn:aws:s3:::other/*' },
        { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' },
      ]),
    ];
    expect(findMissingActions({ issued, identityPolicies: policies, principalArn })).toEqual([
      { productId: 'p', integrationId: 'storage', actions: ['s3:GetObject', 's3:ListBucket'] },
    ]);
  });

  it('counts an explicit deny as missing, even next to an allow', () => {
    const policies = [
      ...issued.documents.map((d) => d.document),
      doc([{ Effect: 'Deny', Action: 'ec2:DescribeRegions', Resource: '*' }]),
    ];
    expect(findMissingActions({ issued, identityPolicies: policies, principalArn })).toEqual([
      { productId: 'p', integrationId: 'compute', actions: ['ec2:DescribeRegions'] },
    ]);
  });

  it('counts a permissions boundary that leaves an action out as missing', () => {
    const boundary = doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]);
    expect(
      findMissingActions({
        issued,
        identityPolicies: issued.documents.map((d) => d.document),
        permissionsBoundary: boundary,
        principalArn,
      }).map((m) => m.integrationId),
    ).toEqual(['compute']);
  });

  it("reads an account pattern in a granted resource as the role's own account", () => {
    const own: IssuedPolicy = {
      documents: [
        { name: 'v', document: doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::*:role/R' }]) },
      ],
      managedPolicyArns: [],
      requiredActions: [{ productId: 'p', integrationId: 'self', actions: ['iam:GetRole'] }],
    };
    expect(
      findMissingActions({ issued: own, identityPolicies: own.documents.map((d) => d.document), principalArn }),
    ).toEqual([]);
    expect(
      findMissingActions({
        issued: own,
        identityPolicies: [doc([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: 'arn:aws:iam::*:role/Other' }])],
        principalArn,
      }),
    ).toEqual(own.requiredActions);
  });

  it('treats an allow whose only open question is a request condition as present', () => {
    const policies = [
      doc([
        {
          Effect: 'Allow',
          Action: ['ec2:DescribeInstances', 'ec2:DescribeRegions', 's3:GetObject', 's3:ListBucket'],
          Resource: '*',
          Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        },
      ]),
    ];
    expect(findMissingActions({ issued, identityPolicies: policies, principalArn })).toEqual([]);
  });
});
