import { describe, expect, it } from 'vitest';
import { callbackToken, callbackTokenMatches, newCallbackNonce } from './callback-token.ts';

describe('callback tokens', () => {
  it('match only for the same secret, connection and nonce', () => {
    const nonce = newCallbackNonce();
    const token = callbackToken('secret', 'con_1', nonce);
    expect(callbackTokenMatches('secret', 'con_1', nonce, token)).toBe(true);
    expect(callbackTokenMatches('other', 'con_1', nonce, token)).toBe(false);
    expect(callbackTokenMatches('secret', 'con_2', nonce, token)).toBe(false);
    expect(callbackTokenMatches('secret', 'con_1', newCallbackNonce(), token)).toBe(false);
    expect(callbackTokenMatches('secret', 'con_1', null, token)).toBe(false);
    expect(callbackTokenMatches('secret', 'con_1', nonce, token.slice(0, -1))).toBe(false);
    expect(callbackTokenMatches('secret', 'con_1', nonce, '')).toBe(false);
  });
});
