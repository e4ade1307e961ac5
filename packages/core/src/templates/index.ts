export type {
  ConnectCallback,
  DeliverableModel,
  DeliverableOutput,
  DeliverableResource,
  ManagedPolicyResource,
  ManualStep,
  OidcProviderSpec,
  RoleResource,
  ServiceLinkedRoleResource,
  TemplateParameter,
  UserResource,
} from './deliverable-model.ts';
export { ANY_ACCOUNT_PLACEHOLDER } from './deliverable-model.ts';
export { TemplateStrings, mapStrings, resolveSegments, type StringSegment } from './template-strings.ts';
export {
  cfnValue,
  renderCloudFormation,
  toCloudFormationJson,
  toCloudFormationYaml,
  type CloudFormationTemplate,
} from './render-cloudformation.ts';
export { renderTerraform } from './render-terraform.ts';
export { renderCliScript } from './render-cli-script.ts';
export { renderConsoleJson, type ConsoleJson } from './render-console-json.ts';
export { quickCreateLink, type QuickCreateLinkOptions } from './quick-create-link.ts';
export { updateStackLink } from './update-stack-link.ts';
export { stackNameFor } from './stack-name-for.ts';
export { renderStackSet, type StackSetDeliverable, type StackSetOptions } from './stack-set.ts';
export {
  DELIVERABLE_FORMATS,
  isDeliverableFormat,
  renderDeliverable,
  type DeliverableFormat,
} from './render-deliverable.ts';
