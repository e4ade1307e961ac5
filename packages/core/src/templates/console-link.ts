import { TrustgateError } from '../errors/index.ts';
import { partitionInfo, type Partition } from '../partition/index.ts';

/**
 * The CloudFormation console's home page for `region` of `partition`, without query or fragment:
 * `https://<region>.console.aws.amazon.com/cloudformation/home?region=<region>` in aws (the console serves each
 * region under its own host), `https://console.amazonaws-us-gov.com/...` in aws-us-gov and
 * `https://console.amazonaws.cn/...` in aws-cn (one host each: `partitionInfo(partition).consoleHost`, whose
 * sources the partition table names). Quick-create and update-stack links both start here. The region is not
 * checked here.
 */
export function cloudFormationConsoleHome(partition: Partition, region: string): string {
  const { consoleHost } = partitionInfo(partition);
  const host = partition === 'aws' ? `${region}.${consoleHost}` : consoleHost;
  return `https://${host}/cloudformation/home?region=${encodeURIComponent(region)}`;
}

/**
 * Check a template URL for a console link: an absolute `https:` URL (the console fetches the template from S3
 * over TLS). Throws `INVALID_INPUT` naming `templateUrl` otherwise.
 */
export function assertHttpsTemplateUrl(templateUrl: string): void {
  let url: URL;
  try {
    url = new URL(templateUrl);
  } catch {
    throw new TrustgateError('INVALID_INPUT', 'templateUrl: not a URL', { field: 'templateUrl' });
  }
  if (url.protocol !== 'https:')
    throw new TrustgateError('INVALID_INPUT', 'templateUrl: the template URL must use https', { field: 'templateUrl' });
}
