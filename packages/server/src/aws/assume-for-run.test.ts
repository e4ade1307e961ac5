import { TrustgateError } from '@trustgate/core';
import { describe, expect, it } from 'vitest';
import { assumeRoleForRun, isRetryableStsError } from './assume-for-run.ts';
import type { StsPort } from './aws-clients.ts';
import type { StsPacer } from './sts-pacer.ts';

/** An error shaped as the SDK v3 throws them: a name, a message, the HTTP status in $metadata. */
const awsError = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('isRetryableStsError', () => {
  it.each([
    ['Throttling', awsError('Throttling', 400)],
    ['ThrottlingException', awsError('ThrottlingException', 400)],
    ['RequestLimitExceeded', awsError('RequestLimitExceeded', 503)],
    ['an unnamed 429', awsError('Whatever', 429)],
    ['an error the SDK marks throttling', awsError('Odd', 400, { $retryable: { throttling: true } })],
    ['a 500', awsError('InternalFailure', 500)],
    ['a 503', awsError('ServiceUnavailable', 503)],
    ['TimeoutError', awsError('TimeoutError')],
    ['a 408', awsError('RequestTimeout', 408)],
    [
      'IDPCommunicationError (the provider could not reach the issuer)',
      awsError('IDPCommunicationErrorException', 400),
    ],
    ['ECONNRESET', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    [
      'ECONNREFUSED as the cause',
      new Error('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }),
    ],
  ])('retries %s', (_name, error) => {
    expect(isRetryableStsError(error)).toBe(true);
  });

  it.each([
    ['AccessDenied', awsError('AccessDenied', 403)],
    ['ValidationError', awsError('ValidationError', 400)],
    ['RegionDisabledException', awsError('RegionDisabledException', 403)],
    ['InvalidClientTokenId', awsError('InvalidClientTokenId', 403)],
    [
      'a 4xx whose cause looks like a network error',
      awsError('AccessDenied', 403, { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
    ],
    ['a TrustgateError', new TrustgateError('AWS_ERROR', 'AssumeRole answered without a whole session.')],
    ['a string', 'Throttling'],
    ['a plain bug', new TypeError('undefined is not a function')],
  ])('does not retry %s', (_name, error) => {
    expect(isRetryableStsError(error)).toBe(false);
  });
});

describe('assumeRoleForRun with a web identity token', () => {
  const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
  const pacer = { run: (_key: string, work: () => Promise<unknown>) => work() } as unknown as StsPacer;
  /** An STS port that fails `failures` times with `error`, then answers a session; counts its calls. */
  const port = (error: Error, failures = Infinity) => {
    const calls: string[] = [];
    const sts: StsPort = {
      send: (async (command: { constructor: { name: string } }) => {
        calls.push(command.constructor.name);
        if (calls.length <= failures) throw error;
        return {
          Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date() },
          AssumedRoleUser: { Arn: 'arn:aws:sts::222222222222:assumed-role/R/tg' },
        };
      }) as unknown as StsPort['send'],
    };
    return { sts, calls };
  };
  const input = { roleArn: 'arn:aws:iam::222222222222:role/R', sessionName: 'tg', durationSeconds: 900 };
  const run = (sts: StsPort, webIdentityToken?: string) =>
    assumeRoleForRun(
      sts,
      { ...input, ...(webIdentityToken === undefined ? { externalId: 'x' } : { webIdentityToken }) },
      { pacer, paceKey: 'k', retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1, jitter: false } },
    );

  it('calls AssumeRoleWithWebIdentity, and retries IDPCommunicationError', async () => {
    const { sts, calls } = port(awsError('IDPCommunicationErrorException', 400), 2);
    const session = await run(sts, TOKEN);
    expect(session.assumedRoleArn).toContain('assumed-role/R');
    expect(calls).toEqual(Array(3).fill('AssumeRoleWithWebIdentityCommand'));
  });

  it.each([
    ['InvalidIdentityTokenException', /IAM OIDC provider/],
    ['IDPRejectedClaimException', /rejected the token's claims/],
    ['ExpiredTokenException', /token expired/],
    ['AccessDenied', /sub that admits this stack and phase/],
  ])('%s is ROLE_REFUSED at once, with what to change and no token', async (name, hint) => {
    const { sts, calls } = port(awsError(name, name === 'AccessDenied' ? 403 : 400));
    const error = (await run(sts, TOKEN).catch((e: unknown) => e)) as TrustgateError;
    expect(error.code).toBe('ROLE_REFUSED');
    expect(error.message).toMatch(hint);
    expect(error.message).not.toContain(TOKEN);
    expect(calls).toHaveLength(1);
  });

  it("ExpiredTokenException without a web identity token is the platform's own credentials: AWS_ERROR", async () => {
    const error = (await run(port(awsError('ExpiredTokenException', 400)).sts).catch(
      (e: unknown) => e,
    )) as TrustgateError;
    expect(error.code).toBe('AWS_ERROR');
  });
});
