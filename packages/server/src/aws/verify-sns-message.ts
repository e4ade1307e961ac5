import { verify, X509Certificate } from 'node:crypto';
import { isRegion, TrustgateError } from '@trustgate/core';

/** The message types SNS POSTs to HTTP(S) subscribers (SNS Developer Guide, "Parsing message formats"). */
export type SnsMessageType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/*
 * The message fields and the string to sign mirror the sandbox's SNS signer (packages/sandbox/src/sns/sns-signing.ts)
 * on purpose: the sandbox is the independent peer these checks are tested against, so the two build AWS's string to
 * sign each from SNS's documentation and share no code.
 */

/** An SNS HTTP(S) delivery whose signature has been verified. */
export interface VerifiedSnsMessage {
  Type: SnsMessageType;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
  SignatureVersion: '1' | '2';
  SigningCertURL: string;
}

/** Fetches a certificate: the response status and body text. Redirects must not be followed. */
export type CertificateFetchPort = (url: string) => Promise<{ status: number; text: string }>;

/** Options of {@link createSnsMessageVerifier}. */
export interface SnsMessageVerifierOptions {
  /** The topics messages may come from (the platform's callback topics); read on every message. */
  topicArns: () => readonly string[];
  /** Which SigningCertURLs are fetched; default {@link isAwsSnsCertificateUrl}. */
  isTrustedCertificateUrl?: (url: URL) => boolean;
  /** Default {@link fetchCertificateText}: global fetch, no redirects, 5 s timeout, 16 KiB at most. */
  fetchCertificate?: CertificateFetchPort;
  /** Oldest Timestamp accepted; default 3,600,000 ms (one hour). */
  maxAgeMs?: number;
  /** How far in the future a Timestamp may be (clock skew); default 300,000 ms. */
  maxClockSkewMs?: number;
  /** Certificates kept by URL; default 32 (SNS rotates its certificate rarely). */
  cacheSize?: number;
  /** Default the system clock. */
  now?: () => Date;
}

/** Verifies SNS messages; keeps fetched certificates. */
export interface SnsMessageVerifier {
  /** Returns the message when every check passes; throws INVALID_INPUT (400) or FORBIDDEN (403) naming the field otherwise. */
  verify(body: unknown): Promise<VerifiedSnsMessage>;
}

/** SNS's regional host, `sns.<region>.amazonaws.com` or `.amazonaws.com.cn`; the region is checked by core's isRegion. */
const SNS_HOST = /^sns\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * AWS's guidance for SigningCertURL: https, on SNS's own regional host `sns.<region>.amazonaws.com` (or
 * `.amazonaws.com.cn`), a `.pem` file, no credentials or port in the URL.
 */
export function isAwsSnsCertificateUrl(url: URL): boolean {
  return (
    url.protocol === 'https:' &&
    url.username === '' &&
    url.password === '' &&
    url.port === '' &&
    isRegion(SNS_HOST.exec(url.hostname)?.[1]) &&
    url.pathname.endsWith('.pem')
  );
}

/**
 * A trust predicate for exactly one certificate URL — e.g. a sandbox's `snsSigningCertificateUrl`, served over
 * plain HTTP — to pass as `isTrustedCertificateUrl`: the URL must have the same origin and the same path, and no
 * query string, fragment or credentials. A prefix would not do: another route under the same path (an S3 object,
 * a presigned URL) could serve a certificate someone else holds the key of.
 */
export function isCertificateUrl(expected: string): (url: URL) => boolean {
  const trusted = new URL(expected);
  if (trusted.search !== '' || trusted.hash !== '' || trusted.username !== '' || trusted.password !== '') {
    throw new TrustgateError(
      'INVALID_INPUT',
      'A trusted SNS certificate URL has no query string, fragment or credentials.',
      { field: 'SigningCertURL' },
    );
  }
  return (url) =>
    url.origin === trusted.origin &&
    url.pathname === trusted.pathname &&
    url.search === '' &&
    url.hash === '' &&
    url.username === '' &&
    url.password === '';
}

/** The largest certificate the default fetch reads (SNS's certificates are about 2 KiB). */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

/**
 * Fetches a certificate with global fetch: redirects not followed (the 3xx is the answer), 5 s timeout, and at most {@link MAX_CERTIFICATE_BYTES}
 * read — the body is streamed and reading stops (the request is aborted) past the cap, answered as 413.
 */
export async function fetchCertificateText(url: string): Promise<{ status: number; text: string }> {
  const abort = new AbortController();
  const timeout = AbortSignal.timeout(5000);
  // A redirect is not followed: its 3xx is answered as it is (not 200, so the certificate is refused).
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.any([abort.signal, timeout]) });
  const declared = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > MAX_CERTIFICATE_BYTES) {
    abort.abort();
    return { status: 413, text: '' };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (response.body !== null) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_CERTIFICATE_BYTES) {
        await reader.cancel().catch(() => undefined);
        abort.abort();
        return { status: 413, text: '' };
      }
      chunks.push(Buffer.from(value));
    }
  }
  return { status: response.status, text: Buffer.concat(chunks).toString('utf8') };
}

/**
 * The string SNS signs (SNS Developer Guide, "Verifying the signatures of Amazon SNS messages"): for each
 * name-value pair in byte order of the names, the name, a newline, the value, a newline. Notification: Message,
 * MessageId, Subject (only when present), Timestamp, TopicArn, Type. SubscriptionConfirmation and
 * UnsubscribeConfirmation: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
 */
export function snsStringToSign(message: Omit<VerifiedSnsMessage, 'SignatureVersion' | 'SigningCertURL'>): string {
  const names: (keyof typeof message)[] =
    message.Type === 'Notification'
      ? [
          'Message',
          'MessageId',
          ...(message.Subject === undefined ? [] : ['Subject' as const]),
          'Timestamp',
          'TopicArn',
          'Type',
        ]
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return names.map((name) => `${name}\n${message[name] ?? ''}\n`).join('');
}

const forbidden = (message: string, field: string): TrustgateError =>
  new TrustgateError('FORBIDDEN', message, { field });

/** Reads the envelope's fields; INVALID_INPUT when it is not an SNS HTTP(S) message. */
function readEnvelope(body: unknown): VerifiedSnsMessage & { Signature: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new TrustgateError('INVALID_INPUT', 'Expected a signed SNS message (a JSON object).');
  const fields = body as Record<string, unknown>;
  const type = fields.Type;
  if (type !== 'Notification' && type !== 'SubscriptionConfirmation' && type !== 'UnsubscribeConfirmation') {
    throw new TrustgateError(
      'INVALID_INPUT',
      'Expected a signed SNS message: Type must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation.',
      { field: 'Type' },
    );
  }
  const required = [
    'MessageId',
    'TopicArn',
    'Message',
    'Timestamp',
    'SignatureVersion',
    'Signature',
    'SigningCertURL',
    ...(type === 'Notification' ? [] : ['SubscribeURL', 'Token']),
  ];
  for (const name of required) {
    if (typeof fields[name] !== 'string')
      throw new TrustgateError('INVALID_INPUT', `The SNS message lacks ${name}.`, { field: name });
  }
  if (fields.Subject !== undefined && typeof fields.Subject !== 'string')
    throw new TrustgateError('INVALID_INPUT', "The SNS message's Subject is not a string.", { field: 'Subject' });
  if (fields.SignatureVersion !== '1' && fields.SignatureVersion !== '2') {
    throw forbidden('SignatureVersion must be 1 (SHA1withRSA) or 2 (SHA256withRSA).', 'SignatureVersion');
  }
  const text = (name: string): string => fields[name] as string;
  return {
    Type: type,
    MessageId: text('MessageId'),
    TopicArn: text('TopicArn'),
    Message: text('Message'),
    Timestamp: text('Timestamp'),
    ...(typeof fields.Subject === 'string' && type === 'Notification' ? { Subject: fields.Subject } : {}),
    ...(type === 'Notification' ? {} : { SubscribeURL: text('SubscribeURL'), Token: text('Token') }),
    SignatureVersion: fields.SignatureVersion,
    Signature: text('Signature'),
    SigningCertURL: text('SigningCertURL'),
  };
}

/**
 * Verifies SNS HTTP(S) messages as AWS documents ("Verifying the signatures of Amazon SNS messages"), cheapest
 * checks first so a forged message costs no fetch: the TopicArn must be one of `topicArns`; the Timestamp no
 * older than `maxAgeMs` (a captured message cannot be replayed later) and not in the future beyond the skew;
 * the SigningCertURL must have no query string or fragment and pass `isTrustedCertificateUrl` (https on
 * `sns.<region>.amazonaws.com[.cn]` by default; {@link isCertificateUrl} for one exact URL) before it is fetched; the certificate (cached by URL, at most `cacheSize`) must be within its
 * validity period; then the Signature must verify over the string to sign with SHA1withRSA (version 1) or
 * SHA256withRSA (version 2). Failures are FORBIDDEN (403) naming the field; a malformed body INVALID_INPUT
 * (400); a trusted certificate host that cannot be reached or answers 5xx or 429 AWS_ERROR (502, so SNS
 * retries); any other non-200 answer FORBIDDEN.
 */
export function createSnsMessageVerifier(options: SnsMessageVerifierOptions): SnsMessageVerifier {
  const isTrusted = options.isTrustedCertificateUrl ?? isAwsSnsCertificateUrl;
  const fetchCertificate = options.fetchCertificate ?? fetchCertificateText;
  const maxAgeMs = options.maxAgeMs ?? 3_600_000;
  const maxSkewMs = options.maxClockSkewMs ?? 300_000;
  const cacheSize = Math.max(1, options.cacheSize ?? 32);
  const now = options.now ?? (() => new Date());
  const cache = new Map<string, Promise<X509Certificate>>();

  async function load(url: string): Promise<X509Certificate> {
    let result: { status: number; text: string };
    try {
      result = await fetchCertificate(url);
    } catch (error) {
      throw new TrustgateError('AWS_ERROR', 'The SNS signing certificate could not be fetched.', {
        field: 'SigningCertURL',
        cause: error,
      });
    }
    // The trusted host failing for now (5xx, throttled) is not the sender's fault: 502, so SNS retries the delivery.
    if (result.status >= 500 || result.status === 429) {
      throw new TrustgateError(
        'AWS_ERROR',
        `The SNS signing certificate URL answered HTTP ${result.status}; try again later.`,
        { field: 'SigningCertURL' },
      );
    }
    if (result.status !== 200)
      throw forbidden(`The SNS signing certificate URL answered HTTP ${result.status}.`, 'SigningCertURL');
    try {
      return new X509Certificate(result.text);
    } catch (error) {
      throw new TrustgateError('FORBIDDEN', 'The SigningCertURL does not hold an X.509 certificate.', {
        field: 'SigningCertURL',
        cause: error,
      });
    }
  }

  async function certificate(url: string): Promise<X509Certificate> {
    const cached = cache.get(url);
    if (cached !== undefined) {
      cache.delete(url);
      cache.set(url, cached); // most recently used last
      return cached;
    }
    const loading = load(url);
    cache.set(url, loading);
    loading.catch(() => cache.delete(url)); // failures are not kept
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    return loading;
  }

  return {
    async verify(body) {
      const message = readEnvelope(body);
      if (!options.topicArns().includes(message.TopicArn))
        throw forbidden('The SNS message is from a topic this service does not listen to.', 'TopicArn');
      const sentAt = Date.parse(message.Timestamp);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(message.Timestamp) || Number.isNaN(sentAt))
        throw new TrustgateError('INVALID_INPUT', "The SNS message's Timestamp is not an ISO 8601 time.", {
          field: 'Timestamp',
        });
      const at = now().getTime();
      if (sentAt < at - maxAgeMs)
        throw forbidden(
          `The SNS message is older than ${Math.round(maxAgeMs / 60_000)} minutes; it is not accepted again.`,
          'Timestamp',
        );
      if (sentAt > at + maxSkewMs) throw forbidden("The SNS message's Timestamp is in the future.", 'Timestamp');
      let certUrl: URL;
      try {
        certUrl = new URL(message.SigningCertURL);
      } catch {
        throw forbidden('SigningCertURL is not a URL.', 'SigningCertURL');
      }
      // A certificate URL with a query string or fragment is never SNS's (AWS's default too): a presigned or otherwise
      // parameterized URL on a trusted origin could serve something else.
      if (
        certUrl.search !== '' ||
        certUrl.hash !== '' ||
        message.SigningCertURL.includes('?') ||
        message.SigningCertURL.includes('#')
      ) {
        throw forbidden('SigningCertURL must not have a query string or fragment.', 'SigningCertURL');
      }
      if (!isTrusted(certUrl))
        throw forbidden(
          'SigningCertURL is not an Amazon SNS certificate URL (https://sns.<region>.amazonaws.com/...pem).',
          'SigningCertURL',
        );
      const cert = await certificate(certUrl.href);
      if (Date.parse(cert.validFrom) > at || Date.parse(cert.validTo) < at)
        throw forbidden('The SNS signing certificate is not valid at this time.', 'SigningCertURL');
      const signature = Buffer.from(message.Signature, 'base64');
      const data = Buffer.from(snsStringToSign(message), 'utf8');
      let valid = false;
      try {
        valid = verify(message.SignatureVersion === '1' ? 'sha1' : 'sha256', data, cert.publicKey, signature);
      } catch {
        valid = false;
      }
      if (!valid) throw forbidden("The SNS message's signature does not verify.", 'Signature');
      const { Signature: _signature, ...verified } = message;
      return verified;
    },
  };
}
