import { assertNoErrors, isStackName, validateRegion } from '../arn/index.ts';
import { TrustgateError } from '../errors/index.ts';
import { partitionInfo, type Partition } from '../partition/index.ts';
import { assertHttpsTemplateUrl, cloudFormationConsoleHome } from './console-link.ts';

/** Input of {@link quickCreateLink}. */
export interface QuickCreateLinkOptions {
  partition: Partition;
  /** Region the stack is created in; default the partition's default region. */
  region?: string;
  /** HTTPS URL of the template (an S3 object the customer's console can read). */
  templateUrl: string;
  stackName: string;
  /** Values to prefill, by parameter name. */
  parameters?: Record<string, string>;
}

/**
 * A CloudFormation "quick-create" console link that opens the create-stack page with the template, stack name
 * and parameters filled in (AWS CloudFormation User Guide, "Create quick-create links for stacks"). The console
 * host follows the partition (`cloudFormationConsoleHome`): <region>.console.aws.amazon.com,
 * console.amazonaws-us-gov.com, console.amazonaws.cn. The region must be one of the partition's
 * (`validateRegion`), the template URL https, the stack name one CloudFormation accepts (`STACK_NAME_PATTERN`).
 */
export function quickCreateLink(options: QuickCreateLinkOptions): string {
  const region = options.region ?? partitionInfo(options.partition).defaultRegion;
  assertNoErrors(validateRegion(region, { partition: options.partition }));
  assertHttpsTemplateUrl(options.templateUrl);
  if (!isStackName(options.stackName)) {
    throw new TrustgateError(
      'INVALID_INPUT',
      'stackName: 1-128 characters, starting with a letter, of letters, digits and hyphens',
      { field: 'stackName' },
    );
  }
  const query = new URLSearchParams({ templateURL: options.templateUrl, stackName: options.stackName });
  for (const [name, value] of Object.entries(options.parameters ?? {})) {
    if (!/^[A-Za-z0-9]+$/.test(name))
      throw new TrustgateError('INVALID_INPUT', `parameters.${name}: parameter names are alphanumeric`, {
        field: `parameters.${name}`,
      });
    query.set(`param_${name}`, value);
  }
  return `${cloudFormationConsoleHome(options.partition, region)}#/stacks/quickcreate?${query.toString()}`;
}
