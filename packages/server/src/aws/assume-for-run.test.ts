import { TrustgateError } from '@trustgate/core';
import { describe, expect, it } from 'vitest';
import { isRetryableStsError } from './assume-for-run.ts';

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
