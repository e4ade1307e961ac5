import { TrustgateError, type Finding } from '../errors/index.ts';

/** `read` for plan runs, `write` for apply runs. */
export type RunPhase = 'read' | 'write';

/** The parts of a scoped external ID `<account-name>@<integration-id>@<stack-slug>@<read|write>`. */
export interface ScopedExternalIdParts {
  accountName: string;
  integrationId: string;
  stackSlug: string;
  phase: RunPhase;
}

/** Which runs a trust policy admits: all stacks of an account's integration, one stack, or one stack and phase. */
export interface ScopedExternalIdScope {
  accountName: string;
  integrationId: string;
  /** Omit for any stack. */
  stackSlug?: string;
  /** Omit for both phases. */
  phase?: RunPhase;
}

/**
 * A part may use external-ID characters except those that would let it widen a pattern: `@` (the separator:
 * a stack named `prod@write` would look like stack `prod` in phase `write`), `*` and `?` (StringLike
 * wildcards), and `$` (IAM policy variables `${...}`, which StringLike expands). So `[A-Za-z0-9_+=,.:/-]`.
 */
const PART = /^[\w+=,.:/-]{1,300}$/;

/**
 * Check the parts of a scoped ID. Every part must be non-empty and free of `@`, `*`, `?`, `$` and anything AWS
 * refuses in an external ID; a part that could widen a StringLike pattern is refused, never escaped.
 */
export function validateScopedExternalIdParts(
  parts: Partial<ScopedExternalIdParts>,
  options: { requireStack?: boolean; requirePhase?: boolean; path?: string } = {},
): Finding[] {
  const base = options.path ? `${options.path}.` : '';
  const findings: Finding[] = [];
  const check = (
    field: 'accountName' | 'integrationId' | 'stackSlug',
    value: string | undefined,
    required: boolean,
  ) => {
    if (value === undefined) {
      if (required)
        findings.push({
          code: 'INVALID_EXTERNAL_ID',
          severity: 'error',
          message: `${base}${field}: required`,
          path: `${base}${field}`,
        });
      return;
    }
    if (!PART.test(value)) {
      const bad = [...new Set([...value].filter((c) => !/[\w+=,.:/-]/.test(c)))]
        .map((c) => JSON.stringify(c))
        .join(', ');
      findings.push({
        code: 'INVALID_EXTERNAL_ID',
        severity: 'error',
        message: `${base}${field}: "${value.slice(0, 60)}" ${value.length === 0 ? 'is empty' : value.length > 300 ? 'is longer than 300 characters' : `contains ${bad}`}; a scoped external ID part may use only letters, digits and _+=,.:/- (never @ * ? $, which would widen the trust policy's pattern)`,
        path: `${base}${field}`,
      });
    }
  };
  check('accountName', parts.accountName, true);
  check('integrationId', parts.integrationId, true);
  check('stackSlug', parts.stackSlug, options.requireStack ?? false);
  if (parts.phase === undefined ? options.requirePhase : parts.phase !== 'read' && parts.phase !== 'write') {
    findings.push({
      code: 'INVALID_EXTERNAL_ID',
      severity: 'error',
      message: `${base}phase: must be "read" (plan) or "write" (apply)`,
      path: `${base}phase`,
    });
  }
  return findings;
}

function assertParts(findings: Finding[]): void {
  const first = findings[0];
  if (first) throw new TrustgateError('INVALID_EXTERNAL_ID', first.message, { field: first.path, findings });
}

/**
 * The external ID a run passes to AssumeRole: `<account-name>@<integration-id>@<stack-slug>@<read|write>`
 * (read for plan, write for apply — the convention IaC platforms such as Spacelift use). Throws
 * `INVALID_EXTERNAL_ID` naming the field when a part could widen a pattern or breaks AWS's rules.
 */
export function scopedExternalId(parts: ScopedExternalIdParts): string {
  assertParts(validateScopedExternalIdParts(parts, { requireStack: true, requirePhase: true }));
  const id = `${parts.accountName}@${parts.integrationId}@${parts.stackSlug}@${parts.phase}`;
  if (id.length > 1224)
    throw new TrustgateError(
      'INVALID_EXTERNAL_ID',
      'externalId: the scoped external ID is longer than 1,224 characters',
      { field: 'externalId' },
    );
  return id;
}

/** Take a scoped external ID apart; `undefined` when it is not one (wrong part count, bad phase, bad part). */
export function parseScopedExternalId(id: string): ScopedExternalIdParts | undefined {
  const pieces = id.split('@');
  if (pieces.length !== 4) return undefined;
  const [accountName = '', integrationId = '', stackSlug = '', phase = ''] = pieces;
  const parts = { accountName, integrationId, stackSlug, phase: phase as RunPhase };
  return validateScopedExternalIdParts(parts, { requireStack: true, requirePhase: true }).length === 0
    ? parts
    : undefined;
}

/**
 * `StringLike` values for `sts:ExternalId` that admit exactly the runs of `scope` (IAM User Guide, "Condition
 * operators": `*` matches any run of characters). Any stack: `acct@integ@*@read` and `acct@integ@*@write`;
 * one stack: `acct@integ@stack@read` and `...@write` (no wildcard at all); one stack and phase: a single
 * exact value. Phases are always spelled out, never `*`, so an ID must end in `@read` or `@write`. Because
 * parts are checked by {@link validateScopedExternalIdParts}, no part can contain `@`, `*`, `?` or `$`.
 */
export function scopedExternalIdPatterns(scope: ScopedExternalIdScope): string[] {
  assertParts(validateScopedExternalIdParts(scope));
  const stack = scope.stackSlug ?? '*';
  const phases: RunPhase[] = scope.phase ? [scope.phase] : ['read', 'write'];
  return phases.map((phase) => `${scope.accountName}@${scope.integrationId}@${stack}@${phase}`);
}
