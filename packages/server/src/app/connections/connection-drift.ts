import { splitArn } from '@trustgate/core';
import { loadConnectionFor } from '../../auth/connection-access.ts';
import type { Principal } from '../../auth/principal.ts';
import type { RolePolicies } from '../../aws/read-role-policies.ts';
import type { ConnectionStatus, ObservedRolePolicies, PolicyDocumentEntry } from '../../model/records.ts';
import type { ConnectionDeps } from '../deps.ts';

/** True for an AWS managed policy ARN (`arn:<partition>:iam::aws:policy/...`): its document is AWS's, not kept. */
function isAwsManaged(source: string): boolean {
  const parts = splitArn(source);
  return parts?.service === 'iam' && parts.account === 'aws' && parts.resource.startsWith('policy/');
}

/**
 * What a verification keeps of the role's policies for the drift view: the inline and customer managed documents
 * (AWS managed ones by ARN only) and every attached managed policy's ARN.
 */
export function observedPolicies(policies: RolePolicies): ObservedRolePolicies {
  return {
    policies: policies.identityPolicies
      .filter((p) => !isAwsManaged(p.source))
      .map((p) => ({
        source: p.source,
        name: p.source.startsWith('inline:') ? p.source.slice('inline:'.length) : (p.source.split('/').pop() ?? ''),
        document: p.document,
      })),
    managedPolicyArns: [...policies.attachedPolicyArns],
  };
}

/** A connection's drift: the permissions it expects, and each role's policies as its last verification read them. */
export interface ConnectionDrift {
  expected: { policies: PolicyDocumentEntry[]; managedPolicyArns: string[] };
  roles: {
    accountId: string;
    roleArn: string;
    status: ConnectionStatus;
    verifiedAt: string | null;
    /** Null when the role was never verified, or its policies could not be read, or verified before this was kept. */
    observed: ObservedRolePolicies | null;
  }[];
}

/**
 * The expected policy documents (what the current template writes) against each role's current ones, as last
 * verified (viewer access): re-verify to refresh. The console shows them side by side.
 */
export async function getConnectionDrift(
  deps: ConnectionDeps,
  principal: Principal,
  id: string,
): Promise<ConnectionDrift> {
  const { connection } = await loadConnectionFor(deps.store, principal, id, 'viewer');
  const roles = await deps.store.connections.listRoles(id);
  return {
    expected: {
      policies: connection.issuedPolicy.documents,
      managedPolicyArns: connection.issuedPolicy.managedPolicyArns,
    },
    roles: roles.map((r) => ({
      accountId: r.accountId,
      roleArn: r.roleArn,
      status: r.status,
      verifiedAt: r.verifiedAt,
      observed: r.details?.observed ?? null,
    })),
  };
}
