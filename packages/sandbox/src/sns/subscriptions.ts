import { randomBytes, randomUUID } from 'node:crypto';
import type { SandboxRuntime } from '../runtime.ts';
import { deliverSnsMessage } from './deliver-sns.ts';
import { SNS_CERTIFICATE_PATH_PREFIX } from './sns-signing.ts';

/** A subscription waiting for its endpoint to visit the SubscribeURL. */
export interface PendingSubscription {
  topicArn: string;
  url: string;
  subscriptionArn: string;
  confirmed: () => void;
  /** Gives up waiting (the sandbox stops): the subscription stays unconfirmed, its promise unsettled. */
  abandon: () => void;
}

/**
 * Subscribes an HTTP(S) endpoint as SNS's Subscribe does (SNS Developer Guide, "HTTP/HTTPS subscription
 * confirmation JSON format"): the subscription is pending — no notification is delivered to it — until the
 * endpoint visits the SubscribeURL of the signed `SubscriptionConfirmation` the sandbox POSTs to it. Resolves
 * once confirmed; rejects when the endpoint did not confirm within `timeoutMs`.
 */
export function subscribeWithConfirmation(
  runtime: SandboxRuntime,
  topicArn: string,
  url: string,
  timeoutMs = 15_000,
): Promise<void> {
  const token = randomBytes(64).toString('hex');
  const subscribeUrl = `${runtime.endpoint}${SNS_CERTIFICATE_PATH_PREFIX}?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`;
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      runtime.pendingSubscriptions.delete(token);
      reject(new Error(`The endpoint ${url} did not confirm its subscription to ${topicArn} within ${timeoutMs} ms.`));
    }, timeoutMs);
    runtime.pendingSubscriptions.set(token, {
      topicArn,
      url,
      subscriptionArn: `${topicArn}:${randomUUID()}`,
      confirmed: () => {
        clearTimeout(timer);
        resolve();
      },
      abandon: () => clearTimeout(timer),
    });
    void deliverSnsMessage(runtime, url, {
      Type: 'SubscriptionConfirmation',
      MessageId: randomUUID(),
      Token: token,
      TopicArn: topicArn,
      Message: `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
      SubscribeURL: subscribeUrl,
      Timestamp: runtime.clock().toISOString(),
    });
  });
}

/**
 * `GET <SubscribeURL>`: SNS's ConfirmSubscription with the token from the confirmation message. The
 * subscription becomes active (notifications are delivered from now on); answers SNS's XML with the
 * SubscriptionArn, or 400 `InvalidParameter` for an unknown or spent token or a different topic.
 */
export function confirmSubscription(runtime: SandboxRuntime, query: URLSearchParams): { status: number; body: string } {
  const requestId = randomUUID();
  const token = query.get('Token') ?? '';
  const pending = runtime.pendingSubscriptions.get(token);
  if (pending === undefined || pending.topicArn !== query.get('TopicArn')) {
    return {
      status: 400,
      body: `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidParameter</Code><Message>Invalid parameter: Token</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    };
  }
  runtime.pendingSubscriptions.delete(token);
  runtime.subscriptions.set(pending.topicArn, pending.url);
  pending.confirmed();
  return {
    status: 200,
    body: `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>${pending.subscriptionArn}</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`,
  };
}
