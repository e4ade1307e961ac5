import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG, type ErrorCode } from './error-catalog.ts';
import { TrustgateError, isTrustgateError } from './trustgate-error.ts';

describe('error catalog', () => {
  const entries = Object.entries(ERROR_CATALOG) as Array<[ErrorCode, (typeof ERROR_CATALOG)[ErrorCode]]>;

  it('documents every code with a status, an exit code and a description', () => {
    for (const [code, entry] of entries) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(entry.description.length).toBeGreaterThan(10);
      expect(entry.http).toBeGreaterThanOrEqual(400);
      expect(entry.http).toBeLessThan(600);
      expect(entry.exit).toBeGreaterThan(0);
    }
  });

  it('reports only INTERNAL and upstream failures as server errors, never a user mistake', () => {
    const serverSide = entries
      .filter(([, e]) => e.http >= 500)
      .map(([c]) => c)
      .sort();
    expect(serverSide).toEqual(['AWS_ERROR', 'CREDENTIALS_UNAVAILABLE', 'INTERNAL', 'STORE_UNAVAILABLE']);
  });

  it('maps a refused role to 422 / exit 7 (the customer must change it) and unavailable STS to 503 / exit 6', () => {
    expect(new TrustgateError('ROLE_REFUSED', 'x').httpStatus).toBe(422);
    expect(new TrustgateError('ROLE_REFUSED', 'x').exitCode).toBe(7);
    expect(new TrustgateError('CREDENTIALS_UNAVAILABLE', 'x').httpStatus).toBe(503);
    expect(new TrustgateError('CREDENTIALS_UNAVAILABLE', 'x').exitCode).toBe(6);
  });

  it('maps an error to its status and exit code and keeps the cause', () => {
    const cause = new Error('low level');
    const error = new TrustgateError('INVALID_ROLE_NAME', 'roleName is too long', { field: 'roleName', cause });
    expect(isTrustgateError(error)).toBe(true);
    expect(error.httpStatus).toBe(400);
    expect(error.exitCode).toBe(2);
    expect(error.field).toBe('roleName');
    expect(error.cause).toBe(cause);
    expect(isTrustgateError(new Error('x'))).toBe(false);
  });
});
