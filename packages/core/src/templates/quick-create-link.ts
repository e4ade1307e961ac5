import { TrustgateError } from '../errors/index.ts';
import { partitionInfo, partitionOfRegion, type Partition } from '../partition/index.ts';

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
 * host follows the partition: console.aws.amazon.com, console.amazonaws-us-gov.com, console.amazonaws.cn.
 */
export function quickCreateLink(options: QuickCreateLinkOptions): string {
  const info = partitionInfo(options.partition);
  const region = options.region ?? info.defaultRegion;
  if (!/^[a-z]{2}(?:-[a-z]+)+-\d+$/.test(region) || partitionOfRegion(region) !== options.partition) {
    throw new TrustgateError('INVALID_PARTITION', `region: "${region}" is not a region of partition ${options.partition}`, { field: 'region' });
  }
  let url: URL;
  try {
    url = new URL(options.templateUrl);
  } catch {
    throw new TrustgateError('INVALID_INPUT', 'templateUrl: not a URL', { field: 'templateUrl' });
  }
  if (url.protocol !== 'https:') throw new TrustgateError('INVALID_INPUT', 'templateUrl: the template URL must use https', { field: 'templateUrl' });
  // Stack names: 1-128 characters, a letter first, then letters, digits and hyphens (CreateStack StackName).
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(options.stackName)) {
    throw new TrustgateError('INVALID_INPUT', 'stackName: 1-128 characters, starting with a letter, of letters, digits and hyphens', { field: 'stackName' });
  }
  const query = new URLSearchParams({ templateURL: options.templateUrl, stackName: options.stackName });
  for (const [name, value] of Object.entries(options.parameters ?? {})) {
    if (!/^[A-Za-z0-9]+$/.test(name)) throw new TrustgateError('INVALID_INPUT', `parameters.${name}: parameter names are alphanumeric`, { field: `parameters.${name}` });
    query.set(`param_${name}`, value);
  }
  const host = options.partition === 'aws' ? `${region}.${info.consoleHost}` : info.consoleHost;
  return `https://${host}/cloudformation/home?region=${region}#/stacks/quickcreate?${query.toString()}`;
}
