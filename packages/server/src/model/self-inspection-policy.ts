import type { Partition, PolicyDocument } from '@trustgate/core';
import type { Connection, IssuedPolicy } from './records.ts';

/**
 * The policy trustgate adds to every connection's role so verification can read the role's own policies —
 * and nothing else: the role itself (GetRole, ListAttachedRolePolicies, ListRolePolicies, GetRolePolicy), the
 * customer managed policies the template creates for it (`<role>-*`), and AWS managed policies (public
 * documents anyway). Scoped by name rather than `*`, so the platform cannot read the account's other IAM
 * policies (IAM User Guide, "Grant least privilege"). With `organization` (organization-scoped connections)
 * it also allows `organizations:DescribeOrganization`, so verification can prove the account's membership;
 * other connections do not get it.
 */
export function selfInspectionPolicy(
  partition: Partition,
  roleName: string,
  options: { organization?: boolean } = {},
): { name: string; document: PolicyDocument } {
  return {
    name: `${roleName}-verification`.slice(0, 128),
    document: {
      Version: '2012-10-17',
      Statement: [
        // Organization-scoped connections only: verification asks, as the role, which organization the account
        // is in. The action has no resource type (Service Authorization Reference, AWS Organizations), hence `*`.
        ...(options.organization === true
          ? [
              {
                Sid: 'TrustgateReadsTheOrganization',
                Effect: 'Allow' as const,
                Action: 'organizations:DescribeOrganization',
                Resource: '*',
              },
            ]
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

/**
 * A stored issued policy with the current self-inspection policy (records are upgraded when read): a
 * connection issued before its scope's inspection needs changed — organization-scoped connections from before
 * verification asked Organizations — gets a template that grants what verification now asks, so "update the
 * stack" fixes it. Only the document named `<role>-verification` is replaced; everything else is kept.
 */
export function withCurrentSelfInspection(
  issued: IssuedPolicy,
  c: Pick<Connection, 'partition' | 'roleName' | 'scope'>,
): IssuedPolicy {
  const current = selfInspectionPolicy(c.partition, c.roleName, { organization: c.scope.kind === 'organization' });
  const index = issued.documents.findIndex((d) => d.name === current.name);
  if (index < 0 || JSON.stringify(issued.documents[index]!.document) === JSON.stringify(current.document))
    return issued;
  return { ...issued, documents: issued.documents.map((d, i) => (i === index ? current : d)) };
}
