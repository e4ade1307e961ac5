import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createSnsSigningIdentity, type SnsSigningIdentity } from '@trustgate/sandbox';
import { startServe, type RunningServe } from '../src/commands/serve.ts';

/**
 * `trustgate serve`'s wiring of the sandbox's SNS certificate, as attacks (found in review: the service trusted
 * any URL under `<sandbox>/sns/`, and an S3-signed request won over the sandbox's `/sns/` route): an account
 * holder of the sandbox creates a bucket named `sns`, uploads a certificate of their own and names a presigned URL
 * of it (on the sandbox's origin, under `/sns/`) as SigningCertURL of a message they signed. The sandbox never
 * lets S3 answer under `/sns/`, and the service trusts exactly the sandbox's certificate URL (no other path, no
 * query string or fragment), so every such forgery is refused (403) before anything in it is used.
 */
describe('trustgate serve: the trusted SNS certificate URL', () => {
  let running: RunningServe;
  let dir: string;
  let evil: SnsSigningIdentity;
  let s3: S3Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tg-serve-sns-'));
    running = await startServe({
      db: join(dir, 'tg.sqlite'),
      port: '0',
      host: '127.0.0.1',
      aws: 'sandbox',
      partition: 'aws',
    });
    const attacker = running.sandbox!.accounts[2]!;
    s3 = new S3Client({
      endpoint: running.sandbox!.endpoint,
      region: running.sandbox!.region,
      forcePathStyle: true,
      credentials: { accessKeyId: attacker.accessKeyId, secretAccessKey: attacker.secretAccessKey },
    });
    evil = await createSnsSigningIdentity();
  });
  afterAll(async () => {
    await running?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const post = async (
    body: unknown,
  ): Promise<{ status: number; body: { error?: { code: string; field?: string } } }> => {
    const res = await fetch(`${running.url}/v1/callbacks/cloudformation`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { error?: { code: string; field?: string } } };
  };

  it('a certificate uploaded to a bucket named sns and presigned is neither served under /sns/ nor trusted', async () => {
    const sandbox = running.sandbox!;
    // `sns` is a valid bucket name (3–63 characters), but every path-style URL of it is under `/sns/`, the sandbox's
    // SNS: no S3 request there — signed or presigned — reaches S3 (S3 callers get AccessDenied saying so), so
    // nothing can be stored or served there.
    await expect(s3.send(new CreateBucketCommand({ Bucket: 'sns' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: 'sns', Key: 'SimpleNotificationService-evil.pem', Body: evil.certificatePem }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    const presignedPut = await getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: 'sns', Key: 'SimpleNotificationService-evil.pem' }),
      { expiresIn: 3600 },
    );
    expect((await fetch(presignedPut, { method: 'PUT', body: evil.certificatePem })).status).toBe(403);
    const presigned = await getSignedUrl(
      s3,
      new GetObjectCommand({ Bucket: 'sns', Key: 'SimpleNotificationService-evil.pem' }),
      { expiresIn: 3600 },
    );
    expect(presigned.startsWith(`${sandbox.endpoint}/sns/SimpleNotificationService-evil.pem?X-Amz-`)).toBe(true);
    const fetched = await fetch(presigned);
    expect(fetched.status).toBe(403);
    expect(await fetched.text()).toContain('<Code>AccessDenied</Code>');
    // ...and the sandbox's own certificate is still what its URL serves.
    const own = await (await fetch(sandbox.snsSigningCertificateUrl)).text();
    expect(own).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(own).not.toBe(evil.certificatePem);

    const topic = running.service.deps.platforms.aws!.callbackTopicArn!;
    const request = {
      RequestType: 'Delete',
      ResponseURL: `${sandbox.endpoint}/cloudformation-custom-resource-response/forged`,
      StackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/x/1',
      RequestId: 'r',
      LogicalResourceId: 'L',
      ResourceProperties: {},
    };
    const fields = {
      Type: 'Notification' as const,
      MessageId: 'forged-1',
      TopicArn: topic,
      Message: JSON.stringify(request),
      Timestamp: new Date().toISOString(),
    };
    for (const signingCertUrl of [
      presigned,
      `${sandbox.snsSigningCertificateUrl}?X-Amz-Expires=3600`,
      `${sandbox.snsSigningCertificateUrl}#fragment`,
      `${sandbox.snsSigningCertificateUrl}?`,
      sandbox.snsSigningCertificateUrl.replace('/sns/', '//sns/'),
      `${sandbox.endpoint}/sns/SimpleNotificationService-evil.pem`,
    ]) {
      const answer = await post(evil.sign(fields, { signingCertUrl }));
      expect(answer.status, signingCertUrl).toBe(403);
      expect(answer.body.error, signingCertUrl).toMatchObject({ code: 'FORBIDDEN', field: 'SigningCertURL' });
    }
    // Signed with the attacker's key but naming the sandbox's exact certificate URL: the signature fails.
    expect(
      (await post(evil.sign(fields, { signingCertUrl: sandbox.snsSigningCertificateUrl }))).body.error,
    ).toMatchObject({ code: 'FORBIDDEN', field: 'Signature' });
  });
});
