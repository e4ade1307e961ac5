import type { Partition, PolicyDocument } from '@trustgate/core';

/**
 * The policy trustgate adds to every connection's role so verification can read the role's own policies —
 * and nothing else: the role itself (GetRole, ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy), the
 * customer managed policies the template creates for it (`<role>-*`), and AWS managed policies (public
 * documents anyway). Scoped by name rather than `*`, so the platform cannot read the account's other IAM
 * policies (IAM User Guide, "Grant least privilege"). With `organization` (organization-scoped connections)
 * it also allows `organizations:DescribeOrganization`, so verification can prove the account's membership;
 * other connections do not get it.
 */
export function selfInspectionPolicy(partition: Partition, roleName: string, options: { organization?: boolean } = {}): { name: string; document: PolicyDocument } {
  return {
    name: `${roleName}-verification`.slice(0, 128),
    document: {
      Version: '2012-10-17',
      Statement: [
        // Organization-scoped connections only: verification asks, as the role, which organization the account
        // is in. The action has no resource type (Service Authorization Reference, AWS Organizations), hence `*`.
        ...(options.organization === true
          ? [{ Sid: 'TrustgateReadsTheOrganization', Effect: 'Allow' as const, Action: 'organizations:DescribeOrganization', Resource: '*' }]
          : []),
        {
          Sid: 'TrustgateReadsThisRole',
          Effect: 'Allow',
          Action: ['iam:GetRole', 'iam:GetRolePolicy', 'iam:ListAttachedRolePolicies', 'iam:ListRolePolicies'],
          Resource: `arn:${partition}:iam::*:role/${roleName}`,
        },
        {
          Sid: 'TrustgateReadsThisRolesPolicies',
          Effect: 'Allow',
          Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
          Resource: [`arn:${partition}:iam::*:policy/${roleName}-*`, `arn:${partition}:iam::aws:policy/*`],
        },
      ],
    },
  };
}
