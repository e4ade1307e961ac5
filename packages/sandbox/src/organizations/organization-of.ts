import type { Partition } from '@trustgate/core';
import type { SandboxState } from '../state/model.ts';

/** An organization as the Organizations API describes it, with the accounts that belong to it. */
export interface OrganizationView {
  id: string;
  rootId: string;
  managementAccountId: string;
  memberAccountIds: string[];
  /** When the organization (and so each account's membership) began. */
  createdAt: string;
}

/** Every organization the sandbox models: `organization` (members default to every account) and `otherOrganizations`. */
export function organizationsOf(state: SandboxState): OrganizationView[] {
  const out: OrganizationView[] = [];
  const org = state.organization;
  const fallbackDate = '2024-01-01T00:00:00.000Z';
  if (org) {
    out.push({
      id: org.id,
      rootId: org.rootId,
      managementAccountId: org.managementAccountId,
      memberAccountIds: org.memberAccountIds ?? Object.keys(state.accounts),
      createdAt: org.createdAt ?? fallbackDate,
    });
  }
  for (const other of state.otherOrganizations ?? [])
    out.push({ ...other, createdAt: other.createdAt ?? fallbackDate });
  return out;
}

/** The organization an account belongs to (as member or management account), or undefined for a standalone account. */
export function organizationOf(state: SandboxState, accountId: string): OrganizationView | undefined {
  return organizationsOf(state).find((o) => o.memberAccountIds.includes(accountId));
}

/**
 * The Region Organizations is served from and signed for in a partition (its endpoint is global per partition:
 * `organizations.us-east-1.amazonaws.com`, `organizations.us-gov-west-1.amazonaws.com`,
 * `organizations.cn-northwest-1.amazonaws.com.cn` — the partitions' `implicitGlobalRegion` in the SDK's endpoint rules).
 */
export function organizationsRegion(partition: Partition): string {
  return partition === 'aws-us-gov' ? 'us-gov-west-1' : partition === 'aws-cn' ? 'cn-northwest-1' : 'us-east-1';
}
