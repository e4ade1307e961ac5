import { describe, expect, it } from 'vitest';
import { requestTimeoutMs } from './remote-command.ts';

describe('requestTimeoutMs', () => {
  it('reads --timeout as seconds, 30 by default', () => {
    expect(requestTimeoutMs(undefined)).toBe(30_000);
    expect(requestTimeoutMs('5')).toBe(5000);
    expect(requestTimeoutMs(' 0.5 ')).toBe(500);
    expect(requestTimeoutMs('86400')).toBe(86_400_000);
  });

  it.each(['abc', '', 'NaN', '1e999', '-1', '0', '86401', '10s', "' OR '1'='1"])(
    'refuses %j naming the timeout (it used to mean no timeout at all)',
    (text) => {
      expect(() => requestTimeoutMs(text)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: 'timeout' }),
      );
    },
  );
});
