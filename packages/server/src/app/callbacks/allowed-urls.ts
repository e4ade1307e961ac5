import { TrustgateError } from '@trustgate/core';
import type { ConnectionDeps } from '../deps.ts';
import type { CustomResourceRequest } from './custom-resource-request.ts';

/** Default allow-list for ResponseURL / SubscribeURL: https on AWS's own domains (S3 presigned URLs, SNS). */
export function isAwsUrl(url: URL): boolean {
  return url.protocol === 'https:' && /(^|\.)amazonaws\.com(\.cn)?$/.test(url.hostname);
}

/** Throws INVALID_INPUT unless the request's ResponseURL is on the allow-list (the service never PUTs to arbitrary URLs). */
export function assertAllowedResponseUrl(deps: ConnectionDeps, request: CustomResourceRequest): void {
  let responseUrl: URL;
  try {
    responseUrl = new URL(request.ResponseURL);
  } catch {
    throw new TrustgateError('INVALID_INPUT', 'ResponseURL is not a URL.', { field: 'ResponseURL' });
  }
  if (!(deps.isAllowedResponseUrl ?? isAwsUrl)(responseUrl)) {
    throw new TrustgateError('INVALID_INPUT', 'ResponseURL is not an AWS URL this service answers.', {
      field: 'ResponseURL',
    });
  }
}
