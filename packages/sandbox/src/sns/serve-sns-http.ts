import type { SandboxRuntime } from '../runtime.ts';
import { SNS_CERTIFICATE_PATH_PREFIX } from './sns-signing.ts';
import { confirmSubscription } from './subscriptions.ts';

/** An HTTP answer. */
export interface SnsHttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function answer(status: number, contentType: string, body: string): SnsHttpAnswer {
  return { status, headers: { 'content-type': contentType, 'content-length': String(Buffer.byteLength(body)) }, body };
}

/**
 * The plain-HTTP paths of the sandbox's SNS under `/sns/`: the signing certificate, served as SNS serves its
 * own at `https://sns.<region>.amazonaws.com/SimpleNotificationService-<hex>.pem`, and the SubscribeURL
 * (`/sns/?Action=ConfirmSubscription&TopicArn=…&Token=…`). Returns undefined for paths outside `/sns/` (the
 * caller routes those elsewhere); 404 for other files there; 405 for methods other than GET/HEAD.
 */
export function serveSnsHttp(
  runtime: SandboxRuntime,
  request: { method: string; path: string; query: URLSearchParams },
): SnsHttpAnswer | undefined {
  if (!request.path.startsWith(SNS_CERTIFICATE_PATH_PREFIX)) return undefined;
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return answer(405, 'text/plain; charset=utf-8', 'Method Not Allowed');
  if (request.path === SNS_CERTIFICATE_PATH_PREFIX && request.query.get('Action') === 'ConfirmSubscription') {
    const result = confirmSubscription(runtime, request.query);
    return answer(result.status, 'text/xml', result.body);
  }
  if (request.path !== `${SNS_CERTIFICATE_PATH_PREFIX}${runtime.snsSigning.certificateFileName}`)
    return answer(404, 'text/plain; charset=utf-8', 'Not Found');
  const pem = runtime.snsSigning.certificatePem;
  return { ...answer(200, 'application/x-x509-ca-cert', pem), ...(request.method === 'HEAD' ? { body: '' } : {}) };
}
