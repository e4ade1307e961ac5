import { TrustgateError } from '@trustgate/core';
import { describeFetchFailure, type FetchPort } from '../../aws/fetch-port.ts';
import type { ConnectionDeps } from '../deps.ts';
import { isAwsUrl } from './allowed-urls.ts';

/**
 * Confirms an SNS subscription by fetching its SubscribeURL, when the URL is on the allow-list. Call it only with
 * the SubscribeURL of a verified SubscriptionConfirmation ({@link readCallbackBody}).
 */
export async function confirmSubscription(
  deps: ConnectionDeps,
  subscribeUrl: string,
  fetchPort: FetchPort,
): Promise<void> {
  let url: URL;
  try {
    url = new URL(subscribeUrl);
  } catch {
    throw new TrustgateError('INVALID_INPUT', 'SubscribeURL is not a URL.', { field: 'SubscribeURL' });
  }
  if (!(deps.isAllowedResponseUrl ?? isAwsUrl)(url))
    throw new TrustgateError('INVALID_INPUT', 'SubscribeURL is not an AWS URL.', { field: 'SubscribeURL' });
  let answer: { ok: boolean; status: number };
  try {
    answer = await fetchPort(subscribeUrl, { method: 'GET' });
  } catch (error) {
    // Unreachable or timed out: SNS's side failed, not trustgate (502, so SNS retries the confirmation).
    throw new TrustgateError(
      'AWS_ERROR',
      `SNS's SubscribeURL could not be reached (${describeFetchFailure(error, subscribeUrl)}); the subscription is not confirmed.`,
      { field: 'SubscribeURL', cause: error },
    );
  }
  // Not confirmed: say so (502), so SNS retries the confirmation and the failure is visible.
  if (!answer.ok)
    throw new TrustgateError(
      'AWS_ERROR',
      `SNS answered the SubscribeURL with HTTP ${answer.status}; the subscription is not confirmed.`,
      { field: 'SubscribeURL' },
    );
}
