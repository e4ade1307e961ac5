import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { wildcardToRegExp } from '../actions/index.ts';
import { TrustgateError } from '../errors/index.ts';
import { propertyParameters } from '../../test/support/property-seed.ts';
import {
  generateExternalId,
  parseScopedExternalId,
  scopedExternalId,
  scopedExternalIdPatterns,
  validateExternalId,
  validateScopedExternalIdParts,
} from './index.ts';

/** StringLike as IAM evaluates it: `*` any run, `?` one character, case-sensitive, whole value. */
function stringLike(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}

describe('generateExternalId', () => {
  it('gives 192 bits by default as base64url that AWS accepts', () => {
    const id = generateExternalId();
    expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(validateExternalId(id)).toEqual([]);
  });
  it('never repeats across many IDs and uses the whole alphabet', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => generateExternalId()));
    expect(ids.size).toBe(2000);
    const chars = new Set([...ids].join(''));
    expect(chars.size).toBe(64);
  });
  it('encodes exactly the random bytes it draws (no modulo bias, no truncation)', () => {
    const fixed = (b: Uint8Array) => {
      b.fill(0xff);
      return b;
    };
    expect(generateExternalId({ bytes: 16, random: fixed })).toBe('_____________________w');
    expect(generateExternalId({ bytes: 18, random: fixed })).toBe('________________________');
  });
  it('refuses fewer than 128 bits and bad prefixes', () => {
    expect(() => generateExternalId({ bytes: 15 })).toThrow(TrustgateError);
    expect(() => generateExternalId({ prefix: 'bad prefix ' })).toThrow(/externalId|prefix/);
    expect(generateExternalId({ prefix: 'tg-' })).toMatch(/^tg-[A-Za-z0-9_-]{32}$/);
  });
});

describe('validateExternalId (customer-supplied custom IDs)', () => {
  it('accepts 2 to 1,224 characters of [\\w+=,.@:/-]', () => {
    expect(validateExternalId('ab')).toEqual([]);
    expect(validateExternalId('a'.repeat(1224))).toEqual([]);
    expect(validateExternalId('Acme_1+=,.@:/-')).toEqual([]);
  });
  it.each([['a'], ['a'.repeat(1225)], ['has space'], ['semi;colon'], ['quote"'], ['tab\t'], ['ümlaut'], [42]])(
    'refuses %j naming the field',
    (value) => {
      const f = validateExternalId(value, 'externalId');
      expect(f[0]).toMatchObject({ code: 'INVALID_EXTERNAL_ID', path: 'externalId' });
    },
  );
});

describe('scoped external IDs', () => {
  const base = { accountName: 'acme', integrationId: '01HX9', stackSlug: 'prod-network', phase: 'write' as const };

  it('builds and parses <account>@<integration>@<stack>@<phase>', () => {
    const id = scopedExternalId(base);
    expect(id).toBe('acme@01HX9@prod-network@write');
    expect(validateExternalId(id)).toEqual([]);
    expect(parseScopedExternalId(id)).toEqual(base);
    expect(parseScopedExternalId('acme@01HX9@prod@apply')).toBeUndefined();
    expect(parseScopedExternalId('acme@01HX9@prod')).toBeUndefined();
  });

  it('gives patterns for any stack, one stack, and one stack and phase', () => {
    expect(scopedExternalIdPatterns({ accountName: 'acme', integrationId: '01HX9' })).toEqual([
      'acme@01HX9@*@read',
      'acme@01HX9@*@write',
    ]);
    expect(scopedExternalIdPatterns({ accountName: 'acme', integrationId: '01HX9', stackSlug: 'prod' })).toEqual([
      'acme@01HX9@prod@read',
      'acme@01HX9@prod@write',
    ]);
    expect(
      scopedExternalIdPatterns({ accountName: 'acme', integrationId: '01HX9', stackSlug: 'prod', phase: 'read' }),
    ).toEqual(['acme@01HX9@prod@read']);
  });

  it('ATTACK: names and slugs with @, *, ? or $ are refused, not escaped, so they cannot widen a pattern', () => {
    const attacks = [
      { accountName: 'acme', integrationId: '01HX9', stackSlug: '*' },
      { accountName: 'acme', integrationId: '01HX9', stackSlug: 'prod@write' },
      { accountName: 'acme', integrationId: '01HX9', stackSlug: 'pro?' },
      { accountName: 'ac*', integrationId: '01HX9', stackSlug: 'prod' },
      { accountName: 'acme@01HX9', integrationId: 'x', stackSlug: 'prod' },
      { accountName: 'acme', integrationId: '*', stackSlug: 'prod' },
      { accountName: 'acme', integrationId: '01HX9', stackSlug: '${aws:username}' },
      { accountName: 'acme', integrationId: '01HX9', stackSlug: '' },
    ];
    for (const scope of attacks) {
      expect(() => scopedExternalIdPatterns(scope), JSON.stringify(scope)).toThrow(TrustgateError);
      expect(() => scopedExternalId({ ...scope, phase: 'read' }), JSON.stringify(scope)).toThrow(TrustgateError);
    }
    // The error names the field (checked outside a catch block, so a missing throw fails the test).
    expect(() =>
      scopedExternalIdPatterns({ accountName: 'acme', integrationId: '01HX9', stackSlug: 'prod@write' }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_EXTERNAL_ID', field: 'stackSlug' }));
    expect(
      validateScopedExternalIdParts({ accountName: 'a', integrationId: 'b', phase: 'apply' as 'read' })[0]?.path,
    ).toBe('phase');
  });

  it('ATTACK: a stack named "prod@write" cannot produce an ID that a pattern locked to stack "prod" admits', () => {
    // Had the slug been accepted, "acme@01HX9@prod@write@read" would match "acme@01HX9@prod@*".
    const locked = scopedExternalIdPatterns({ accountName: 'acme', integrationId: '01HX9', stackSlug: 'prod' });
    expect(locked.some((p) => p.includes('*'))).toBe(false);
    expect(() =>
      scopedExternalId({ accountName: 'acme', integrationId: '01HX9', stackSlug: 'prod@write', phase: 'read' }),
    ).toThrow(TrustgateError);
  });

  const part = fc.stringMatching(/^[\w+=,.:/-]{1,12}$/);
  it("property: every generated ID matches its scope's patterns exactly when it is inside the scope", () => {
    fc.assert(
      fc.property(
        fc.record({
          accountName: part,
          integrationId: part,
          stackSlug: part,
          phase: fc.constantFrom('read' as const, 'write' as const),
        }),
        fc.record({
          accountName: part,
          integrationId: part,
          stackSlug: fc.option(part, { nil: undefined }),
          phase: fc.option(fc.constantFrom('read' as const, 'write' as const), { nil: undefined }),
        }),
        fc.boolean(),
        (run, scopeIn, sameTenant) => {
          const scope = sameTenant
            ? { ...scopeIn, accountName: run.accountName, integrationId: run.integrationId }
            : scopeIn;
          const patterns = scopedExternalIdPatterns(scope);
          const id = scopedExternalId(run);
          const inside =
            run.accountName === scope.accountName &&
            run.integrationId === scope.integrationId &&
            (scope.stackSlug === undefined || scope.stackSlug === run.stackSlug) &&
            (scope.phase === undefined || scope.phase === run.phase);
          expect(patterns.some((p) => stringLike(p, id))).toBe(inside);
          // The core's wildcard matcher (case-insensitive, used for actions) agrees whenever case does not matter.
          if (inside) expect(patterns.some((p) => wildcardToRegExp(p).test(id))).toBe(true);
        },
      ),
      propertyParameters({ numRuns: 400 }),
    );
  });
});
