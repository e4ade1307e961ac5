import { sign } from 'node:crypto';
import { createServer } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { isTrustgateError } from '@trustgate/core';
import { createSnsSigningIdentity, type SnsSigningIdentity } from '@trustgate/sandbox';
import {
  createSnsMessageVerifier,
  fetchCertificateText,
  isAwsSnsCertificateUrl,
  isCertificateUrl,
  MAX_CERTIFICATE_BYTES,
  snsStringToSign,
  type CertificateFetchPort,
  type SnsMessageVerifierOptions,
} from '../src/aws/verify-sns-message.ts';

/**
 * SNS signature verification with a real RSA key and X.509 certificate. The strings to sign are written out by
 * hand in the layout of AWS's examples (SNS Developer Guide, "Verifying the signatures of Amazon SNS messages"),
 * so the verifier is checked against the documentation, not against its own string builder.
 */
const TOPIC = 'arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P';
const CERT_URL = 'https://sns.us-east-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem';
const NOW = new Date(Date.now());
const iso = (offsetMs: number): string => new Date(NOW.getTime() + offsetMs).toISOString();

let aws: SnsSigningIdentity;
let other: SnsSigningIdentity;
beforeAll(async () => {
  [aws, other] = await Promise.all([createSnsSigningIdentity(), createSnsSigningIdentity()]);
});

/** A fetch port standing in for SNS's certificate host: serves `aws`'s certificate at CERT_URL, records calls. */
function certificateHost(
  overrides: Record<string, { status: number; text: string } | Error> = {},
): CertificateFetchPort & { calls: string[] } {
  const calls: string[] = [];
  const port = async (url: string) => {
    calls.push(url);
    const special = overrides[url];
    if (special instanceof Error) throw special;
    if (special !== undefined) return special;
    return url === CERT_URL ? { status: 200, text: aws.certificatePem } : { status: 404, text: '<Error/>' };
  };
  return Object.assign(port, { calls });
}

function verifier(fetchCertificate: CertificateFetchPort, extra: Partial<SnsMessageVerifierOptions> = {}) {
  return createSnsMessageVerifier({ topicArns: () => [TOPIC], fetchCertificate, now: () => NOW, ...extra });
}

const signWith = (key: SnsSigningIdentity, hash: 'sha1' | 'sha256', text: string): string =>
  sign(hash, Buffer.from(text, 'utf8'), key.privateKey).toString('base64');

/** Expects a TrustgateError with this code and field. */
async function refused(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTrustgateError(error), String(error)).toBe(true);
  expect({ code: (error as { code: string }).code, field: (error as { field?: string }).field }).toEqual({
    code,
    field,
  });
}

describe('SNS message signatures', () => {
  const notification = (timestamp: string) => ({
    Type: 'Notification',
    MessageId: '4d4dc071-ddbf-465d-bba8-08f81c89da64',
    TopicArn: TOPIC,
    Subject: 'My subject',
    Message: 'My Test Message',
    Timestamp: timestamp,
    SigningCertURL: CERT_URL,
    UnsubscribeURL: 'https://sns.us-east-2.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x',
  });
  const handBuiltNotification = (timestamp: string, withSubject = true) =>
    `Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\n${withSubject ? 'Subject\nMy subject\n' : ''}Timestamp\n${timestamp}\nTopicArn\n${TOPIC}\nType\nNotification\n`;

  it('SignatureVersion 1 (SHA1withRSA): a Notification with a Subject verifies over the documented string to sign', async () => {
    const ts = iso(-60_000);
    const body = {
      ...notification(ts),
      SignatureVersion: '1',
      Signature: signWith(aws, 'sha1', handBuiltNotification(ts)),
    };
    expect(snsStringToSign({ ...body, Type: 'Notification' })).toBe(handBuiltNotification(ts));
    const host = certificateHost();
    const verified = await verifier(host).verify(JSON.parse(JSON.stringify(body)));
    expect(verified).toMatchObject({
      Type: 'Notification',
      Subject: 'My subject',
      Message: 'My Test Message',
      SignatureVersion: '1',
    });
    expect(host.calls).toEqual([CERT_URL]);
  });

  it('SignatureVersion 2 (SHA256withRSA): Subject present and absent; adding or dropping a Subject after signing breaks it', async () => {
    const ts = iso(-1000);
    const v = verifier(certificateHost());
    const withSubject = {
      ...notification(ts),
      SignatureVersion: '2',
      Signature: signWith(aws, 'sha256', handBuiltNotification(ts)),
    };
    await expect(v.verify(withSubject)).resolves.toMatchObject({ Subject: 'My subject', SignatureVersion: '2' });
    const { Subject: _subject, ...noSubjectFields } = notification(ts);
    const withoutSubject = {
      ...noSubjectFields,
      SignatureVersion: '2',
      Signature: signWith(aws, 'sha256', handBuiltNotification(ts, false)),
    };
    const verified = await v.verify(withoutSubject);
    expect(verified.Subject).toBeUndefined();
    await refused(v.verify({ ...withoutSubject, Subject: 'added later' }), 'FORBIDDEN', 'Signature');
    await refused(v.verify({ ...withSubject, Subject: undefined }), 'FORBIDDEN', 'Signature');
    // Signed with SHA-1 but presented as version 2 (and the reverse): refused.
    await refused(
      v.verify({ ...withSubject, Signature: signWith(aws, 'sha1', handBuiltNotification(ts)) }),
      'FORBIDDEN',
      'Signature',
    );
    await refused(v.verify({ ...withSubject, SignatureVersion: '1' }), 'FORBIDDEN', 'Signature');
  });

  it('the Message is signed as parsed: escaped control characters and non-ASCII text verify; a changed Message does not', async () => {
    const ts = iso(-1000);
    const message = JSON.stringify({ RequestType: 'Create', note: 'line one\nline two\ttab "quoted" — ünïcode' });
    const text = `Message\n${message}\nMessageId\nm-1\nTimestamp\n${ts}\nTopicArn\n${TOPIC}\nType\nNotification\n`;
    const body = {
      Type: 'Notification',
      MessageId: 'm-1',
      TopicArn: TOPIC,
      Message: message,
      Timestamp: ts,
      SignatureVersion: '2',
      Signature: signWith(aws, 'sha256', text),
      SigningCertURL: CERT_URL,
    };
    const v = verifier(certificateHost());
    await expect(v.verify(JSON.parse(JSON.stringify(body)))).resolves.toMatchObject({ Message: message });
    await refused(v.verify({ ...body, Message: message.replace('Create', 'Delete') }), 'FORBIDDEN', 'Signature');
    await refused(v.verify({ ...body, MessageId: 'm-2' }), 'FORBIDDEN', 'Signature');
  });

  it('SubscriptionConfirmation and UnsubscribeConfirmation sign SubscribeURL and Token; changing either breaks the signature', async () => {
    const ts = iso(-1000);
    const subscribeUrl = `https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=233abc`;
    const message = `You have chosen to subscribe to the topic ${TOPIC}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
    const text = (type: string) =>
      `Message\n${message}\nMessageId\n3d891288-136d-417f-bc05-901c108273ee\nSubscribeURL\n${subscribeUrl}\nTimestamp\n${ts}\nToken\n233abc\nTopicArn\n${TOPIC}\nType\n${type}\n`;
    const confirmation = (type: string, version: '1' | '2') => ({
      Type: type,
      MessageId: '3d891288-136d-417f-bc05-901c108273ee',
      Token: '233abc',
      TopicArn: TOPIC,
      Message: message,
      SubscribeURL: subscribeUrl,
      Timestamp: ts,
      SignatureVersion: version,
      Signature: signWith(aws, version === '1' ? 'sha1' : 'sha256', text(type)),
      SigningCertURL: CERT_URL,
    });
    const v = verifier(certificateHost());
    for (const version of ['1', '2'] as const) {
      await expect(v.verify(confirmation('SubscriptionConfirmation', version))).resolves.toMatchObject({
        Type: 'SubscriptionConfirmation',
        SubscribeURL: subscribeUrl,
        Token: '233abc',
      });
      await expect(v.verify(confirmation('UnsubscribeConfirmation', version))).resolves.toMatchObject({
        Type: 'UnsubscribeConfirmation',
      });
    }
    const genuine = confirmation('SubscriptionConfirmation', '2');
    await refused(
      v.verify({
        ...genuine,
        SubscribeURL: 'https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=other',
      }),
      'FORBIDDEN',
      'Signature',
    );
    await refused(v.verify({ ...genuine, Token: 'other' }), 'FORBIDDEN', 'Signature');
    await refused(v.verify({ ...genuine, Type: 'UnsubscribeConfirmation' }), 'FORBIDDEN', 'Signature');
    const { Token: _token, ...noToken } = genuine;
    await refused(v.verify(noToken), 'INVALID_INPUT', 'Token');
  });

  it("a signature by another key is refused, even with SNS's certificate URL", async () => {
    const ts = iso(-1000);
    const body = {
      ...notification(ts),
      SignatureVersion: '2',
      Signature: signWith(other, 'sha256', handBuiltNotification(ts)),
    };
    await refused(verifier(certificateHost()).verify(body), 'FORBIDDEN', 'Signature');
  });

  it('SigningCertURL must be https on sns.<region>.amazonaws.com[.cn]: anything else is refused before any fetch', async () => {
    for (const good of [
      CERT_URL,
      'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-1.pem',
      'https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-1.pem',
    ]) {
      expect(isAwsSnsCertificateUrl(new URL(good)), good).toBe(true);
    }
    const bad = [
      'http://sns.us-east-2.amazonaws.com/SimpleNotificationService-0123456789abcdef.pem',
      'https://sns.us-east-2.amazonaws.com.evil.example/SimpleNotificationService-1.pem',
      'https://evil.example/sns.us-east-2.amazonaws.com/SimpleNotificationService-1.pem',
      'https://sns.us-east-2.amazonaws.com:8443/SimpleNotificationService-1.pem',
      'https://user:pw@sns.us-east-2.amazonaws.com/SimpleNotificationService-1.pem',
      'https://s3.us-east-2.amazonaws.com/SimpleNotificationService-1.pem',
      'https://evilsns.us-east-2.amazonaws.com/SimpleNotificationService-1.pem',
      'https://sns.us-east-2.amazonaws.com/redirect?to=evil',
      // SNS's own host and a .pem path, but a query string or fragment: never SNS's certificate URL.
      `${CERT_URL}?X-Amz-Signature=abc`,
      `${CERT_URL}?`,
      `${CERT_URL}#x`,
      `${CERT_URL}#`,
      'not a url',
    ];
    const ts = iso(-1000);
    const host = certificateHost();
    const v = verifier(host);
    for (const url of bad) {
      const body = {
        ...notification(ts),
        SigningCertURL: url,
        SignatureVersion: '2',
        Signature: signWith(aws, 'sha256', handBuiltNotification(ts)),
      };
      await refused(v.verify(body), 'FORBIDDEN', 'SigningCertURL');
    }
    expect(host.calls).toEqual([]);
  });

  it('a Timestamp older than an hour, or in the future beyond five minutes, is refused; within bounds passes', async () => {
    const v = verifier(certificateHost());
    const at = (offsetMs: number) => {
      const ts = iso(offsetMs);
      return {
        ...notification(ts),
        SignatureVersion: '2',
        Signature: signWith(aws, 'sha256', handBuiltNotification(ts)),
      };
    };
    await refused(v.verify(at(-3_600_001)), 'FORBIDDEN', 'Timestamp');
    await refused(v.verify(at(-2 * 86_400_000)), 'FORBIDDEN', 'Timestamp');
    await refused(v.verify(at(301_000)), 'FORBIDDEN', 'Timestamp');
    await expect(v.verify(at(-3_599_000))).resolves.toMatchObject({ Type: 'Notification' });
    await expect(v.verify(at(299_000))).resolves.toMatchObject({ Type: 'Notification' });
    await refused(v.verify({ ...at(0), Timestamp: 'yesterday' }), 'INVALID_INPUT', 'Timestamp');
  });

  it('a TopicArn that is not a callback topic is refused before the certificate is fetched', async () => {
    const ts = iso(-1000);
    const otherTopic = 'arn:aws:sns:us-east-2:999999999999:attacker';
    const text = handBuiltNotification(ts).replace(TOPIC, otherTopic);
    const host = certificateHost();
    await refused(
      verifier(host).verify({
        ...notification(ts),
        TopicArn: otherTopic,
        SignatureVersion: '2',
        Signature: signWith(aws, 'sha256', text),
      }),
      'FORBIDDEN',
      'TopicArn',
    );
    expect(host.calls).toEqual([]);
    // No callback topic configured: nothing is accepted.
    await refused(
      verifier(host, { topicArns: () => [] }).verify({
        ...notification(ts),
        SignatureVersion: '2',
        Signature: signWith(aws, 'sha256', handBuiltNotification(ts)),
      }),
      'FORBIDDEN',
      'TopicArn',
    );
  });

  it('malformed bodies are 400; unknown signature versions 403', async () => {
    const v = verifier(certificateHost());
    await refused(
      v.verify({
        RequestType: 'Create',
        ResponseURL: 'https://x.s3.amazonaws.com/',
        StackId: 's',
        RequestId: 'r',
        LogicalResourceId: 'l',
        ResourceProperties: {},
      }),
      'INVALID_INPUT',
      'Type',
    );
    await refused(v.verify('text'), 'INVALID_INPUT');
    await refused(v.verify([]), 'INVALID_INPUT');
    await refused(v.verify({ Type: 'Notification', Message: '{}' }), 'INVALID_INPUT', 'MessageId');
    const ts = iso(-1000);
    await refused(
      v.verify({
        ...notification(ts),
        SignatureVersion: '3',
        Signature: signWith(aws, 'sha256', handBuiltNotification(ts)),
      }),
      'FORBIDDEN',
      'SignatureVersion',
    );
    await refused(
      v.verify({ ...notification(ts), SignatureVersion: 2, Signature: 'x' }),
      'INVALID_INPUT',
      'SignatureVersion',
    );
  });

  it('certificates are cached by URL (bounded); failed fetches are not cached; an unreachable, failing (5xx) or throttling (429) host is 502, other answers and junk 403', async () => {
    const ts = iso(-1000);
    const urlN = (n: number) => `https://sns.us-east-2.amazonaws.com/SimpleNotificationService-${n}.pem`;
    const overrides: Record<string, { status: number; text: string } | Error> = {};
    for (const n of [1, 2, 3]) overrides[urlN(n)] = { status: 200, text: aws.certificatePem };
    const host = certificateHost(overrides);
    const v = verifier(host, { cacheSize: 2 });
    const body = (url: string) => ({
      ...notification(ts),
      SigningCertURL: url,
      SignatureVersion: '2',
      Signature: signWith(aws, 'sha256', handBuiltNotification(ts)),
    });
    await v.verify(body(urlN(1)));
    await v.verify(body(urlN(1)));
    expect(host.calls).toEqual([urlN(1)]);
    await v.verify(body(urlN(2)));
    await v.verify(body(urlN(3))); // evicts 1
    await v.verify(body(urlN(1)));
    expect(host.calls).toEqual([urlN(1), urlN(2), urlN(3), urlN(1)]);

    const flaky = urlN(4);
    // A trusted host failing for now is not the sender's fault: 502, so SNS retries; then it serves and verifies.
    for (const status of [500, 502, 503, 504, 429]) {
      overrides[flaky] = { status, text: '' };
      await refused(v.verify(body(flaky)), 'AWS_ERROR', 'SigningCertURL');
    }
    for (const status of [400, 403, 404, 410, 301, 204]) {
      overrides[flaky] = { status, text: aws.certificatePem };
      await refused(v.verify(body(flaky)), 'FORBIDDEN', 'SigningCertURL');
    }
    overrides[flaky] = { status: 200, text: aws.certificatePem };
    await expect(v.verify(body(flaky))).resolves.toMatchObject({ Type: 'Notification' });
    overrides[urlN(5)] = new Error('ECONNREFUSED');
    await refused(v.verify(body(urlN(5))), 'AWS_ERROR', 'SigningCertURL');
    overrides[urlN(6)] = { status: 200, text: '<html>not a certificate</html>' };
    await refused(v.verify(body(urlN(6))), 'FORBIDDEN', 'SigningCertURL');
  });

  it('a certificate outside its validity period is refused', async () => {
    const later = new Date(NOW.getTime() + 2 * 365 * 86_400_000);
    const ts = later.toISOString();
    const body = {
      ...notification(ts),
      SignatureVersion: '2',
      Signature: signWith(aws, 'sha256', handBuiltNotification(ts)),
    };
    await refused(verifier(certificateHost(), { now: () => later }).verify(body), 'FORBIDDEN', 'SigningCertURL');
  });

  it('isCertificateUrl trusts exactly one URL: same origin and path, no query string, fragment or credentials', () => {
    const trusted = isCertificateUrl('http://127.0.0.1:4566/sns/SimpleNotificationService-ab.pem');
    expect(trusted(new URL('http://127.0.0.1:4566/sns/SimpleNotificationService-ab.pem'))).toBe(true);
    for (const url of [
      'http://127.0.0.1:4566/sns/SimpleNotificationService-evil.pem',
      'http://127.0.0.1:4566/sns/SimpleNotificationService-ab.pem?X-Amz-Signature=1',
      'http://127.0.0.1:4566/sns/SimpleNotificationService-ab.pem#x',
      'http://127.0.0.1:4566//sns/SimpleNotificationService-ab.pem',
      'http://127.0.0.1:4566/sns/SimpleNotificationService-ab.pem/',
      'http://127.0.0.1:4566/sns/SimpleNotificationService-ab.pem.evil',
      'http://127.0.0.1:4567/sns/SimpleNotificationService-ab.pem',
      'https://127.0.0.1:4566/sns/SimpleNotificationService-ab.pem',
      'http://u:p@127.0.0.1:4566/sns/SimpleNotificationService-ab.pem',
      'http://127.0.0.1:4566/sns/%53impleNotificationService-ab.pem',
    ])
      expect(trusted(new URL(url)), url).toBe(false);
    expect(() => isCertificateUrl('http://127.0.0.1:4566/sns/x.pem?a=1')).toThrow();
  });

  it('the default certificate fetch stops reading past 16 KiB (an endless body is cut off, not read to the end); an honest certificate is read whole', async () => {
    let dropped = 0;
    const server = createServer((req, res) => {
      if (req.url === '/ok.pem') {
        res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end(aws.certificatePem);
        return;
      }
      if (req.url === '/moved.pem') {
        res.writeHead(301, { location: '/ok.pem' }).end();
        return;
      }
      if (req.url === '/declared.pem') {
        res.writeHead(200, { 'content-length': String(MAX_CERTIFICATE_BYTES + 1) });
        res.write('x');
        return;
      }
      // Chunked, without end: a reader that waits for the whole body never returns.
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' });
      const chunk = Buffer.alloc(1024, 'A');
      let closed = false;
      const pump = (): void => {
        while (!closed && res.write(chunk));
        if (!closed) res.once('drain', pump);
      };
      res.on('close', () => {
        closed = true;
        dropped++;
      });
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      expect(await fetchCertificateText(`${base}/ok.pem`)).toEqual({ status: 200, text: aws.certificatePem });
      expect(await fetchCertificateText(`${base}/endless.pem`)).toEqual({ status: 413, text: '' });
      for (let i = 0; i < 200 && dropped === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(dropped).toBe(1); // the connection was dropped, not drained
      expect(await fetchCertificateText(`${base}/declared.pem`)).toEqual({ status: 413, text: '' });
      // Through the verifier: 413 is the sender's problem, 403.
      const ts = iso(-1000);
      const v = createSnsMessageVerifier({
        topicArns: () => [TOPIC],
        now: () => NOW,
        isTrustedCertificateUrl: (url) => url.origin === base,
      });
      const body = {
        ...notification(ts),
        SigningCertURL: `${base}/endless.pem`,
        SignatureVersion: '2',
        Signature: signWith(aws, 'sha256', handBuiltNotification(ts)),
      };
      await refused(v.verify(body), 'FORBIDDEN', 'SigningCertURL');
      await expect(v.verify({ ...body, SigningCertURL: `${base}/ok.pem` })).resolves.toMatchObject({
        Type: 'Notification',
      });
      // A redirect is not followed, even to the certificate on the same trusted host: 403, not 502.
      expect((await fetchCertificateText(`${base}/moved.pem`)).status).toBe(301);
      await refused(v.verify({ ...body, SigningCertURL: `${base}/moved.pem` }), 'FORBIDDEN', 'SigningCertURL');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
