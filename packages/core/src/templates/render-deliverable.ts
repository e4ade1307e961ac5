import { TrustgateError } from '../errors/index.ts';
import type { DeliverableModel } from './deliverable-model.ts';
import { renderCliScript } from './render-cli-script.ts';
import { renderCloudFormation, toCloudFormationJson, toCloudFormationYaml } from './render-cloudformation.ts';
import { renderConsoleJson } from './render-console-json.ts';
import { renderTerraform } from './render-terraform.ts';

/** The formats a deliverable is written in. */
export const DELIVERABLE_FORMATS = ['cloudformation-json', 'cloudformation-yaml', 'terraform', 'cli', 'json'] as const;

/** One of {@link DELIVERABLE_FORMATS}. */
export type DeliverableFormat = (typeof DELIVERABLE_FORMATS)[number];

/** True when `value` names a deliverable format. */
export function isDeliverableFormat(value: unknown): value is DeliverableFormat {
  return typeof value === 'string' && (DELIVERABLE_FORMATS as readonly string[]).includes(value);
}

/**
 * Write a deliverable in one format: CloudFormation JSON or YAML, Terraform HCL, an AWS CLI bash script, or the
 * raw JSON (permissions and trust policies) for console paste. Returns the file's text.
 */
export function renderDeliverable(model: DeliverableModel, format: DeliverableFormat): string {
  switch (format) {
    case 'cloudformation-json':
      return toCloudFormationJson(renderCloudFormation(model));
    case 'cloudformation-yaml':
      return toCloudFormationYaml(renderCloudFormation(model));
    case 'terraform':
      return renderTerraform(model);
    case 'cli':
      return renderCliScript(model);
    case 'json':
      return `${JSON.stringify(renderConsoleJson(model), null, 2)}\n`;
    default:
      throw new TrustgateError(
        'INVALID_INPUT',
        `format: "${String(format)}" is not one of ${DELIVERABLE_FORMATS.join(', ')}`,
        { field: 'format' },
      );
  }
}
