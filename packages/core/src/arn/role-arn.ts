import type { Finding } from '../errors/index.ts';
import type { Partition } from '../partition/index.ts';
import { isAccountId } from './account-id.ts';
import { parseArn } from './parse-arn.ts';
import { validateRoleName } from './role-name.ts';

/** A role ARN taken apart. */
export interface ParsedRoleArn {
  arn: string;
  partition: Partition;
  accountId: string;
  /** The IAM path, `/` when none. */
  rolePath: string;
  roleName: string;
}

/** Result of {@link parseRoleArn}. */
export type ParseRoleArnResult = { ok: true; role: ParsedRoleArn } | { ok: false; findings: Finding[] };

/**
 * Check a pasted role ARN, `arn:<partition>:iam::<12 digits>:role[/path/]/<name>` (IAM User Guide, "IAM
 * identifiers"), and take it apart. With `partition`, an ARN of another partition is refused (a role cannot be
 * assumed across partitions) with `INVALID_PARTITION`; with `accountId`, an ARN of another account is refused.
 * `path` names the field in findings (default `roleArn`).
 */
export function parseRoleArn(
  text: string,
  options: { path?: string; partition?: Partition; accountId?: string } = {},
): ParseRoleArnResult {
  const path = options.path ?? 'roleArn';
  const parsed = parseArn(text, path);
  if (!parsed.ok) return parsed;
  const { arn } = parsed;
  const fail = (code: string, message: string): ParseRoleArnResult => ({
    ok: false,
    findings: [{ code, severity: 'error', message: `${path}: ${message}`, path }],
  });
  if (arn.service !== 'iam' || !arn.resource.startsWith('role/')) {
    return fail(
      'INVALID_ARN',
      `"${text}" is not an IAM role ARN (arn:${options.partition ?? 'aws'}:iam::<account-id>:role/<name>)`,
    );
  }
  if (arn.region !== '') return fail('INVALID_ARN', 'an IAM role ARN has an empty region part (iam is global)');
  if (!isAccountId(arn.accountId))
    return fail('INVALID_ACCOUNT_ID', `the account part "${arn.accountId}" is not a 12-digit account ID`);
  if (options.partition && arn.partition !== options.partition) {
    return fail(
      'INVALID_PARTITION',
      `the role is in partition "${arn.partition}" but the connection is in "${options.partition}"; a role cannot be assumed across partitions`,
    );
  }
  if (options.accountId && arn.accountId !== options.accountId) {
    return fail('INVALID_ACCOUNT_ID', `the role belongs to account ${arn.accountId}, not ${options.accountId}`);
  }
  const rest = arn.resource.slice('role'.length); // "/path/Name" or "/Name"
  const lastSlash = rest.lastIndexOf('/');
  const rolePath = rest.slice(0, lastSlash + 1) || '/';
  const roleName = rest.slice(lastSlash + 1);
  if (rolePath.length > 512) return fail('INVALID_ARN', 'the role path is longer than 512 characters');
  const nameFindings = validateRoleName(roleName, path);
  if (nameFindings.length > 0) return { ok: false, findings: nameFindings };
  return { ok: true, role: { arn: text, partition: arn.partition, accountId: arn.accountId, rolePath, roleName } };
}
