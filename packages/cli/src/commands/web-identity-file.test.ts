import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrustgateError } from '@trustgate/core';
import type { WebIdentityAnswer } from '../service-client.ts';
import { startTokenFileRefresher, writeTokenFile, type TokenFileRefresher } from './web-identity-file.ts';

const answer = (token: string, lifeMs: number): WebIdentityAnswer => ({
  token,
  roleArn: 'arn:aws:iam::123456789012:role/r',
  roleSessionName: 's',
  expiresAt: new Date(Date.now() + lifeMs).toISOString(),
  durationSeconds: 3600,
  env: {},
});

const until = async (what: () => boolean, ms = 5_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('web identity token files', () => {
  let dir: string;
  let refresher: TokenFileRefresher | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tg-wif-'));
  });
  afterEach(() => {
    refresher?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the token with mode 0600, replacing an existing file (even a wider one) and leaving no temp file', () => {
    const file = join(dir, 'token');
    writeFileSync(file, 'old', { mode: 0o644 });
    writeTokenFile(file, 'new-token');
    expect(readFileSync(file, 'utf8')).toBe('new-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['token']);
  });

  it('a folder that does not exist is INVALID_INPUT naming the option, and nothing is left behind', () => {
    expect(() => writeTokenFile(join(dir, 'missing', 'token'), 't')).toThrow(/--web-identity-token-file .*ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refreshes at half the remaining life, retries a failure while the token lives, and removes the file on a final refusal', async () => {
    const file = join(dir, 'token');
    writeTokenFile(file, 'first');
    const answers: (WebIdentityAnswer | Error)[] = [
      answer('second', 2_400),
      new TrustgateError('CREDENTIALS_UNAVAILABLE', 'down'),
      new TrustgateError('UNAUTHENTICATED', 'revoked'),
    ];
    const errors: string[] = [];
    refresher = startTokenFileRefresher({
      path: file,
      expiresAt: new Date(Date.now() + 2_400).toISOString(),
      refresh: async () => {
        const next = answers.shift()!;
        if (next instanceof Error) throw next;
        return next;
      },
      isFinal: (e) => e instanceof TrustgateError && e.code === 'UNAUTHENTICATED',
      onError: (e) => errors.push((e as TrustgateError).code),
    });
    // Not before half of the first token's life (1.2 s).
    await new Promise((r) => setTimeout(r, 600));
    expect(readFileSync(file, 'utf8')).toBe('first');
    await until(() => readFileSync(file, 'utf8') === 'second');
    await until(() => !existsSync(file));
    expect(errors).toEqual(['CREDENTIALS_UNAVAILABLE', 'UNAUTHENTICATED']);
  });
});
