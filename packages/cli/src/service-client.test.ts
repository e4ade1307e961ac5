import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTrustgateError } from '@trustgate/core';
import { afterAll, describe, expect, it } from 'vitest';
import { errorFromAnswer, readApiToken, serviceBaseUrl } from './service-client.ts';

const dir = mkdtempSync(join(tmpdir(), 'tg-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The code of what `fn` throws. */
function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isTrustgateError(error) ? error.code : 'not a TrustgateError';
  }
  return undefined;
}

describe('the service client', () => {
  it('takes the URL from --url or TRUSTGATE_URL, and plain http only to loopback (the token would cross a network)', () => {
    expect(serviceBaseUrl({ url: 'https://tg.example.com/api/', env: {} })).toBe('https://tg.example.com/api');
    expect(serviceBaseUrl({ env: { TRUSTGATE_URL: 'http://127.0.0.1:8080' } })).toBe('http://127.0.0.1:8080');
    for (const url of [
      'http://tg.example.com',
      'http://10.0.0.5:80',
      'ftp://127.0.0.1',
      'https://u:p@tg.example.com',
      '',
    ])
      expect(
        codeOf(() => serviceBaseUrl({ url, env: {} })),
        url,
      ).toBe('INVALID_INPUT');
  });

  it("reads the token from --token-file (winning over TRUSTGATE_TOKEN) or TRUSTGATE_TOKEN; a refusal never quotes the file's content", () => {
    const good = join(dir, 'good');
    writeFileSync(good, 'tg_fromfile\n');
    expect(readApiToken({ tokenFile: good, env: { TRUSTGATE_TOKEN: 'tg_fromenv' } }) === 'tg_fromfile').toBe(true);
    expect(readApiToken({ env: { TRUSTGATE_TOKEN: 'tg_fromenv' } }) === 'tg_fromenv').toBe(true);
    expect(codeOf(() => readApiToken({ env: {} }))).toBe('UNAUTHENTICATED');
    const bad = join(dir, 'bad');
    writeFileSync(bad, 'tg_secretpart other words\n');
    const error = (() => {
      try {
        return readApiToken({ tokenFile: bad, env: {} });
      } catch (e) {
        return e;
      }
    })();
    expect(isTrustgateError(error) && error.code).toBe('INVALID_INPUT');
    expect(String((error as Error).message).includes('secretpart')).toBe(false);
    expect(codeOf(() => readApiToken({ tokenFile: join(dir, 'missing'), env: {} }))).toBe('FILE_NOT_READABLE');
  });

  it("maps the API's error body to core's codes (so to their exit codes), by status when the body has none, and redacts tokens", () => {
    const body = (code: string, message: string) => JSON.stringify({ error: { code, message } });
    expect(errorFromAnswer(404, body('NOT_FOUND', 'No stack web.')).exitCode).toBe(3);
    expect(errorFromAnswer(422, body('ROLE_REFUSED', 'Trust the external ID.')).exitCode).toBe(7);
    expect(errorFromAnswer(503, body('CREDENTIALS_UNAVAILABLE', 'STS throttled.')).exitCode).toBe(6);
    expect(errorFromAnswer(403, 'Forbidden').code).toBe('FORBIDDEN');
    expect(errorFromAnswer(502, '<html>bad gateway</html>').code).toBe('CREDENTIALS_UNAVAILABLE');
    expect(errorFromAnswer(418, body('NO_SUCH_CODE', 'x')).code).toBe('INVALID_INPUT');
    const echoed = errorFromAnswer(401, body('UNAUTHENTICATED', 'Token tg_abc123 is revoked.'), ['tg_abc123']);
    expect(echoed.exitCode).toBe(4);
    expect(echoed.message.includes('tg_abc123')).toBe(false);
  });
});
