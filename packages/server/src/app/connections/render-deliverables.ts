import {
  connectionScopedExternalIdPatterns,
  crossAccountRoleBlueprint,
  quickCreateLink,
  renderConsoleJson,
  renderDeliverable,
  renderStackSet,
  stackNameFor,
  updateStackLink,
  type Finding,
  type PolicyDocument,
} from '@trustgate/core';
import type { Connection } from '../../model/records.ts';
import { oidcTrustOptions } from './oidc-trust-options.ts';

/** The deliverable formats a connection offers. */
export const DELIVERABLE_FORMATS = [
  'json',
  'cloudformation-json',
  'cloudformation-yaml',
  'quick-create-link',
  'stackset',
  'terraform',
  'cli',
] as const;

/** One deliverable format. */
export type DeliverableFormat = (typeof DELIVERABLE_FORMATS)[number];

/** Every deliverable of a connection, rendered. */
export interface ConnectionDeliverables {
  trustPolicy: PolicyDocument;
  permissionPolicies: { name: string; document: PolicyDocument }[];
  managedPolicyArns: string[];
  /**
   * Format -> text (JSON, YAML, HCL, bash, or a URL). For an OIDC connection each creates the IAM OIDC provider in
   * the account it runs in unless told of one that exists (see core's `DeliverableModel.oidcProvider`).
   */
  formats: Record<DeliverableFormat, string>;
  /** Console links that open "update stack" with the current template, for stacks known to have created a role. */
  updateStackLinks: { accountId: string; stackId: string; link: string }[];
  warnings: Finding[];
}

/** A stack known to have created one of the connection's roles (from automatic-mode callbacks). */
export interface KnownStack {
  accountId: string;
  stackId: string;
}

/** Inputs to render a connection's deliverables. */
export interface RenderDeliverablesInput {
  connection: Connection;
  /** The platform identity the trust policy names in the connection's partition (external-ID trust). */
  platform?: { accountId: string; roleArn?: string };
  /** trustgate's OIDC issuer URL (OIDC trust). */
  oidcIssuer?: string;
  /** The organization's trusted subject templates (app/identity/subject-templates.ts); default trustgate's own. */
  oidcSubjectTemplates?: readonly string[];
  /** Automatic mode: the custom resource's SNS topic and properties. */
  callback?: { serviceToken: string; properties: Record<string, string> };
  /** Where a quick-create link points for the template (the service's template URL). */
  templateUrl: string;
  /** Stacks known to have created the connection's roles. */
  stacks?: KnownStack[];
}

/**
 * Only the console links that carry the template's URL — quick-create (per partition's console) and update-stack
 * per known stack — so a template published after rendering does not re-render every format.
 */
export function consoleLinks({
  connection,
  templateUrl,
  stacks,
}: Pick<RenderDeliverablesInput, 'connection' | 'templateUrl' | 'stacks'>): {
  quickCreateLink: string;
  updateStackLinks: ConnectionDeliverables['updateStackLinks'];
} {
  return {
    quickCreateLink: quickCreateLink({
      partition: connection.partition,
      ...(connection.region === null ? {} : { region: connection.region }),
      templateUrl: templateUrl.replace(/^http:/, 'https:'),
      stackName: stackNameFor(connection.name),
      // A scoped trust policy holds its patterns in the template itself; there is no ExternalId parameter to fill.
      parameters:
        connection.trust.kind === 'external-id' && connection.externalIdTrust.kind === 'exact'
          ? { ExternalId: connection.externalId, RoleName: connection.roleName }
          : { RoleName: connection.roleName },
    }),
    updateStackLinks: (stacks ?? []).map((s) => ({
      ...s,
      link: updateStackLink(connection.partition, s.stackId, templateUrl),
    })),
  };
}

/**
 * How the connection's trust policy names the external IDs: the exact IDs (`StringEquals`), or for scoped trust the
 * StringLike patterns of `<ID>@<stack>@<phase>` for any stack or the listed ones and the trusted phases — for the
 * current ID and, during a rotation, the previous one — and, with session tagging, `sts:TagSession` and
 * `sts:SetSourceIdentity` beside `sts:AssumeRole`.
 */
export function trustOptions(connection: Connection): {
  externalIds: string[];
  externalIdPatterns?: string[];
  sessionActions?: ('sts:TagSession' | 'sts:SetSourceIdentity')[];
} {
  const externalIds =
    connection.previousExternalId === null
      ? [connection.externalId]
      : [connection.externalId, connection.previousExternalId];
  const trust = connection.externalIdTrust;
  return {
    externalIds,
    ...(trust.kind === 'scoped'
      ? {
          externalIdPatterns: externalIds.flatMap((externalId) =>
            connectionScopedExternalIdPatterns({
              externalId,
              ...(trust.stacks === undefined ? {} : { stacks: trust.stacks }),
              phases: trust.phases,
            }),
          ),
        }
      : {}),
    ...(connection.sessionTagging ? { sessionActions: ['sts:TagSession', 'sts:SetSourceIdentity'] } : {}),
  };
}

/**
 * Renders every deliverable of a connection with core's cross-account-role blueprint (pure): CloudFormation
 * JSON/YAML with the callback custom resource in automatic mode, quick-create link, StackSet, Terraform, CLI,
 * raw JSON. The trust policy accepts the current external ID and, during a rotation, the previous one, in the form
 * the connection's `externalIdTrust` names ({@link trustOptions}).
 */
export function renderDeliverables({
  connection,
  platform,
  oidcIssuer,
  oidcSubjectTemplates,
  callback,
  templateUrl,
  stacks,
}: RenderDeliverablesInput): ConnectionDeliverables {
  const scope = connection.scope;
  const oidc = oidcIssuer === undefined ? undefined : oidcTrustOptions(connection, oidcIssuer, oidcSubjectTemplates);
  const model = crossAccountRoleBlueprint({
    partition: connection.partition,
    ...(oidc !== undefined
      ? {
          oidc,
          // Session tags and source identity ride in the token's claims; the trust must allow them.
          ...(connection.sessionTagging
            ? { sessionActions: ['sts:TagSession' as const, 'sts:SetSourceIdentity' as const] }
            : {}),
        }
      : {
          ...(platform === undefined ? {} : { platform: { [connection.partition]: platform } }),
          ...trustOptions(connection),
        }),
    ...(scope.kind === 'account' ? { customerAccountId: scope.accountId } : {}),
    roleName: connection.roleName,
    policies: connection.issuedPolicy.documents,
    managedPolicyArns: connection.issuedPolicy.managedPolicyArns,
    ...(callback === undefined ? {} : { callback }),
  });
  const stackName = stackNameFor(connection.name);
  const links = consoleLinks({ connection, templateUrl, ...(stacks === undefined ? {} : { stacks }) });
  const ous = scope.kind === 'organization' ? (scope.organizationalUnitIds ?? []) : [];
  const stackSet = () =>
    ous.length > 0
      ? renderStackSet(model, {
          stackSetName: stackName,
          organizationalUnitIds: ous,
          ...(connection.region === null ? {} : { region: connection.region }),
        })
      : {
          note: "Give the connection's scope organizationalUnitIds (ou-... or r-...) to get the StackSet calls; the template below fits every account.",
          template: JSON.parse(renderDeliverable(model, 'cloudformation-json')) as unknown,
        };
  // The raw JSON's: with no fixed account (an OIDC connection of several accounts) the provider's ARN shows <ACCOUNT_ID>.
  const trustPolicy = renderConsoleJson(model).roles[0]?.trustPolicy ?? ({} as PolicyDocument);
  const warnings: Finding[] = model.notes.map((message) => ({ code: 'NOTE', severity: 'info', message, path: '' }));
  return {
    trustPolicy,
    permissionPolicies: connection.issuedPolicy.documents,
    managedPolicyArns: connection.issuedPolicy.managedPolicyArns,
    formats: {
      json: renderDeliverable(model, 'json'),
      'cloudformation-json': renderDeliverable(model, 'cloudformation-json'),
      'cloudformation-yaml': renderDeliverable(model, 'cloudformation-yaml'),
      'quick-create-link': links.quickCreateLink,
      stackset: `${JSON.stringify(stackSet(), null, 2)}\n`,
      terraform: renderDeliverable(model, 'terraform'),
      cli: renderDeliverable(model, 'cli'),
    },
    updateStackLinks: links.updateStackLinks,
    warnings,
  };
}
