import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { propertyParameters } from '../../test/support/property-seed.ts';
import { TrustgateError } from '../errors/index.ts';
import { connectionScopedExternalId, connectionScopedExternalIdPatterns, validateExternalId } from './index.ts';

/** StringLike as IAM evaluates it: `*` any run, `?` one character, case-sensitive, whole value. */
function stringLike(pattern: string, value: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(value);
}

const ID = 'Qx7_k2-9aZ';

describe('connectionScopedExternalId', () => {
  it('is <connection external ID>@<stack>@<phase> and AWS accepts it', () => {
    const id = connectionScopedExternalId({ externalId: ID, stackSlug: 'prod-network', phase: 'write' });
    expect(id).toBe('Qx7_k2-9aZ@prod-network@write');
    expect(validateExternalId(id)).toEqual([]);
  });

  it.each([
    [{ externalId: ID, stackSlug: 'Prod', phase: 'read' }, 'stackSlug'],
    [{ externalId: ID, stackSlug: '-prod', phase: 'read' }, 'stackSlug'],
    [{ externalId: ID, stackSlug: 'prod@write', phase: 'read' }, 'stackSlug'],
    [{ externalId: ID, stackSlug: '*', phase: 'read' }, 'stackSlug'],
    [{ externalId: ID, stackSlug: '', phase: 'read' }, 'stackSlug'],
    [{ externalId: ID, stackSlug: 'a'.repeat(65), phase: 'read' }, 'stackSlug'],
    [{ externalId: ID, stackSlug: 'prod', phase: 'apply' }, 'phase'],
    [{ externalId: 'a b', stackSlug: 'prod', phase: 'read' }, 'externalId'],
    [{ externalId: 'x', stackSlug: 'prod', phase: 'read' }, 'externalId'],
    [{ externalId: 'acme@other', stackSlug: 'prod', phase: 'read' }, 'externalId'],
    [{ externalId: 'a'.repeat(1200), stackSlug: 'a'.repeat(20), phase: 'write' }, 'externalId'],
  ])('refuses %j with INVALID_EXTERNAL_ID naming %s', (parts, field) => {
    expect(() => connectionScopedExternalId(parts as Parameters<typeof connectionScopedExternalId>[0])).toThrow(
      expect.objectContaining({ code: 'INVALID_EXTERNAL_ID', field }),
    );
  });

  it('accepts exactly 1,224 characters', () => {
    const externalId = 'a'.repeat(1224 - '@s@write'.length);
    expect(connectionScopedExternalId({ externalId, stackSlug: 's', phase: 'write' })).toHaveLength(1224);
  });
});

describe('connectionScopedExternalIdPatterns', () => {
  it('trusts any stack per phase, or listed stacks per phase, never a wildcard phase', () => {
    expect(connectionScopedExternalIdPatterns({ externalId: ID, phases: ['read'] })).toEqual([`${ID}@*@read`]);
    expect(connectionScopedExternalIdPatterns({ externalId: ID, phases: ['read', 'write'] })).toEqual([
      `${ID}@*@read`,
      `${ID}@*@write`,
    ]);
    expect(
      connectionScopedExternalIdPatterns({ externalId: ID, stacks: ['a', 'b', 'a'], phases: ['write', 'write'] }),
    ).toEqual([`${ID}@a@write`, `${ID}@b@write`]);
  });

  it('refuses an empty stack or phase list instead of trusting none or all', () => {
    expect(() => connectionScopedExternalIdPatterns({ externalId: ID, stacks: [], phases: ['read'] })).toThrow(
      expect.objectContaining({ code: 'INVALID_EXTERNAL_ID', field: 'stacks' }),
    );
    expect(() => connectionScopedExternalIdPatterns({ externalId: ID, phases: [] })).toThrow(
      expect.objectContaining({ field: 'phases' }),
    );
    expect(() =>
      connectionScopedExternalIdPatterns({ externalId: ID, stacks: ['ok', 'Not_ok'], phases: ['read'] }),
    ).toThrow(expect.objectContaining({ field: 'stacks[1]' }));
    expect(() => connectionScopedExternalIdPatterns({ externalId: ID, phases: ['read', '*' as 'read'] })).toThrow(
      expect.objectContaining({ field: 'phases[1]' }),
    );
  });

  it('ATTACK: a read-only role admits no write run and a role locked to stack a admits no run of stack b', () => {
    const readOnly = connectionScopedExternalIdPatterns({ externalId: ID, phases: ['read'] });
    const write = connectionScopedExternalId({ externalId: ID, stackSlug: 'prod', phase: 'write' });
    expect(readOnly.some((p) => stringLike(p, write))).toBe(false);
    const lockedToA = connectionScopedExternalIdPatterns({ externalId: ID, stacks: ['a'], phases: ['read', 'write'] });
    for (const phase of ['read', 'write'] as const) {
      expect(
        lockedToA.some((p) => stringLike(p, connectionScopedExternalId({ externalId: ID, stackSlug: 'ab', phase }))),
      ).toBe(false);
    }
  });

  it("ATTACK: another connection's IDs never match, even when one ID is a prefix of the other", () => {
    const patterns = connectionScopedExternalIdPatterns({ externalId: 'abc', phases: ['read', 'write'] });
    expect(
      patterns.some((p) =>
        stringLike(p, connectionScopedExternalId({ externalId: 'abcd', stackSlug: 's', phase: 'read' })),
      ),
    ).toBe(false);
    // An ID with "@" would let "abc@s" for stack "t" read as "abc" for stack "s@t": refused.
    expect(() => connectionScopedExternalId({ externalId: 'abc@s', stackSlug: 't', phase: 'read' })).toThrow(
      TrustgateError,
    );
  });

  const id = fc.stringMatching(/^[\w+=,.:/-]{2,16}$/);
  const slug = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,8}$/);
  const phase = fc.constantFrom('read' as const, 'write' as const);
  it('property: a run ID matches the scope exactly when the run is inside the scope', () => {
    fc.assert(
      fc.property(
        fc.record({ externalId: id, stackSlug: slug, phase }),
        fc.record({
          externalId: id,
          stacks: fc.option(fc.array(slug, { minLength: 1, maxLength: 3 }), { nil: undefined }),
          phases: fc.uniqueArray(phase, { minLength: 1, maxLength: 2 }),
        }),
        fc.boolean(),
        (run, scopeIn, sameConnection) => {
          const scope = sameConnection ? { ...scopeIn, externalId: run.externalId } : scopeIn;
          const inside =
            run.externalId === scope.externalId &&
            (scope.stacks === undefined || scope.stacks.includes(run.stackSlug)) &&
            scope.phases.includes(run.phase);
          const patterns = connectionScopedExternalIdPatterns(scope);
          expect(patterns.some((p) => stringLike(p, connectionScopedExternalId(run)))).toBe(inside);
        },
      ),
      propertyParameters({ numRuns: 400 }),
    );
  });
});
