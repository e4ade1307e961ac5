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

/** trustgate's default OIDC subject template (issue 13). */
export const DEFAULT_OIDC_SUBJECT_TEMPLATE = 'org:{org}:space:{space}:stack:{stack}:phase:{phase}';

/** The placeholders a subject template may use: organization, space and stack IDs, the stack's slug, the phase. */
export const OIDC_SUBJECT_PLACEHOLDERS = ['org', 'space', 'stack', 'stack_slug', 'phase'] as const;
type Placeholder = (typeof OIDC_SUBJECT_PLACEHOLDERS)[number];

/** The longest template accepted (a subject stays well below any JWT or IAM condition limit). */
export const MAX_OIDC_SUBJECT_TEMPLATE_LENGTH = 200;

const LITERAL = /^[A-Za-z0-9.\-/:=@+]*$/;

/**
 * Checks a per-organization subject template and answers it; INVALID_INPUT naming `field` with what is wrong. The
 * rules keep every template as exact as the default, so a template can never widen a role's trust:
 * - placeholders `{org}`, `{stack}` and `{phase}` exactly once (trust is scoped by them), `{space}` and
 *   `{stack_slug}` at most once, no other;
 * - literal text of `A-Z a-z 0-9 . - / : = @ +` only: no IAM wildcard (`*`, `?`), no `%` (the escape), no `$`
 *   (policy variables), and no `_`, which every trustgate ID holds, so literal text can never spell an ID of another
 *   organization or stack;
 * - each `:`-separated segment holds at most one placeholder (values never hold a `:`, so each value is delimited
 *   and a `*` put for one in a pattern cannot reach into another);
 * - it ends with `{phase}`, so a read-only pattern ends with `read` and no write-phase subject matches it.
 */
export function validateOidcSubjectTemplate(template: unknown, field = 'template'): string {
  const fail = (why: string): never => {
    throw new TrustgateError('INVALID_INPUT', `${field}: ${why}`, { field });
  };
  if (typeof template !== 'string' || template.length === 0) return fail('a non-empty subject template is required');
  if (template.length > MAX_OIDC_SUBJECT_TEMPLATE_LENGTH)
    fail(`at most ${MAX_OIDC_SUBJECT_TEMPLATE_LENGTH} characters`);
  const counts = new Map<string, number>();
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + 1);
  for (const name of counts.keys())
    if (!(OIDC_SUBJECT_PLACEHOLDERS as readonly string[]).includes(name))
      fail(`{${name}} is not a placeholder (${OIDC_SUBJECT_PLACEHOLDERS.map((p) => `{${p}}`).join(', ')})`);
  for (const name of ['org', 'stack', 'phase'])
    if (counts.get(name) !== 1) fail(`{${name}} must appear exactly once, so trust stays scoped by it`);
  for (const name of ['space', 'stack_slug']) if ((counts.get(name) ?? 0) > 1) fail(`{${name}} at most once`);
  const literal = template.replace(/\{[a-z_]+\}/g, '');
  const bad = [...literal].find((c) => !LITERAL.test(c));
  if (bad !== undefined)
    fail(
      `${JSON.stringify(bad)} is not allowed in literal text (only A-Z a-z 0-9 . - / : = @ +; no wildcard, %, $ or _)`,
    );
  if (template.split(':').some((segment) => (segment.match(/\{/g) ?? []).length > 1))
    fail('put a ":" between any two placeholders (values never hold one, so each is delimited)');
  if (!template.endsWith('{phase}')) fail('the template must end with {phase}');
  return template;
}

function renderTemplate(template: string, value: (name: Placeholder) => string): string {
  return template.replace(/\{([a-z_]+)\}/g, (_m, name: string) => value(name as Placeholder));
}

/**
 * A run's OIDC subject (issue 13): by default `org:<org>:space:<space>:stack:<stack>:phase:<read|write>`, or the
 * organization's `template` (checked by {@link validateOidcSubjectTemplate}), each value escaped by
 * {@link escapeSubjectValue}. A custom issuer's trust policy can condition only on `<issuer>:aud` and
 * `<issuer>:sub` (IAM User Guide, "Available keys for AWS OIDC federation"), so everything that scopes a role's trust
 * is in here. Throws INVALID_INPUT naming the field for an empty value, another phase, or a template naming
 * `{stack_slug}` without `stackSlug`.
 */
export function oidcSubject(
  parts: OidcSubjectParts & { stackSlug?: string },
  template: string = DEFAULT_OIDC_SUBJECT_TEMPLATE,
): string {
  assertParts(parts);
  const checked = template === DEFAULT_OIDC_SUBJECT_TEMPLATE ? template : validateOidcSubjectTemplate(template);
  return renderTemplate(checked, (name) => {
    if (name === 'phase') return parts.phase;
    if (name === 'stack_slug') {
      if (typeof parts.stackSlug !== 'string' || parts.stackSlug.length === 0)
        throw new TrustgateError('INVALID_INPUT', 'stackSlug: the subject template names {stack_slug}', {
          field: 'stackSlug',
        });
      return escapeSubjectValue(parts.stackSlug);
    }
    return escapeSubjectValue(parts[name]);
  });
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
 * that space, stack and phase (`*` for what is left out, and for `{stack_slug}`: trust follows IDs), written in the
 * default shape or `template`. Values are escaped, so a `*` in a name stays literal; and as no value holds a `:`, a
 * `*` cannot reach over a named segment (a role locked to stack A never admits stack B).
 */
export function oidcSubjectPattern(
  parts: { org: string; space?: string; stack?: string; phase?: OidcPhase },
  template: string = DEFAULT_OIDC_SUBJECT_TEMPLATE,
): string {
  assertParts({
    org: parts.org,
    space: parts.space ?? '*',
    stack: parts.stack ?? '*',
    phase: parts.phase ?? 'read',
  });
  const checked = template === DEFAULT_OIDC_SUBJECT_TEMPLATE ? template : validateOidcSubjectTemplate(template);
  return renderTemplate(checked, (name) => {
    if (name === 'phase') return parts.phase ?? '*';
    if (name === 'stack_slug') return '*';
    const v = parts[name];
    return v === undefined ? '*' : escapeSubjectValue(v);
  });
}
