import { assertNoErrors, validateIamName, parseArn, splitArn } from '../arn/index.ts';
import { TrustgateError, type Finding } from '../errors/index.ts';
import { isPartition, type Partition } from '../partition/index.ts';
import { policySize } from '../policy-document/index.ts';
import type { BlueprintOptions, NamedPolicy } from './blueprint-options.ts';

/** Customer managed policy size quota (IAM quotas: 6,144 characters without white space). */
export const MANAGED_POLICY_SIZE_LIMIT = 6144;
/** Managed policies attached to one role or user (IAM quotas: 10 by default, 20 at most). */
export const ATTACHED_POLICIES_DEFAULT_LIMIT = 10;

/**
 * Check policies before a blueprint puts them in a deliverable: names are 1-128 characters of `[\w+=,.@-]`,
 * unique; each document has `Version` 2012-10-17 and statements, fits 6,144 characters and names no ARN of another
 * partition (`arn:aws-cn:...` in an `aws` deliverable; `arn:*:` patterns pass); attached ARNs are policy ARNs of
 * the partition; more than 10 attachments is a warning (the default quota), more than 20 an error.
 * Throws the first error naming the field; returns warnings.
 */
export function checkPolicies(policies: NamedPolicy[], managedPolicyArns: string[], partition: Partition): Finding[] {
  const warnings: Finding[] = [];
  if (!Array.isArray(policies))
    throw new TrustgateError('INVALID_INPUT', 'policies: a list of { name, document } is required', {
      field: 'policies',
    });
  if (!Array.isArray(managedPolicyArns))
    throw new TrustgateError('INVALID_INPUT', 'managedPolicyArns: a list of policy ARNs is required', {
      field: 'managedPolicyArns',
    });
  const seen = new Set<string>();
  policies.forEach((p, i) => {
    assertNoErrors(validateIamName(p?.name, { path: `policies[${i}].name`, maxLength: 128, kind: 'policy name' }));
    if (seen.has(p.name))
      throw new TrustgateError('INVALID_INPUT', `policies[${i}].name: "${p.name}" is used twice`, {
        field: `policies[${i}].name`,
      });
    seen.add(p.name);
    const doc = p.document as unknown as { Version?: unknown; Statement?: unknown };
    if (!doc || doc.Version !== '2012-10-17' || !Array.isArray(doc.Statement) || doc.Statement.length === 0) {
      throw new TrustgateError(
        'INVALID_POLICY',
        `policies[${i}].document: a policy needs "Version": "2012-10-17" and at least one statement`,
        { field: `policies[${i}].document` },
      );
    }
    assertSamePartition(p.document, partition, `policies[${i}].document`);
    const size = policySize(p.document);
    if (size > MANAGED_POLICY_SIZE_LIMIT) {
      throw new TrustgateError(
        'POLICY_TOO_LARGE',
        `policies[${i}].document: ${size} characters exceed the managed policy limit of ${MANAGED_POLICY_SIZE_LIMIT}; split it (the policy compiler does)`,
        { field: `policies[${i}].document`, details: { size, limit: MANAGED_POLICY_SIZE_LIMIT } },
      );
    }
  });
  managedPolicyArns.forEach((arn, i) => {
    const parsed = parseArn(arn, `managedPolicyArns[${i}]`);
    if (!parsed.ok) assertNoErrors(parsed.findings);
    else if (parsed.arn.partition !== partition) {
      throw new TrustgateError(
        'INVALID_PARTITION',
        `managedPolicyArns[${i}]: "${arn}" is in partition ${parsed.arn.partition}, the deliverable in ${partition}`,
        { field: `managedPolicyArns[${i}]` },
      );
    } else if (parsed.arn.service !== 'iam' || !parsed.arn.resource.startsWith('policy/')) {
      throw new TrustgateError('INVALID_ARN', `managedPolicyArns[${i}]: "${arn}" is not an IAM policy ARN`, {
        field: `managedPolicyArns[${i}]`,
      });
    }
  });
  const attached = policies.length + managedPolicyArns.length;
  if (attached > 20) {
    throw new TrustgateError(
      'POLICY_TOO_LARGE',
      `policies: ${attached} managed policies on one role exceed AWS's maximum of 20`,
      { field: 'policies' },
    );
  }
  if (attached > ATTACHED_POLICIES_DEFAULT_LIMIT) {
    warnings.push({
      code: 'ATTACHED_POLICIES_QUOTA',
      severity: 'warning',
      message: `policies: ${attached} managed policies on one role exceed the default quota of 10; the account needs AttachedPoliciesPerRoleQuota raised (up to 20)`,
      path: 'policies',
    });
  }
  return warnings;
}

/** Throw INVALID_PARTITION naming the field when a string of `value` is an ARN of a partition other than `partition`. */
function assertSamePartition(value: unknown, partition: Partition, path: string): void {
  if (typeof value === 'string') {
    const found = splitArn(value)?.partition;
    if (isPartition(found) && found !== partition) {
      throw new TrustgateError(
        'INVALID_PARTITION',
        `${path}: "${value.slice(0, 100)}" is in partition ${found}, the deliverable in ${partition}`,
        { field: path },
      );
    }
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertSamePartition(v, partition, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) assertSamePartition(v, partition, `${path}.${key}`);
  }
}

/**
 * The permissions a blueprint creates and attaches (`policies`, `managedPolicyArns`, both default empty), checked
 * by {@link checkPolicies}. Throws INVALID_INPUT naming `policies` when there are none: `needs` says who needs
 * them in the message ("the instance role"). Returns the checker's warnings too.
 */
export function blueprintPermissions(
  options: Pick<BlueprintOptions, 'partition' | 'policies' | 'managedPolicyArns'>,
  needs: string,
): { policies: NamedPolicy[]; managedPolicyArns: string[]; warnings: Finding[] } {
  const policies = options.policies ?? [];
  const managedPolicyArns = options.managedPolicyArns ?? [];
  if (policies.length + managedPolicyArns.length === 0) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `policies: ${needs} needs permissions: give policy documents (the compiler's output) or managedPolicyArns`,
      { field: 'policies' },
    );
  }
  return { policies, managedPolicyArns, warnings: checkPolicies(policies, managedPolicyArns, options.partition) };
}
