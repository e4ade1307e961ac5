import { TrustgateError } from '../errors/index.ts';

/** The phases a run token is minted for: `read` (plan) and `write` (apply). */
export type OidcPhase = 'read' | 'write';

/** What trustgate's OIDC `sub` names: the organization, space, stack and phase of a run. */
export interface OidcSubjectParts {
  org: string;
  space: string;
  stack: string;
  phase: OidcPhase;
}

const FIELDS = ['org', 'space', 'stack'] as const;
const PHASES: readonly string[] = ['read', 'write'];

/**
 * Escapes one value of the subject: `%` as `%25`, `:` as `%3A` (GitHub Actions escapes `:` in its subjects the same
 * way), and IAM's StringLike wildcards `*` as `%2A` and `?` as `%3F`, so a value can neither add a segment nor turn a
 * pattern built from it into a wildcard.
 */
export function escapeSubjectValue(value: string): string {
  return value.replace(/[%:*?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Reverses {@link escapeSubjectValue}; undefined when the text is not something it writes. */
function unescapeSubjectValue(text: string): string | undefined {
  if (/[:*?]/.test(text) || /%(?!25|3A|2A|3F)/i.test(text)) return undefined;
  const value = text.replace(/%(25|3A|2A|3F)/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return escapeSubjectValue(value) === text ? value : undefined;
}

function assertParts(parts: OidcSubjectParts): void {
  for (const field of FIELDS) {
    const value = (parts as unknown as Record<string, unknown>)[field];
    if (typeof value !== 'string' || value.length === 0)
      throw new TrustgateError('INVALID_INPUT', `${field}: a non-empty string is required in the OIDC subject`, {
        field,
      });
  }
  if (!PHASES.includes(parts.phase))
    throw new TrustgateError('INVALID_INPUT', `phase: ${JSON.stringify(parts.phase)} is not read or write`, {
      field: 'phase',
    });
}

/**
 * trustgate's default OIDC subject (issue 13): `org:<org>:space:<space>:stack:<stack>:phase:<read|write>`, each value
 * escaped by {@link escapeSubjectValue}. A custom issuer's trust policy can condition only on `<issuer>:aud` and
 * `<issuer>:sub` (IAM User Guide, "Available keys for AWS OIDC federation"), so everything that scopes a role's trust
 * is in here. Throws INVALID_INPUT naming the field for an empty value or another phase.
 */
export function oidcSubject(parts: OidcSubjectParts): string {
  assertParts(parts);
  return [
    'org',
    escapeSubjectValue(parts.org),
    'space',
    escapeSubjectValue(parts.space),
    'stack',
    escapeSubjectValue(parts.stack),
    'phase',
    parts.phase,
  ].join(':');
}

/** The parts of a subject {@link oidcSubject} wrote, or undefined for any other text. */
export function parseOidcSubject(sub: string): OidcSubjectParts | undefined {
  const segments = sub.split(':');
  if (segments.length !== 8) return undefined;
  const [k1, org, k2, space, k3, stack, k4, phase] = segments as [string, ...string[]] & { length: 8 };
  if (k1 !== 'org' || k2 !== 'space' || k3 !== 'stack' || k4 !== 'phase') return undefined;
  if (phase === undefined || !PHASES.includes(phase)) return undefined;
  const values = [org, space, stack].map((v) => (v === undefined || v === '' ? undefined : unescapeSubjectValue(v)));
  if (values.some((v) => v === undefined)) return undefined;
  return { org: values[0]!, space: values[1]!, stack: values[2]!, phase: phase as OidcPhase };
}

/**
 * A StringLike pattern for `<issuer>:sub` admitting the subjects of the given organization and, where named, only
 * that space, stack and phase (`*` for what is left out). Values are escaped, so a `*` in a name stays literal; and as
 * no value holds a `:`, a `*` cannot reach over a named segment (a role locked to stack A never admits stack B).
 */
export function oidcSubjectPattern(parts: { org: string; space?: string; stack?: string; phase?: OidcPhase }): string {
  assertParts({
    org: parts.org,
    space: parts.space ?? '*',
    stack: parts.stack ?? '*',
    phase: parts.phase ?? 'read',
  });
  const value = (v: string | undefined) => (v === undefined ? '*' : escapeSubjectValue(v));
  return [
    'org',
    value(parts.org),
    'space',
    value(parts.space),
    'stack',
    value(parts.stack),
    'phase',
    parts.phase ?? '*',
  ].join(':');
}
