import type { ApiError } from '../../../../api.ts';
import type { CreatedConnection } from '../../wizard-state.ts';
import { scopeAccounts } from '../deliverables/trust-facts.ts';

/** The pasted role ARN, checked in the browser before the service is asked (which checks the same again). */

const ROLE_ARN = /^arn:([^:]*):iam::([^:]*):role\/(?:[\w+=,.@/-]*\/)?([^/]*)$/;
const PARTITIONS = ['aws', 'aws-us-gov', 'aws-cn'];

export interface ParsedRoleArn {
  partition: string;
  accountId: string;
  roleName: string;
}

const invalid = (message: string): ApiError => ({ code: 'INVALID_ARN', field: 'roleArn', message });

/** The ARN's parts, or the error to show beside the field. */
export function checkRoleArn(
  text: string,
  connection: CreatedConnection['connection'],
): { ok: true; arn: ParsedRoleArn } | { ok: false; error: ApiError } {
  const arn = text.trim();
  if (arn === '') return { ok: false, error: invalid("Paste the role's ARN (the stack's RoleArn output).") };
  const m = ROLE_ARN.exec(arn);
  if (m === null)
    return {
      ok: false,
      error: invalid(
        `A role ARN looks like arn:${connection.partition}:iam::123456789012:role/${connection.roleName}.`,
      ),
    };
  const [, partition = '', accountId = '', roleName = ''] = m;
  if (!PARTITIONS.includes(partition))
    return { ok: false, error: invalid(`${partition} is not an AWS partition (aws, aws-us-gov or aws-cn).`) };
  if (partition !== connection.partition)
    return {
      ok: false,
      error: invalid(
        `This connection is in partition ${connection.partition}, the ARN in ${partition}: a role cannot be assumed across partitions (the ARN starts arn:${connection.partition}:).`,
      ),
    };
  if (!/^\d{12}$/.test(accountId)) return { ok: false, error: invalid('The account in the ARN is 12 digits.') };
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName))
    return { ok: false, error: invalid('A role name is 1-64 letters, digits and +=,.@_-.') };
  const accounts = scopeAccounts(connection);
  if (accounts.length > 0 && !accounts.includes(accountId))
    return {
      ok: false,
      error: invalid(`Account ${accountId} is not in this connection's scope (${accounts.join(', ')}).`),
    };
  return { ok: true, arn: { partition, accountId, roleName } };
}
