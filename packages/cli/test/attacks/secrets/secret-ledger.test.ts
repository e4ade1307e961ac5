import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formsOf, SecretLedger } from './secret-ledger.ts';

describe('the secrets ledger', () => {
  const token = `tg_${randomBytes(32).toString('base64url')}`;

  it('finds a secret in each form it could be written in, wherever it sits in an encoded value', () => {
    for (const offset of [0, 1, 2]) {
      const ledger = new SecretLedger();
      ledger.issued('API token', token, ledger.place('issuing', `{"secret":"${token}"}`));
      const blob = Buffer.from(`${'a'.repeat(offset)}${token}c`);
      ledger.place('base64', `{"blob":"${blob.toString('base64')}"}`);
      ledger.place('hex', blob.toString('hex'));
      ledger.place('url', `?t=${encodeURIComponent(`x${token.slice(3)}`)}`);
      const leaks = ledger.scan().leaks.map((l) => `${l.place}: ${l.form}`);
      expect(leaks).toContain(`base64: base64 (offset ${offset})`);
      expect(leaks).toContain('hex: hex');
      expect(leaks).toContain('url: without its prefix');
      expect(leaks.some((l) => l.startsWith('issuing'))).toBe(false);
    }
  });

  it("a JWT's signature is searched alone, a presented value is allowed nowhere, an answer must hold what it issued", () => {
    const jwt = `eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.${randomBytes(64).toString('base64url')}`;
    expect(formsOf(jwt).get('JWT signature')).toBe(jwt.split('.')[2]);
    const ledger = new SecretLedger();
    ledger.presented('wrong token', token);
    ledger.place('an error body', `unknown token ${token}`);
    expect(ledger.scan().leaks).toEqual([
      { kind: 'wrong token', place: 'an error body', form: 'raw' },
      { kind: 'wrong token', place: 'an error body', form: 'without its prefix' },
    ]);
    ledger.place('answer', 'no secret here');
    expect(() => ledger.issued('API token', jwt, 'answer')).toThrow(/does not carry/);
  });
});
