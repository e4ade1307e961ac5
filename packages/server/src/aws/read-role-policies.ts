import type { ListAttachedRolePoliciesCommandOutput, ListRolePoliciesCommandOutput } from '@aws-sdk/client-iam';
import { splitArn, TrustgateError, type PolicyDocument } from '@trustgate/core';
import type { IamPort } from './aws-clients.ts';
import { loadIam } from './sdk.ts';

/** A role's policies as AWS holds them. */
export interface RolePolicies {
  /** Attached managed policies and inline policies, each document decoded. */
  identityPolicies: { source: string; document: PolicyDocument }[];
  permissionsBoundary?: PolicyDocument;
  /** ARNs of every attached managed policy. */
  attachedPolicyArns: string[];
  /** AWS managed policies whose documents could not be read (left out of the local evaluation). */
  unreadable: string[];
}

/** True for an AWS managed policy ARN (`arn:<partition>:iam::aws:policy/...`). */
function isAwsManaged(arn: string): boolean {
  const parts = splitArn(arn);
  return parts?.service === 'iam' && parts.account === 'aws' && parts.resource.startsWith('policy/');
}

/** IAM returns policy documents URL-encoded (RFC 3986) in GetPolicyVersion and GetRolePolicy. */
function decodeDocument(text: string | undefined): PolicyDocument {
  if (text === undefined) throw new TrustgateError('AWS_ERROR', 'IAM returned no policy document.');
  try {
    const json = text.trimStart().startsWith('{') ? text : decodeURIComponent(text);
    return JSON.parse(json) as PolicyDocument;
  } catch (error) {
    throw new TrustgateError('AWS_ERROR', 'IAM returned a policy document that is not URL-encoded JSON.', {
      cause: error,
    });
  }
}

async function managedPolicyDocument(iam: IamPort, policyArn: string): Promise<PolicyDocument> {
  const { GetPolicyCommand, GetPolicyVersionCommand } = await loadIam();
  const policy = await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }));
  const versionId = policy.Policy?.DefaultVersionId;
  const version = await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: versionId }));
  return decodeDocument(version.PolicyVersion?.Document);
}

/**
 * Reads a role's attached managed policies, inline policies and permissions boundary with the IAM API
 * (ListAttachedRolePolicies, GetPolicy + GetPolicyVersion, ListRolePolicies + GetRolePolicy, GetRole), following
 * pagination. Needs those `iam:` read actions on the role itself.
 */
export async function readRolePolicies(iam: IamPort, roleName: string): Promise<RolePolicies> {
  const { GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand } =
    await loadIam();
  const identityPolicies: RolePolicies['identityPolicies'] = [];
  const attachedPolicyArns: string[] = [];
  const unreadable: string[] = [];
  let marker: string | undefined;
  do {
    const page: ListAttachedRolePoliciesCommandOutput = await iam.send(
      new ListAttachedRolePoliciesCommand({ RoleName: roleName, Marker: marker }),
    );
    const arns = (page.AttachedPolicies ?? []).flatMap((a) => (a.PolicyArn === undefined ? [] : [a.PolicyArn]));
    attachedPolicyArns.push(...arns);
    const documents = await Promise.all(
      arns.map(async (arn) => {
        try {
          return { source: arn, document: await managedPolicyDocument(iam, arn) };
        } catch (error) {
          // An AWS managed policy the session cannot read is checked by attachment only.
          if (!isAwsManaged(arn)) throw error;
          unreadable.push(arn);
          return undefined;
        }
      }),
    );
    for (const d of documents) if (d !== undefined) identityPolicies.push(d);
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  do {
    const page: ListRolePoliciesCommandOutput = await iam.send(
      new ListRolePoliciesCommand({ RoleName: roleName, Marker: marker }),
    );
    for (const name of page.PolicyNames ?? []) {
      const inline = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name }));
      identityPolicies.push({ source: `inline:${name}`, document: decodeDocument(inline.PolicyDocument) });
    }
    marker = page.IsTruncated === true ? page.Marker : undefined;
  } while (marker !== undefined);
  const role = await iam.send(new GetRoleCommand({ RoleName: roleName }));
  const boundaryArn = role.Role?.PermissionsBoundary?.PermissionsBoundaryArn;
  const base = { identityPolicies, attachedPolicyArns, unreadable };
  return boundaryArn === undefined
    ? base
    : { ...base, permissionsBoundary: await managedPolicyDocument(iam, boundaryArn) };
}
