import type { SandboxRuntime } from '../runtime.ts';
import { SNS_CERTIFICATE_PATH_PREFIX } from './sns-signing.ts';

/** The URL of the certificate the sandbox's SNS signs with (the `SigningCertURL` of every delivery). */
export function snsSigningCertificateUrl(runtime: SandboxRuntime): string {
  return `${runtime.endpoint}${SNS_CERTIFICATE_PATH_PREFIX}${runtime.snsSigning.certificateFileName}`;
}

/**
 * Serves the SNS signing certificate over plain HTTP, as SNS serves its own at
 * `https://sns.<region>.amazonaws.com/SimpleNotificationService-<hex>.pem`. Returns undefined for paths outside
 * `/sns/` (the caller routes those elsewhere); 404 for any other file there; 405 for methods other than GET/HEAD.
 */
export function serveSnsSigningCertificate(runtime: SandboxRuntime, request: { method: string; path: string }): { status: number; headers: Record<string, string>; body: string } | undefined {
  if (!request.path.startsWith(SNS_CERTIFICATE_PATH_PREFIX)) return undefined;
  const text = (status: number, body: string) => ({ status, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) }, body });
  if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'Method Not Allowed');
  if (request.path !== `${SNS_CERTIFICATE_PATH_PREFIX}${runtime.snsSigning.certificateFileName}`) return text(404, 'Not Found');
  const pem = runtime.snsSigning.certificatePem;
  return { status: 200, headers: { 'content-type': 'application/x-x509-ca-cert', 'content-length': String(Buffer.byteLength(pem)) }, body: request.method === 'HEAD' ? '' : pem };
}
