import { TrustgateError } from '../errors/index.ts';
import type { RunPhase } from './scoped-external-id.ts';
import { validateExternalId } from './validate-external-id.ts';

/** A stack slug as the broker stores it: lower-case letters, digits and `-`, 1-64 characters, not starting with `-`. */
export const STACK_SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Input of {@link connectionScopedExternalId}. */
export interface ConnectionScopedExternalIdParts {
  /** The connection's generated external ID (the part nobody else can choose). */
  externalId: string;
  stackSlug: string;
  phase: RunPhase;
}

/** Input of {@link connectionScopedExternalIdPatterns}. */
export interface ConnectionScopedExternalIdScope {
  /** The connection's generated external ID. */
  externalId: string;
  /** Stacks the role trusts; omit for any stack of the connection. An empty list is refused (it would trust none). */
  stacks?: string[];
  /** Phases the role trusts: `['read']` for read only, `['read', 'write']` for both. */
  phases: RunPhase[];
}

function invalid(field: string, message: string): TrustgateError {
  return new TrustgateError('INVALID_EXTERNAL_ID', `${field}: ${message}`, { field });
}

/**
 * The connection's external ID must be one AWS accepts and hold no `@`: with an `@` in it, the ID of connection
 * `a@b` for stack `s` (`a@b@s@read`) would match the pattern `a@*@read` of a connection whose ID is `a`.
 */
function assertBaseId(externalId: unknown): asserts externalId is string {
  const findings = validateExternalId(externalId, 'externalId');
  if (findings[0]) throw invalid('externalId', findings[0].message.replace(/^externalId: /, ''));
  if ((externalId as string).includes('@'))
    throw invalid(
      'externalId',
      'a connection external ID used in scoped form may not contain "@" (the separator of the scoped form)',
    );
}

function assertSlug(slug: unknown, field: string): asserts slug is string {
  if (typeof slug !== 'string' || !STACK_SLUG_PATTERN.test(slug))
    throw invalid(
      field,
      `${JSON.stringify(typeof slug === 'string' ? slug.slice(0, 80) : slug)} is not a stack slug (1-64 characters of a-z, 0-9 and "-", starting with a letter or digit)`,
    );
}

function assertPhase(phase: unknown, field: string): asserts phase is RunPhase {
  if (phase !== 'read' && phase !== 'write') throw invalid(field, 'must be "read" (plan) or "write" (apply)');
}

/**
 * The external ID a run of `stackSlug` in `phase` passes to AssumeRole: `<connection external ID>@<stack>@<phase>`
 * (issue 12's scoped form; the Spacelift convention with the connection's own unguessable ID in front, so no
 * tenant can produce another tenant's ID). Throws `INVALID_EXTERNAL_ID` naming the field (`externalId`,
 * `stackSlug`, `phase`) when a part is malformed or the whole is longer than AWS's 1,224 characters.
 */
export function connectionScopedExternalId(parts: ConnectionScopedExternalIdParts): string {
  assertBaseId(parts.externalId);
  assertSlug(parts.stackSlug, 'stackSlug');
  assertPhase(parts.phase, 'phase');
  const id = `${parts.externalId}@${parts.stackSlug}@${parts.phase}`;
  if (id.length > 1224)
    throw invalid('externalId', `the scoped external ID has ${id.length} characters; AWS allows at most 1,224`);
  return id;
}

/**
 * `StringLike` values for `sts:ExternalId` that admit exactly the runs of `scope`: any stack gives
 * `<id>@*@<phase>` per phase; listed stacks give `<id>@<slug>@<phase>` per stack and phase (no wildcard at all).
 * Phases are always spelled out, so a read-only role (`phases: ['read']`) refuses every write run. Since slugs
 * hold neither `@` nor a wildcard, and the ID no `@`, the `*` can only stand for one stack slug of this
 * connection (IAM User Guide, "Condition operators": StringLike's `*` matches any run of characters).
 * Duplicates are dropped; the order is stacks as given, then phases as given.
 */
export function connectionScopedExternalIdPatterns(scope: ConnectionScopedExternalIdScope): string[] {
  assertBaseId(scope.externalId);
  if (!Array.isArray(scope.phases) || scope.phases.length === 0)
    throw invalid('phases', 'at least one phase ("read", "write") is required');
  scope.phases.forEach((phase, i) => assertPhase(phase, `phases[${i}]`));
  const phases = [...new Set(scope.phases)];
  let stacks: string[] = ['*'];
  if (scope.stacks !== undefined) {
    if (!Array.isArray(scope.stacks) || scope.stacks.length === 0)
      throw invalid('stacks', 'list at least one stack, or omit stacks to trust every stack of the connection');
    scope.stacks.forEach((slug, i) => assertSlug(slug, `stacks[${i}]`));
    stacks = [...new Set(scope.stacks)];
  }
  const patterns = stacks.flatMap((stack) => phases.map((phase) => `${scope.externalId}@${stack}@${phase}`));
  const tooLong = patterns.find((p) => p.length > 1224);
  if (tooLong) throw invalid('externalId', `the pattern has ${tooLong.length} characters; AWS allows at most 1,224`);
  return patterns;
}
