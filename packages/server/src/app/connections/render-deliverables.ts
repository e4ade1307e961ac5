import {
  compilePolicies,
  crossAccountRoleBlueprint,
  generateExternalId,
  loadAwsActionList,
  parseCatalog,
  partitionInfo,
  quickCreateLink,
  renderDeliverable,
  renderStackSet,
  type Catalog,
  type Finding,
  type Partition,
  type PolicyDocument,
} from '@trustgate/core';
import type { ConnectionToolkit, ConnectionDeliverables, ParsedCatalog } from './deliverable-types.ts';
import type { Connection } from '../../model/records.ts';

function coreCatalog(parsed: ParsedCatalog): Catalog {
  return parsed.catalog as Catalog;
}

/** A CloudFormation stack name for a connection: letters, digits and hyphens, starting with a letter. */
export function stackNameFor(connectionName: string): string {
  const slug = connectionName.replace(/[^A-Za-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 100);
  return `trustgate-${slug || 'connection'}`;
}

/**
 * A console link that opens CloudFormation's "update stack" page for an existing stack with a new template
 * (the region is the stack's, taken from its ARN; console host per partition).
 */
export function updateStackLink(partition: Partition, stackId: string, templateUrl: string): string {
  const region = stackId.split(':')[3] ?? partitionInfo(partition).defaultRegion;
  const host = partition === 'aws' ? `${region}.${partitionInfo(partition).consoleHost}` : partitionInfo(partition).consoleHost;
  const query = new URLSearchParams({ stackId, templateURL: templateUrl.replace(/^http:/, 'https:') });
  return `https://${host}/cloudformation/home?region=${region}#/stacks/update/template?${query.toString()}`;
}

/** The console links that carry the template's URL: quick-create (per partition's console) and update-stack per known stack. */
function consoleLinks({ connection, templateUrl, stacks }: { connection: Connection; templateUrl: string; stacks?: { accountId: string; stackId: string }[] }): { quickCreateLink: string; updateStackLinks: ConnectionDeliverables['updateStackLinks'] } {
  return {
    quickCreateLink: quickCreateLink({
      partition: connection.partition,
      ...(connection.region === null ? {} : { region: connection.region }),
      templateUrl: templateUrl.replace(/^http:/, 'https:'),
      stackName: stackNameFor(connection.name),
      parameters: { ExternalId: connection.externalId, RoleName: connection.roleName },
    }),
    updateStackLinks: (stacks ?? []).map((s) => ({ ...s, link: updateStackLink(connection.partition, s.stackId, templateUrl) })),
  };
}

/**
 * The connection toolkit over `@trustgate/core`: catalogs parsed and checked against AWS's action list,
 * policies from the compiler, deliverables from the cross-account-role blueprint (CloudFormation JSON/YAML
 * with the callback custom resource in automatic mode, quick-create link, StackSet, Terraform, CLI, raw JSON).
 */
export function coreConnectionToolkit(): ConnectionToolkit {
  return {
    async parseCatalog({ source, fileName, name, version }) {
      const { catalog, findings } = parseCatalog(source, { fileName, actionList: await loadAwsActionList() });
      return catalog === undefined ? { findings } : { catalog: { name, version, catalog }, findings };
    },
    async compile(input) {
      const out = compilePolicies(
        {
          catalog: coreCatalog(input.catalog),
          selection: input.selection,
          partition: input.partition,
          ...(input.accountId === undefined ? {} : { accountId: input.accountId }),
          ...(input.region === undefined ? {} : { region: input.region }),
          extraActions: input.extraActions,
          managedPolicies: input.managedPolicies,
          namePrefix: input.namePrefix,
        },
        await loadAwsActionList(),
      );
      return {
        documents: out.documents.map((d) => ({ name: d.name, document: d.document })),
        managedPolicyArns: out.managedPolicyArns,
        requiredActions: out.requiredActions,
        warnings: out.warnings,
      };
    },
    async render({ connection, platform, callback, templateUrl, stacks }): Promise<ConnectionDeliverables> {
      const externalIds = connection.previousExternalId === null ? [connection.externalId] : [connection.externalId, connection.previousExternalId];
      const scope = connection.scope;
      const model = crossAccountRoleBlueprint({
        partition: connection.partition,
        platform: { [connection.partition]: platform },
        externalIds,
        ...(scope.kind === 'account' ? { customerAccountId: scope.accountId } : {}),
        roleName: connection.roleName,
        policies: connection.issuedPolicy.documents,
        managedPolicyArns: connection.issuedPolicy.managedPolicyArns,
        ...(callback === undefined ? {} : { callback }),
      });
      const stackName = stackNameFor(connection.name);
      const links = consoleLinks({ connection, templateUrl, ...(stacks === undefined ? {} : { stacks }) });
      const ous = scope.kind === 'organization' ? (scope.organizationalUnitIds ?? []) : [];
      const stackSet =
        ous.length > 0
          ? renderStackSet(model, { stackSetName: stackName, organizationalUnitIds: ous, ...(connection.region === null ? {} : { region: connection.region }) })
          : { note: 'Give the connection\'s scope organizationalUnitIds (ou-... or r-...) to get the StackSet calls; the template below fits every account.', template: JSON.parse(renderDeliverable(model, 'cloudformation-json')) as unknown };
      const trustResource = model.resources.find((r) => r.kind === 'role');
      const warnings: Finding[] = model.notes.map((message) => ({ code: 'NOTE', severity: 'info', message, path: '' }));
      return {
        trustPolicy: (trustResource?.kind === 'role' ? trustResource.trustPolicy : {}) as PolicyDocument,
        permissionPolicies: connection.issuedPolicy.documents,
        managedPolicyArns: connection.issuedPolicy.managedPolicyArns,
        formats: {
          json: renderDeliverable(model, 'json'),
          'cloudformation-json': renderDeliverable(model, 'cloudformation-json'),
          'cloudformation-yaml': renderDeliverable(model, 'cloudformation-yaml'),
          'quick-create-link': links.quickCreateLink,
          stackset: `${JSON.stringify(stackSet, null, 2)}\n`,
          terraform: renderDeliverable(model, 'terraform'),
          cli: renderDeliverable(model, 'cli'),
        },
        updateStackLinks: links.updateStackLinks,
        warnings,
      };
    },
    consoleLinks,
    newExternalId: () => generateExternalId({ prefix: 'tg-' }),
  };
}
