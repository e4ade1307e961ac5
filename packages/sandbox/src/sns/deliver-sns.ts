import type { SandboxRuntime } from '../runtime.ts';
import { SNS_CERTIFICATE_PATH_PREFIX, type SnsMessageFields } from './sns-signing.ts';

/** The URL of the certificate the sandbox's SNS signs with (the `SigningCertURL` of every delivery). */
export function snsSigningCertificateUrl(runtime: SandboxRuntime): string {
  return `${runtime.endpoint}${SNS_CERTIFICATE_PATH_PREFIX}${runtime.snsSigning.certificateFileName}`;
}

/**
 * POSTs one SNS message to an HTTP(S) subscriber as SNS does (SNS Developer Guide, "Parsing message formats"):
 * the JSON body as `text/plain; charset=UTF-8` with the `x-amz-sns-*` headers, signed with SignatureVersion 2
 * (SHA256withRSA) by the sandbox's signing identity, `SigningCertURL` pointing at the certificate the sandbox
 * serves. Retries a failed delivery twice (SNS retries too, then gives up as its default policy eventually does).
 * Returns whether the subscriber answered 2xx.
 */
export async function deliverSnsMessage(runtime: SandboxRuntime, url: string, fields: SnsMessageFields & Record<string, string | undefined>): Promise<boolean> {
  const envelope = runtime.snsSigning.sign(fields, { signingCertUrl: snsSigningCertificateUrl(runtime) });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST', body: JSON.stringify(envelope),
        headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': fields.Type, 'x-amz-sns-message-id': fields.MessageId, 'x-amz-sns-topic-arn': fields.TopicArn, 'user-agent': 'Amazon Simple Notification Service Agent' },
        signal: AbortSignal.timeout(15_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return true;
    } catch {
      // retried below
    }
    if (runtime.stopping) return false;
    await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
  }
  return false;
}
