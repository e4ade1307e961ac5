import { assertNoErrors, isStackName, parseArn, validateRegion } from '../arn/index.ts';
import { TrustgateError } from '../errors/index.ts';
import { partitionInfo } from '../partition/index.ts';
import type { DeliverableModel } from './deliverable-model.ts';
import { OIDC_PROVIDER_ARN_PARAMETER, oidcProviderHostPath } from './oidc-provider.ts';
import { renderCloudFormation, toCloudFormationJson, type CloudFormationTemplate } from './render-cloudformation.ts';

/** Input of {@link renderStackSet}. */
export interface StackSetOptions {
  stackSetName: string;
  /** Organizational units (`ou-xxxx-yyyyyyyy`) or the root (`r-xxxx`) to deploy to. */
  organizationalUnitIds: string[];
  /**
   * The one region to create stack instances in. IAM is global: instances in two regions of the same account
   * would both try to create the same role name.
   */
  region?: string;
  /** Parameter overrides for every instance. */
  parameters?: Record<string, string>;
  /**
   * Who runs the calls: `SELF` (default) in the organization's management account, `DELEGATED_ADMIN` in a
   * member account registered as a CloudFormation delegated administrator (CreateStackSet `CallAs`; without it
   * a delegated administrator's calls fail).
   */
  callAs?: 'SELF' | 'DELEGATED_ADMIN';
}

/** A StackSet deliverable: the template and the parameters of the two API calls that roll it out. */
export interface StackSetDeliverable {
  template: CloudFormationTemplate;
  /** CloudFormation CreateStackSet parameters (service-managed permissions, automatic deployment). */
  createStackSet: Record<string, unknown>;
  /** CloudFormation CreateStackInstances parameters (organizational-unit targets). */
  createStackInstances: Record<string, unknown>;
  /** The same two calls as AWS CLI commands (run where `callAs` says: management or delegated administrator account). */
  commands: string[];
  /** What to know before rolling it out (for a web-identity trust: accounts that have the OIDC provider already). */
  notes?: string[];
}

/**
 * The StackSet variant: the same template rolled out to every account of organizational units with
 * service-managed permissions and automatic deployment to accounts that join later (AWS CloudFormation User
 * Guide, "Create a stack set with service-managed permissions"). The customer's account appears in the template
 * only as `AWS::AccountId`, so one template fits every account (a web-identity trust's OIDC provider too: each
 * account's stack creates its own). Service-managed stack sets do not deploy to
 * the management account itself; apply the plain template there if needed.
 */
export function renderStackSet(model: DeliverableModel, options: StackSetOptions): StackSetDeliverable {
  if (!isStackName(options.stackSetName)) {
    throw new TrustgateError(
      'INVALID_INPUT',
      'stackSetName: 1-128 characters, starting with a letter, of letters, digits and hyphens',
      { field: 'stackSetName' },
    );
  }
  if (options.organizationalUnitIds.length === 0) {
    throw new TrustgateError(
      'INVALID_INPUT',
      'organizationalUnitIds: at least one organizational unit or root ID is required',
      { field: 'organizationalUnitIds' },
    );
  }
  options.organizationalUnitIds.forEach((id, i) => {
    // Organizations API: ou-[0-9a-z]{4,32}-[a-z0-9]{8,32} or r-[0-9a-z]{4,32}.
    if (!/^(?:ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/.test(id)) {
      throw new TrustgateError(
        'INVALID_INPUT',
        `organizationalUnitIds[${i}]: "${id}" is not an organizational unit ID (ou-xxxx-xxxxxxxx) or root ID (r-xxxx)`,
        { field: `organizationalUnitIds[${i}]` },
      );
    }
  });
  const region = options.region ?? partitionInfo(model.partition).defaultRegion;
  assertNoErrors(validateRegion(region, { partition: model.partition }));
  const token =
    model.callback === undefined ? undefined : parseArn(model.callback.serviceToken, 'callback.serviceToken');
  const tokenRegion = token?.ok ? token.arn.region : undefined;
  if (tokenRegion !== undefined && tokenRegion !== region) {
    // AWS::CloudFormation::CustomResource: "The service token must be from the same Region in which you are creating the stack."
    throw new TrustgateError(
      'INVALID_INPUT',
      `region: the stack instances go to ${region}, but the callback's ServiceToken is in ${tokenRegion}; a custom resource's service token must be in the stack's region`,
      { field: 'region' },
    );
  }
  const callAs = options.callAs ?? 'SELF';
  if (callAs !== 'SELF' && callAs !== 'DELEGATED_ADMIN') {
    throw new TrustgateError('INVALID_INPUT', `callAs: "${String(callAs)}" is not SELF or DELEGATED_ADMIN`, {
      field: 'callAs',
    });
  }
  const template = renderCloudFormation(model);
  const known = new Set(model.parameters.map((p) => p.name));
  const parameters = Object.entries(options.parameters ?? {}).map(([key, value]) => {
    if (!known.has(key))
      throw new TrustgateError('INVALID_INPUT', `parameters.${key}: the template has no parameter ${key}`, {
        field: `parameters.${key}`,
      });
    return { ParameterKey: key, ParameterValue: value };
  });
  const createStackSet = {
    StackSetName: options.stackSetName,
    Description: model.description,
    TemplateBody: toCloudFormationJson(template),
    Parameters: parameters,
    Capabilities: ['CAPABILITY_NAMED_IAM'],
    PermissionModel: 'SERVICE_MANAGED',
    AutoDeployment: { Enabled: true, RetainStacksOnAccountRemoval: false },
    ManagedExecution: { Active: true },
    CallAs: callAs,
  };
  const createStackInstances = {
    StackSetName: options.stackSetName,
    DeploymentTargets: { OrganizationalUnitIds: options.organizationalUnitIds },
    Regions: [region],
    OperationPreferences: {
      FailureToleranceCount: 0,
      MaxConcurrentPercentage: 25,
      RegionConcurrencyType: 'SEQUENTIAL',
    },
    CallAs: callAs,
  };
  const paramArgs = parameters.length
    ? ` --parameters ${parameters.map((p) => `ParameterKey=${p.ParameterKey},ParameterValue=${shellSafe(p.ParameterValue)}`).join(' ')}`
    : '';
  const commands = [
    `aws cloudformation create-stack-set --region ${region} --stack-set-name ${options.stackSetName} --template-body file://template.json --capabilities CAPABILITY_NAMED_IAM --permission-model SERVICE_MANAGED --auto-deployment Enabled=true,RetainStacksOnAccountRemoval=false --managed-execution Active=true --call-as ${callAs}${paramArgs}`,
    `aws cloudformation create-stack-instances --region ${region} --stack-set-name ${options.stackSetName} --deployment-targets OrganizationalUnitIds=${options.organizationalUnitIds.join(',')} --regions ${region} --operation-preferences FailureToleranceCount=0,MaxConcurrentPercentage=25 --call-as ${callAs}`,
  ];
  if (!model.oidcProvider) return { template, createStackSet, createStackInstances, commands };
  const notes = [
    `Each account's stack creates the IAM OIDC provider for ${model.oidcProvider.url} (the role trusts its own account's). An account that has one for that URL already cannot create a second: give its stack instance the parameter override ${OIDC_PROVIDER_ARN_PARAMETER}=arn:${model.partition}:iam::<account>:oidc-provider/${oidcProviderHostPath(model.oidcProvider)} (CreateStackInstances or UpdateStackInstances ParameterOverrides for that account).`,
  ];
  return { template, createStackSet, createStackInstances, commands, notes };
}

function shellSafe(value: string): string {
  return /^[\w+=.@:/-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
