import { assertNoErrors, validateRoleName } from '../arn/index.ts';
import { TrustgateError } from '../errors/index.ts';
import { isPartition, partitionInfo, type Partition } from '../partition/index.ts';
import type { PolicyDocument } from '../policy-document/index.ts';

/** The inline policy name the IAM console's "Revoke active sessions" writes. */
export const REVOKE_OLDER_SESSIONS_POLICY_NAME = 'AWSRevokeOlderSessions';

/** Input of {@link revokeOlderSessionsRemedy}. */
export interface RevokeOlderSessionsInput {
  partition: Partition;
  /** The customer's role (its name, not its ARN). */
  roleName: string;
  /** Sessions issued before this instant are denied. */
  cutoff: Date;
}

/** The customer-side remedy: the policy, and two ways to put it on the role. */
export interface RevokeOlderSessionsRemedy {
  policyName: typeof REVOKE_OLDER_SESSIONS_POLICY_NAME;
  /** The cut-off as written into the policy (ISO 8601 UTC, whole seconds, rounded up). */
  cutoff: string;
  document: PolicyDocument;
  /** One `aws iam put-role-policy` command line, quoted for POSIX shells, against the partition's IAM endpoint. */
  cli: string;
  /** A CloudFormation `Resources` entry: `{ AWSRevokeOlderSessions: { Type: 'AWS::IAM::RolePolicy', Properties } }`. */
  cloudformation: Record<string, { Type: 'AWS::IAM::RolePolicy'; Properties: Record<string, unknown> }>;
  /** The role's page in the partition's IAM console (its "Revoke sessions" tab does the same). */
  consoleUrl: string;
}

/** Single-quote for a POSIX shell: `'` becomes `'\''`. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * AWS's own remedy for sessions that cannot be recalled one by one (IAM User Guide, "Revoke IAM role temporary
 * security credentials"): the inline policy `AWSRevokeOlderSessions` that the IAM console's "Revoke active
 * sessions" attaches — Deny `*` on `*` when `aws:TokenIssueTime` is `DateLessThan` the cut-off — so every session
 * of the role issued before it fails on its next call while sessions issued later keep working. trustgate holds
 * no right to change the customer's role, so it hands the customer the policy, a CLI command and a template
 * snippet.
 *
 * The cut-off is rounded up to the next whole second (a session issued in the same second before it is still
 * denied); use the returned `cutoff` as the broker's own cut-off too, so the broker never serves a session the
 * policy denies. The CLI names the partition's default region, so it reaches the right partition's IAM (GovCloud
 * and China IAM are separate endpoints). Throws INVALID_PARTITION, INVALID_ROLE_NAME or INVALID_INPUT (`cutoff`).
 */
export function revokeOlderSessionsRemedy(input: RevokeOlderSessionsInput): RevokeOlderSessionsRemedy {
  if (!isPartition(input.partition))
    throw new TrustgateError('INVALID_PARTITION', 'partition: use aws, aws-us-gov or aws-cn', { field: 'partition' });
  assertNoErrors(validateRoleName(input.roleName, 'roleName'));
  if (!(input.cutoff instanceof Date) || Number.isNaN(input.cutoff.getTime()))
    throw new TrustgateError('INVALID_INPUT', 'cutoff: a valid date is required', { field: 'cutoff' });
  const seconds = Math.ceil(input.cutoff.getTime() / 1000);
  const cutoff = `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;
  const document: PolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff } },
      },
    ],
  };
  const info = partitionInfo(input.partition);
  const cli = [
    'aws iam put-role-policy',
    `--region ${info.defaultRegion}`,
    `--role-name ${shellQuote(input.roleName)}`,
    `--policy-name ${REVOKE_OLDER_SESSIONS_POLICY_NAME}`,
    `--policy-document ${shellQuote(JSON.stringify(document))}`,
  ].join(' ');
  return {
    policyName: REVOKE_OLDER_SESSIONS_POLICY_NAME,
    cutoff,
    document,
    cli,
    cloudformation: {
      [REVOKE_OLDER_SESSIONS_POLICY_NAME]: {
        Type: 'AWS::IAM::RolePolicy',
        Properties: {
          RoleName: input.roleName,
          PolicyName: REVOKE_OLDER_SESSIONS_POLICY_NAME,
          PolicyDocument: document,
        },
      },
    },
    consoleUrl: `https://${info.consoleHost}/iam/home#/roles/details/${encodeURIComponent(input.roleName)}`,
  };
}
