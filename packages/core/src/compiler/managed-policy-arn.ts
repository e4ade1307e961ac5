import { parseArn } from '../arn/index.ts';
import { MANAGED_POLICY_NAME } from '../catalog/index.ts';
import { TrustgateError } from '../errors/index.ts';
import type { Partition } from '../partition/index.ts';

/**
 * The partition-correct ARN of an AWS managed policy: `arn:<partition>:iam::aws:policy/<path/><name>`
 * (`ReadOnlyAccess` -> `arn:aws-cn:iam::aws:policy/ReadOnlyAccess`; `service-role/AmazonEC2SpotFleetTaggingRole`
 * keeps its path). An AWS managed policy ARN of any partition is accepted and rewritten for `partition`.
 * Throws `INVALID_INPUT` for anything else (a customer managed policy ARN, a malformed name)
 * (IAM User Guide, "AWS managed policies"; IAM identifiers, "IAM ARNs").
 */
export function managedPolicyArn(nameOrArn: string, partition: Partition): string {
  const name = awsManagedPolicyName(nameOrArn) ?? nameOrArn;
  if (name.startsWith('arn:') || !MANAGED_POLICY_NAME.test(name)) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `"${nameOrArn}" is not an AWS managed policy name (like ReadOnlyAccess or job-function/ViewOnlyAccess) or AWS managed policy ARN`,
      { field: 'managedPolicies' },
    );
  }
  return `arn:${partition}:iam::aws:policy/${name}`;
}

/** The `<path/><name>` of an AWS managed policy ARN (`arn:<partition>:iam::aws:policy/...`), else undefined. */
function awsManagedPolicyName(text: string): string | undefined {
  if (!text.startsWith('arn:')) return undefined;
  const parsed = parseArn(text);
  if (!parsed.ok) return undefined;
  const { service, region, accountId, resource } = parsed.arn;
  if (service !== 'iam' || region !== '' || accountId !== 'aws' || !resource.startsWith('policy/')) return undefined;
  return resource.slice('policy/'.length) || undefined;
}
