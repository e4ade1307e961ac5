import { parseStackArn } from '../arn/index.ts';
import { TrustgateError } from '../errors/index.ts';
import type { Partition } from '../partition/index.ts';
import { assertHttpsTemplateUrl, cloudFormationConsoleHome } from './console-link.ts';

/**
 * A console link that opens CloudFormation's "update stack" page of an existing stack with a new template, so
 * the customer reviews and applies it (AWS CloudFormation User Guide, "Update stacks directly", console steps;
 * UpdateStack: an S3 `TemplateURL` must start with `https://`). `stackId` is the stack's ARN (`arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`,
 * taken apart by `parseStackArn`): the link opens the stack's own region on the partition's console host, the
 * same host choice as `quickCreateLink` (`<region>.console.aws.amazon.com`, `console.amazonaws-us-gov.com`,
 * `console.amazonaws.cn`). An `http:` template URL is turned to `https:` (the console fetches templates over
 * TLS; S3 serves both). Throws `INVALID_ARN` (field `stackId`) when `stackId` is not a stack ARN,
 * `INVALID_PARTITION` when the stack is in another partition than `partition`, and `INVALID_INPUT` (field
 * `templateUrl`) when the template URL is not a URL.
 */
export function updateStackLink(partition: Partition, stackId: string, templateUrl: string): string {
  const stack = parseStackArn(stackId);
  if (stack === undefined) {
    throw new TrustgateError(
      'INVALID_ARN',
      `stackId: "${stackId.slice(0, 200)}" is not a CloudFormation stack ARN (arn:${partition}:cloudformation:<region>:<account-id>:stack/<name>/<id>)`,
      { field: 'stackId' },
    );
  }
  if (stack.partition !== partition) {
    throw new TrustgateError(
      'INVALID_PARTITION',
      `stackId: the stack is in partition ${stack.partition}, not ${partition}`,
      { field: 'stackId' },
    );
  }
  const httpsUrl = templateUrl.replace(/^http:/i, 'https:');
  assertHttpsTemplateUrl(httpsUrl);
  const query = new URLSearchParams({ stackId, templateURL: httpsUrl });
  return `${cloudFormationConsoleHome(partition, stack.region)}#/stacks/update/template?${query.toString()}`;
}
