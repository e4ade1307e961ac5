import type { Caller } from '../auth/caller.ts';
import type { SandboxState } from '../state/model.ts';
import { organizationOf, type OrganizationView } from './organization-of.ts';

/** An error of the Organizations API (AWS JSON 1.1): its code (`__type`) and HTTP status. */
export class OrganizationsError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'OrganizationsError';
    this.code = code;
    this.status = status;
  }
}

/** `AccessDeniedException`: Organizations' message for IAM denials and management-only actions alike. */
export function organizationsAccessDenied(): OrganizationsError {
  return new OrganizationsError('AccessDeniedException', "You don't have permissions to access this resource.");
}

/** `AWSOrganizationsNotInUseException`: the caller's account is in no organization. */
export function notInUse(): OrganizationsError {
  return new OrganizationsError(
    'AWSOrganizationsNotInUseException',
    'Your account is not a member of an organization.',
  );
}

/** One Organizations call being served. */
export interface OrganizationsCall {
  state: SandboxState;
  caller: Caller;
  input: Record<string, unknown>;
}

/** The IAM action and resource an Organizations call is authorized for (Service Authorization Reference, AWS Organizations). */
export interface OrganizationsActionSpec {
  /** The resource ARN authorized (`*` for actions without a resource type). */
  resource(call: OrganizationsCall): string;
  handler(call: OrganizationsCall): Record<string, unknown>;
}

const arnPrefix = (state: SandboxState, org: OrganizationView): string =>
  `arn:${state.partition}:organizations::${org.managementAccountId}`;

/** The account's email and name: the sandbox has none of its own, so both are derived from the ID. */
function accountJson(state: SandboxState, org: OrganizationView, accountId: string): Record<string, unknown> {
  return {
    Id: accountId,
    Arn: `${arnPrefix(state, org)}:account/${org.id}/${accountId}`,
    Email: `aws+${accountId}@sandbox.trustgate.test`,
    Name: `sandbox-${accountId}`,
    Status: 'ACTIVE',
    State: 'ACTIVE',
    JoinedMethod: accountId === org.managementAccountId ? 'INVITED' : 'CREATED',
    // AWS JSON timestamps are epoch seconds.
    JoinedTimestamp: Date.parse(org.createdAt) / 1000,
  };
}

/** The caller's organization, or AWSOrganizationsNotInUseException. */
function callerOrganization(call: OrganizationsCall): OrganizationView {
  const org = organizationOf(call.state, call.caller.accountId);
  if (!org) throw notInUse();
  return org;
}

/** Management-only actions: any other account (members included) gets AccessDeniedException, as in AWS. */
function managementOrganization(call: OrganizationsCall): OrganizationView {
  const org = callerOrganization(call);
  if (call.caller.accountId !== org.managementAccountId) throw organizationsAccessDenied();
  return org;
}

const PAGE_SIZE = 20;

/**
 * The Organizations actions the sandbox serves (AWS Organizations API reference):
 * - DescribeOrganization: from any account of an organization (`organizations:DescribeOrganization`, resource `*`);
 * - DescribeAccount, ListAccounts: from the management account only.
 * An account outside every organization gets AWSOrganizationsNotInUseException.
 */
export const ORGANIZATIONS_ACTIONS: Record<string, OrganizationsActionSpec> = {
  DescribeOrganization: {
    resource: () => '*',
    handler(call) {
      const org = callerOrganization(call);
      const prefix = arnPrefix(call.state, org);
      return {
        Organization: {
          Id: org.id,
          Arn: `${prefix}:organization/${org.id}`,
          FeatureSet: 'ALL',
          MasterAccountArn: `${prefix}:account/${org.id}/${org.managementAccountId}`,
          MasterAccountId: org.managementAccountId,
          MasterAccountEmail: `aws+${org.managementAccountId}@sandbox.trustgate.test`,
          // Deprecated by AWS but still returned: SCPs only.
          AvailablePolicyTypes: [{ Type: 'SERVICE_CONTROL_POLICY', Status: 'ENABLED' }],
        },
      };
    },
  },
  DescribeAccount: {
    resource(call) {
      const org = organizationOf(call.state, call.caller.accountId);
      const id = typeof call.input.AccountId === 'string' ? call.input.AccountId : '';
      return org ? `${arnPrefix(call.state, org)}:account/${org.id}/${id}` : '*';
    },
    handler(call) {
      const org = managementOrganization(call);
      const id = call.input.AccountId;
      if (typeof id !== 'string' || !/^\d{12}$/.test(id)) {
        throw new OrganizationsError(
          'InvalidInputException',
          'You provided a value that does not match the required pattern.',
        );
      }
      if (!org.memberAccountIds.includes(id))
        throw new OrganizationsError('AccountNotFoundException', "You specified an account that doesn't exist.");
      return { Account: accountJson(call.state, org, id) };
    },
  },
  ListAccounts: {
    resource: () => '*',
    handler(call) {
      const org = managementOrganization(call);
      const max = call.input.MaxResults;
      if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > 20)) {
        throw new OrganizationsError(
          'InvalidInputException',
          'You provided a value that does not match the required pattern.',
        );
      }
      const token = call.input.NextToken;
      const start =
        typeof token === 'string' && /^\d+$/.test(Buffer.from(token, 'base64url').toString())
          ? Number(Buffer.from(token, 'base64url').toString())
          : 0;
      if (token !== undefined && start === 0)
        throw new OrganizationsError('InvalidInputException', 'The NextToken value is not valid.');
      const size = typeof max === 'number' ? max : PAGE_SIZE;
      const page = org.memberAccountIds.slice(start, start + size);
      const next =
        start + size < org.memberAccountIds.length
          ? Buffer.from(String(start + size)).toString('base64url')
          : undefined;
      return {
        Accounts: page.map((id) => accountJson(call.state, org, id)),
        ...(next === undefined ? {} : { NextToken: next }),
      };
    },
  },
};
