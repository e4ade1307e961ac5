import type { SandboxRuntime } from '../runtime.ts';
import { SNS_CERTIFICATE_PATH_PREFIX, type SnsMessageFields } from './sns-signing.ts';

/** The URL of the certificate the sandbox's SNS signs with (the `SigningCertURL` of every delivery). */
export function snsSigningCertificateUrl(runtime: SandboxRuntime): string {
  return `${runtime.endpoint}${SNS_CERTIFICATE_PATH_PREFIX}${runtime.snsSigning.certificateFileName}`;
}

/** A topic's `SignatureVersion` attribute: set with {@link SandboxRuntime.snsTopicSignatureVersions}, else AWS's default `1`. */
export function topicSignatureVersion(runtime: SandboxRuntime, topicArn: string): '1' | '2' {
  return runtime.snsTopicSignatureVersions.get(topicArn) ?? '1';
}

/**
 * Attempts of one HTTP(S) delivery under SNS's default HTTP/S delivery policy: the first and 3 retries (SNS
 * Developer Guide, "Set the delivery policy for the subscription": "Amazon SNS attempts up to three retries with a
 * delay between failed attempts set at 20 seconds"). The sandbox waits `200 ms × attempt` instead of 20 s.
 */
export const SNS_HTTP_DELIVERY_ATTEMPTS = 4;

/**
 * Whether SNS counts an HTTP answer as delivered (SNS Developer Guide, "Prepare your HTTP/S endpoint": a status
 * outside 200–4xx, or no answer within 15 s, is a failed attempt and retried). A 4xx is final: not retried.
 */
export function isSnsDelivered(status: number): boolean {
  return status >= 200 && status < 500;
}

/**
 * POSTs one SNS message to an HTTP(S) subscriber as SNS does (SNS Developer Guide, "Parsing message formats"):
 * the JSON body as `text/plain; charset=UTF-8` with the `x-amz-sns-*` headers, signed by the sandbox's signing
 * identity with the topic's SignatureVersion (AWS's default 1, SHA1withRSA; 2 is SHA256withRSA),
 * `SigningCertURL` pointing at the certificate the sandbox serves. Follows SNS's default HTTP/S delivery policy:
 * a 5xx answer, a network error or no answer within 15 s is retried (up to {@link SNS_HTTP_DELIVERY_ATTEMPTS}
 * attempts, the same envelope each time); any 2xx–4xx answer ends the delivery. Resolves to whether SNS would
 * count the message delivered (a 2xx–4xx answer).
 */
export async function deliverSnsMessage(
  runtime: SandboxRuntime,
  url: string,
  fields: SnsMessageFields & Record<string, string | undefined>,
): Promise<boolean> {
  const envelope = runtime.snsSigning.sign(fields, {
    signingCertUrl: snsSigningCertificateUrl(runtime),
    signatureVersion: topicSignatureVersion(runtime, fields.TopicArn),
  });
  for (let attempt = 1; attempt <= SNS_HTTP_DELIVERY_ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        body: JSON.stringify(envelope),
        headers: {
          'content-type': 'text/plain; charset=UTF-8',
          'x-amz-sns-message-type': fields.Type,
          'x-amz-sns-message-id': fields.MessageId,
          'x-amz-sns-topic-arn': fields.TopicArn,
          'user-agent': 'Amazon Simple Notification Service Agent',
        },
        signal: AbortSignal.timeout(15_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (isSnsDelivered(response.status)) return true;
    } catch {
      // no answer: retried below
    }
    if (runtime.stopping || attempt === SNS_HTTP_DELIVERY_ATTEMPTS) break;
    await new Promise((r) => setTimeout(r, 200 * attempt));
  }
  return false;
}
