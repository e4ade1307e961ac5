import { Document, visit, type Tags } from 'yaml';
import type { DeliverableModel, DeliverableResource, OidcProviderSpec } from './deliverable-model.ts';
import {
  OIDC_PROVIDER_ARN_PARAMETER,
  oidcProviderArnDescription,
  oidcProviderArnPattern,
  withFederatedPrincipal,
} from './oidc-provider.ts';
import { mapStrings, TemplateStrings, type StringSegment } from './template-strings.ts';

/** A CloudFormation template as a JSON object (long-form intrinsics only). */
export type CloudFormationTemplate = Record<string, unknown>;

/**
 * Render a deliverable as a CloudFormation template object (AWS CloudFormation User Guide, "Template anatomy";
 * resource types AWS::IAM::Role, ::ManagedPolicy, ::InstanceProfile, ::User, ::AccessKey, ::ServiceLinkedRole,
 * AWS::SecretsManager::Secret). Only long-form intrinsics (`Ref`, `Fn::Sub`, `Fn::GetAtt`, `Fn::If`) are used,
 * so JSON and YAML carry the same object and no YAML tags are needed. Managed policies are attached from the
 * policy side (`Roles`, `Users`), access-key secrets go to Secrets Manager, never to stack outputs.
 */
export function renderCloudFormation(model: DeliverableModel): CloudFormationTemplate {
  const strings = new TemplateStrings(model);
  const value = (s: string): unknown => cfnValue(strings.segments(s));
  const deep = (v: unknown): unknown => mapStrings(v, value);

  const parameters: Record<string, unknown> = {};
  for (const p of model.parameters) {
    const def: Record<string, unknown> = { Type: 'String', Description: p.description, Default: p.value };
    if (p.allowedValues) def.AllowedValues = p.allowedValues;
    if (p.allowedPattern) def.AllowedPattern = p.allowedPattern;
    if (p.minLength !== undefined) def.MinLength = p.minLength;
    if (p.maxLength !== undefined) def.MaxLength = p.maxLength;
    if (p.noEcho) def.NoEcho = true;
    parameters[p.name] = def;
  }

  const conditions: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  const logicalIds = new Map<string, string>();
  for (const r of model.resources) logicalIds.set(r.id, r.id);

  for (const r of model.resources) Object.assign(resources, resourceFor(r, model, deep, value, conditions));

  if (model.oidcProvider) addOidcProvider(model.oidcProvider, parameters, conditions, resources);

  if (model.callback) {
    const roles = model.resources.filter((r) => r.kind === 'role');
    const role = roles[0];
    if (role) {
      resources.TrustgateConnection = {
        Type: 'Custom::TrustgateConnection',
        DependsOn: model.resources.filter((r) => r.kind === 'role' || r.kind === 'managed-policy').map((r) => r.id),
        Properties: {
          ServiceToken: model.callback.serviceToken,
          RoleArn: { 'Fn::GetAtt': [role.id, 'Arn'] },
          ...(model.parameters.some((p) => p.name === 'ExternalId') ? { ExternalId: { Ref: 'ExternalId' } } : {}),
          AccountId: { Ref: 'AWS::AccountId' },
          ...model.callback.properties,
        },
      };
    }
  }

  const outputs: Record<string, unknown> = {};
  for (const o of model.outputs) {
    const target = model.resources.find((r) => r.id === o.from.id);
    if (!target) continue;
    let v: unknown;
    // A managed policy's Ref is its ARN; roles and users have the Arn attribute.
    if (o.from.attribute === 'Arn')
      v = target.kind === 'managed-policy' ? { Ref: o.from.id } : { 'Fn::GetAtt': [o.from.id, 'Arn'] };
    else if (o.from.attribute === 'Name') v = { Ref: o.from.id };
    else if (o.from.attribute === 'AccessKeyId') v = { Ref: `${o.from.id}AccessKey` };
    else v = { Ref: `${o.from.id}AccessKeySecret` };
    outputs[o.name] = { Description: o.description, Value: v };
  }

  const template: CloudFormationTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: model.description,
    Parameters: parameters,
  };
  if (Object.keys(conditions).length > 0) template.Conditions = conditions;
  template.Resources = resources;
  template.Outputs = outputs;
  return template;
}

function resourceFor(
  r: DeliverableResource,
  model: DeliverableModel,
  deep: (v: unknown) => unknown,
  value: (s: string) => unknown,
  conditions: Record<string, unknown>,
): Record<string, unknown> {
  switch (r.kind) {
    case 'role': {
      const props: Record<string, unknown> = {
        RoleName: value(r.roleName),
        Path: r.path ?? '/',
        AssumeRolePolicyDocument: deep(r.trustPolicy),
      };
      if (r.description) props.Description = r.description;
      if (r.maxSessionDuration !== undefined) props.MaxSessionDuration = r.maxSessionDuration;
      if (r.attachedPolicyArns?.length) props.ManagedPolicyArns = r.attachedPolicyArns.map(value);
      const out: Record<string, unknown> = { [r.id]: { Type: 'AWS::IAM::Role', Properties: props } };
      if (r.instanceProfile) {
        out[`${r.id}InstanceProfile`] = {
          Type: 'AWS::IAM::InstanceProfile',
          Properties: { InstanceProfileName: { Ref: r.id }, Path: r.path ?? '/', Roles: [{ Ref: r.id }] },
        };
      }
      return out;
    }
    case 'managed-policy': {
      const roles = r.attachTo.filter((id) => model.resources.find((x) => x.id === id)?.kind === 'role');
      const users = r.attachTo.filter((id) => model.resources.find((x) => x.id === id)?.kind === 'user');
      const props: Record<string, unknown> = {
        ManagedPolicyName: value(r.policyName),
        PolicyDocument: deep(r.document),
      };
      if (r.description) props.Description = r.description;
      if (roles.length) props.Roles = roles.map((id) => ({ Ref: id }));
      if (users.length) props.Users = users.map((id) => ({ Ref: id }));
      return { [r.id]: { Type: 'AWS::IAM::ManagedPolicy', Properties: props } };
    }
    case 'user': {
      const props: Record<string, unknown> = { UserName: value(r.userName), Path: r.path ?? '/' };
      if (r.attachedPolicyArns?.length) props.ManagedPolicyArns = r.attachedPolicyArns.map(value);
      const out: Record<string, unknown> = { [r.id]: { Type: 'AWS::IAM::User', Properties: props } };
      if (r.accessKey) {
        out[`${r.id}AccessKey`] = {
          Type: 'AWS::IAM::AccessKey',
          Properties: { UserName: { Ref: r.id }, Status: 'Active' },
        };
        out[`${r.id}AccessKeySecret`] = {
          Type: 'AWS::SecretsManager::Secret',
          Properties: {
            Description: {
              'Fn::Sub': `Access key of the IAM user \${${r.id}} (created by trustgate). Store it; it is shown nowhere else.`,
            },
            SecretString: {
              'Fn::Sub': [
                '{"AccessKeyId":"${KeyId}","SecretAccessKey":"${Secret}"}',
                {
                  KeyId: { Ref: `${r.id}AccessKey` },
                  Secret: { 'Fn::GetAtt': [`${r.id}AccessKey`, 'SecretAccessKey'] },
                },
              ],
            },
          },
        };
      }
      return out;
    }
    case 'service-linked-role': {
      const condition = `${r.createParameter}Condition`;
      conditions[condition] = { 'Fn::Equals': [{ Ref: r.createParameter }, 'true'] };
      const props: Record<string, unknown> = { AWSServiceName: r.awsServiceName };
      if (r.description) props.Description = r.description;
      return { [r.id]: { Type: 'AWS::IAM::ServiceLinkedRole', Condition: condition, Properties: props } };
    }
  }
}

/**
 * The IAM OIDC identity provider of a web-identity trust (AWS::IAM::OIDCProvider: Url, ClientIdList; no
 * ThumbprintList, which the resource does not require and IAM does not use for an issuer whose JWKS is served with a
 * certificate of a trusted CA), created unless the parameter `OidcProviderArn` names one that exists (an account has
 * one provider per URL, so a second stack must reuse it). Every role's `Federated` principal becomes the created
 * provider or that ARN (`Fn::If`), which also orders the role after the provider. Nothing names an account, so the
 * same template creates a provider in each account of a StackSet.
 */
function addOidcProvider(
  spec: OidcProviderSpec,
  parameters: Record<string, unknown>,
  conditions: Record<string, unknown>,
  resources: Record<string, unknown>,
): void {
  parameters[OIDC_PROVIDER_ARN_PARAMETER] = {
    Type: 'String',
    Description: oidcProviderArnDescription(spec),
    Default: '',
    AllowedPattern: oidcProviderArnPattern(spec),
  };
  conditions.CreateOidcProvider = { 'Fn::Equals': [{ Ref: OIDC_PROVIDER_ARN_PARAMETER }, ''] };
  resources.OidcProvider = {
    Type: 'AWS::IAM::OIDCProvider',
    Condition: 'CreateOidcProvider',
    Properties: { Url: spec.url, ClientIdList: spec.clientIds },
  };
  const provider = { 'Fn::If': ['CreateOidcProvider', { Ref: 'OidcProvider' }, { Ref: OIDC_PROVIDER_ARN_PARAMETER }] };
  for (const resource of Object.values(resources) as { Type?: string; Properties?: Record<string, unknown> }[]) {
    if (resource.Type !== 'AWS::IAM::Role' || !resource.Properties) continue;
    resource.Properties.AssumeRolePolicyDocument = withFederatedPrincipal(
      resource.Properties.AssumeRolePolicyDocument,
      provider,
    );
  }
}

/** A string as CloudFormation: literal, `{Ref}` for a lone reference, or `Fn::Sub` (escaping `${` as `${!`). */
export function cfnValue(segments: StringSegment[]): unknown {
  const only = segments[0];
  if (segments.length === 1 && only) {
    if (only.kind === 'text') return only.text;
    if (only.kind === 'param') return { Ref: only.name };
    if (only.kind === 'partition') return { Ref: 'AWS::Partition' };
    return { Ref: 'AWS::AccountId' };
  }
  const text = segments
    .map((s) => {
      switch (s.kind) {
        case 'text':
          return s.text.replace(/\$\{/g, '${!');
        case 'param':
          return `\${${s.name}}`;
        case 'partition':
          return '${AWS::Partition}';
        case 'account':
          return '${AWS::AccountId}';
      }
    })
    .join('');
  return { 'Fn::Sub': text };
}

/** The template as pretty JSON. */
export function toCloudFormationJson(template: CloudFormationTemplate): string {
  return `${JSON.stringify(template, null, 2)}\n`;
}

/**
 * Plain scalars that PyYAML and SnakeYAML (cfn-lint, CloudFormation) resolve to the YAML 1.1 `value` and `merge`
 * types, which the `yaml` package's 1.1 schema does not know: left plain, `=` makes cfn-lint fail to parse.
 */
const YAML_11_SPECIAL = new Set(['=', '<<']);

/**
 * The template as YAML with long-form intrinsics (no `!Ref` tags). Written as YAML 1.1 so every string a
 * 1.1 reader would take for something else — `2010-09-09` and `2012-10-17` (dates), `yes`/`no`/`on`/`off`
 * (booleans), `0777` (octal), `=` and `<<` (value and merge types) — is quoted.
 */
export function toCloudFormationYaml(template: CloudFormationTemplate): string {
  // Without the merge tag, `<<` is an ordinary string that the visitor below can quote.
  const customTags = (tags: Tags): Tags =>
    tags.filter((t) => (typeof t === 'string' ? t !== 'merge' : t.tag !== 'tag:yaml.org,2002:merge'));
  const doc = new Document(template, { version: '1.1', aliasDuplicateObjects: false, customTags });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && YAML_11_SPECIAL.has(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0, defaultKeyType: 'PLAIN' });
}
