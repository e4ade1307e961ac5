import type { PolicyDocument } from '@trustgate/core';

/** An AWS managed policy the sandbox knows (`arn:<partition>:iam::aws:policy/<path><name>`). */
export interface AwsManagedPolicy {
  name: string;
  path: string;
  document: PolicyDocument;
  /** True when the document here is shorter than AWS's real one (see the README's conformance table). */
  abbreviated: boolean;
}

const allow = (actions: string[], resource: string | string[] = '*'): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }],
});

/**
 * The AWS managed policies the sandbox serves. AWS has over a thousand; the sandbox carries the ones
 * trustgate's blueprints and tests attach. `AdministratorAccess`, `IAMReadOnlyAccess` and `IAMFullAccess`
 * carry AWS's documents (AWS Managed Policy Reference Guide); the broad read-only ones are abbreviated to
 * their `Get*`/`List*`/`Describe*` shape and marked so.
 */
export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  { name: 'AdministratorAccess', path: '/', abbreviated: false, document: allow(['*']) },
  {
    name: 'IAMFullAccess',
    path: '/',
    abbreviated: false,
    document: allow([
      'iam:*',
      'organizations:DescribeAccount',
      'organizations:DescribeOrganization',
      'organizations:DescribeOrganizationalUnit',
      'organizations:DescribePolicy',
      'organizations:ListChildren',
      'organizations:ListParents',
      'organizations:ListPoliciesForTarget',
      'organizations:ListRoots',
      'organizations:ListPolicies',
      'organizations:ListTargetsForPolicy',
    ]),
  },
  {
    name: 'IAMReadOnlyAccess',
    path: '/',
    abbreviated: false,
    document: allow([
      'iam:GenerateCredentialReport',
      'iam:GenerateServiceLastAccessedDetails',
      'iam:Get*',
      'iam:List*',
      'iam:SimulateCustomPolicy',
      'iam:SimulatePrincipalPolicy',
    ]),
  },
  { name: 'ReadOnlyAccess', path: '/', abbreviated: true, document: allow(['*:Describe*', '*:Get*', '*:List*']) },
  { name: 'ViewOnlyAccess', path: '/job-function/', abbreviated: true, document: allow(['*:Describe*', '*:List*']) },
  { name: 'SecurityAudit', path: '/', abbreviated: true, document: allow(['*:Describe*', '*:Get*', '*:List*']) },
  {
    name: 'PowerUserAccess',
    path: '/',
    abbreviated: false,
    document: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
        {
          Effect: 'Allow',
          Action: [
            'account:GetAccountInformation',
            'account:GetPrimaryEmail',
            'account:ListRegions',
            'iam:CreateServiceLinkedRole',
            'iam:DeleteServiceLinkedRole',
            'iam:ListRoles',
            'organizations:DescribeOrganization',
          ],
          Resource: '*',
        },
      ],
    },
  },
  {
    name: 'AmazonEC2SpotFleetTaggingRole',
    path: '/service-role/',
    abbreviated: true,
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'ec2:DescribeImages',
            'ec2:DescribeSubnets',
            'ec2:RequestSpotInstances',
            'ec2:DescribeInstanceStatus',
            'ec2:RunInstances',
          ],
          Resource: ['*'],
        },
        {
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: ['*'],
          Condition: { StringEquals: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ec2.amazonaws.com.cn'] } },
        },
        {
          Effect: 'Allow',
          Action: ['ec2:CreateTags'],
          Resource: [
            'arn:aws:ec2:*:*:instance/*',
            'arn:aws:ec2:*:*:spot-instances-request/*',
            'arn:aws:ec2:*:*:spot-fleet-request/*',
            'arn:aws:ec2:*:*:volume/*',
          ],
        },
        {
          Effect: 'Allow',
          Action: ['ec2:TerminateInstances'],
          Resource: '*',
          Condition: { StringLike: { 'ec2:ResourceTag/aws:ec2spot:fleet-request-id': '*' } },
        },
        {
          Effect: 'Allow',
          Action: ['elasticloadbalancing:RegisterInstancesWithLoadBalancer'],
          Resource: ['arn:aws:elasticloadbalancing:*:*:loadbalancer/*'],
        },
        {
          Effect: 'Allow',
          Action: ['elasticloadbalancing:RegisterTargets'],
          Resource: ['arn:aws:elasticloadbalancing:*:*:*/*'],
        },
      ],
    },
  },
];

/** The AWS managed policy with this ARN, or undefined (any partition). */
export function findAwsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  const m = /^arn:[a-z-]+:iam::aws:policy(\/.*\/|\/)([^/]+)$/.exec(arn);
  if (!m) return undefined;
  return AWS_MANAGED_POLICIES.find((p) => p.path === m[1] && p.name === m[2]);
}
