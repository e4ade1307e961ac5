import { createHash, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { createSelfSignedCertificate } from './self-signed-certificate.ts';

/** Path prefix under which the sandbox serves its SNS signing certificate. */
export const SNS_CERTIFICATE_PATH_PREFIX = '/sns/';

/*
 * The sandbox builds SNS's string to sign on its own, on purpose: trustgate's server builds the same string to
 * verify it (packages/server/src/aws/verify-sns-message.ts). The sandbox is an independent peer that must behave
 * as AWS does, so it shares no code with the code it tests — a bug shared would be a bug hidden.
 */

/** The fields of an SNS HTTP(S) delivery that take part in its signature (SNS Developer Guide, "HTTP/HTTPS notification JSON format"). */
export interface SnsMessageFields {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  /** Notification only, and only when the publisher gave one. */
  Subject?: string;
  /** SubscriptionConfirmation / UnsubscribeConfirmation only. */
  SubscribeURL?: string;
  /** SubscriptionConfirmation / UnsubscribeConfirmation only. */
  Token?: string;
}

/** A signed SNS envelope: the fields plus SignatureVersion, Signature and SigningCertURL (and whatever else was given). */
export type SignedSnsEnvelope = SnsMessageFields & {
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
} & Record<string, string>;

/**
 * The string SNS signs (SNS Developer Guide, "Verifying the signatures of Amazon SNS messages"): name, newline,
 * value, newline for each pair, in byte order of the names. A Notification signs Message, MessageId, Subject
 * (only when present), Timestamp, TopicArn, Type; a SubscriptionConfirmation or UnsubscribeConfirmation signs
 * Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
 */
export function snsStringToSign(fields: SnsMessageFields): string {
  const names: (keyof SnsMessageFields)[] =
    fields.Type === 'Notification'
      ? [
          'Message',
          'MessageId',
          ...(fields.Subject === undefined ? [] : ['Subject' as const]),
          'Timestamp',
          'TopicArn',
          'Type',
        ]
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return names.map((name) => `${name}\n${fields[name] ?? ''}\n`).join('');
}

/** The key and self-signed certificate the sandbox's SNS signs HTTP deliveries with. */
export interface SnsSigningIdentity {
  /** The certificate, PEM-encoded (what `SigningCertURL` serves). */
  certificatePem: string;
  /** The file name the certificate is served under, `SimpleNotificationService-<hex>.pem` as SNS names its own. */
  certificateFileName: string;
  /** The RSA private key (tests may sign with it to build messages by hand). */
  privateKey: KeyObject;
  /**
   * Signs `fields` as SNS does: SignatureVersion 2 is SHA256withRSA (the default here), 1 is SHA1withRSA, over
   * {@link snsStringToSign}. Returns the envelope with SignatureVersion, Signature (base64) and SigningCertURL.
   */
  sign(
    fields: SnsMessageFields & Record<string, string | undefined>,
    options: { signingCertUrl: string; signatureVersion?: '1' | '2' },
  ): SignedSnsEnvelope;
}

/**
 * Creates a signing identity: a 2048-bit RSA key and a self-signed X.509 certificate for it (subject
 * `CN=sns.amazonaws.com`, as AWS's SNS certificates name), valid from an hour ago for a year.
 */
export async function createSnsSigningIdentity(): Promise<SnsSigningIdentity> {
  const { publicKey, privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const now = Date.now();
  const certificatePem = createSelfSignedCertificate({
    commonName: 'sns.amazonaws.com',
    publicKey,
    privateKey,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + 365 * 86_400_000),
  });
  const certificateFileName = `SimpleNotificationService-${createHash('sha256').update(certificatePem).digest('hex').slice(0, 32)}.pem`;
  return {
    certificatePem,
    certificateFileName,
    privateKey,
    sign(fields, { signingCertUrl, signatureVersion = '2' }) {
      const signature = sign(
        signatureVersion === '1' ? 'sha1' : 'sha256',
        Buffer.from(snsStringToSign(fields), 'utf8'),
        privateKey,
      ).toString('base64');
      const envelope: Record<string, string> = {};
      for (const [name, value] of Object.entries(fields)) if (value !== undefined) envelope[name] = value;
      return {
        ...envelope,
        SignatureVersion: signatureVersion,
        Signature: signature,
        SigningCertURL: signingCertUrl,
      } as SignedSnsEnvelope;
    },
  };
}
