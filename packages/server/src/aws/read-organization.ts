import type { OrganizationsClient } from '@aws-sdk/client-organizations';
import { TrustgateError, type Partition } from '@trustgate/core';
import { loadOrganizations } from './sdk.ts';

/** The narrow Organizations port verification uses: only `send` of an SDK v3 Organizations client. */
export type OrganizationsPort = Pick<OrganizationsClient, 'send'>;

/**
 * The Region Organizations is called (and signed) in: its endpoint is global per partition — us-east-1 in
 * `aws`, us-gov-west-1 in `aws-us-gov`, cn-northwest-1 in `aws-cn` (AWS General Reference, "AWS Organizations
 * endpoints and quotas"; the partitions' implicit global Region in the SDK's endpoint rules).
 */
export function organizationsRegion(partition: Partition): string {
  return partition === 'aws-us-gov' ? 'us-gov-west-1' : partition === 'aws-cn' ? 'cn-northwest-1' : 'us-east-1';
}

/**
 * What Organizations told a role's session about the role's account: the organization it belongs to, that
 * it belongs to none (`AWSOrganizationsNotInUseException`), or that the session may not ask
 * (`AccessDeniedException`: the role lacks `organizations:DescribeOrganization`, or an SCP denies it).
 */
export type OrganizationObservation =
  | { kind: 'member'; organizationId: string; managementAccountId?: string }
  | { kind: 'none' }
  | { kind: 'unreadable'; error: string };

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/**
 * Asks Organizations, as the role's own session, which organization the role's account belongs to
 * (`organizations:DescribeOrganization`, callable from any account of an organization — AWS Organizations API
 * reference). This is the only truthful source: the platform cannot query the customer's organization itself.
 * Throws AWS_ERROR when AWS gives no answer (network, throttling after the SDK's retries, 5xx), so a
 * platform-side failure is never taken for a verdict on the customer's account.
 */
export async function readOrganization(organizations: OrganizationsPort): Promise<OrganizationObservation> {
  try {
    const { DescribeOrganizationCommand } = await loadOrganizations();
    const out = await organizations.send(new DescribeOrganizationCommand({}));
    const id = out.Organization?.Id;
    if (id === undefined) return { kind: 'unreadable', error: 'DescribeOrganization returned no organization ID' };
    return {
      kind: 'member',
      organizationId: id,
      ...(out.Organization?.MasterAccountId === undefined
        ? {}
        : { managementAccountId: out.Organization.MasterAccountId }),
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === 'AWSOrganizationsNotInUseException') return { kind: 'none' };
    if (/AccessDenied/.test(name)) return { kind: 'unreadable', error: errorText(error) };
    throw new TrustgateError('AWS_ERROR', `AWS could not be asked about the role's organization: ${errorText(error)}`, {
      cause: error,
    });
  }
}
