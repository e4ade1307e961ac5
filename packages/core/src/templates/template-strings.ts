import { isAccountId } from '../arn/index.ts';
import type { Partition } from '../partition/index.ts';
import type { DeliverableModel } from './deliverable-model.ts';

/** A piece of a string in a deliverable: literal text, a parameter, or the account/partition it runs in. */
export type StringSegment =
  { kind: 'text'; text: string } | { kind: 'param'; name: string } | { kind: 'partition' } | { kind: 'account' };

/**
 * Split strings of a deliverable into literal text and references, the one rule all renderers share:
 * a string equal to a parameter's value is that parameter; `arn:<partition>:` at the start of a string is the
 * partition the template runs in; the customer's account ID, wherever it stands as a run of exactly 12 digits
 * (a whole string, an ARN field, a bucket name suffix), is the account it runs in — and so is the model's
 * `accountPlaceholder` when no customer account is fixed. Everything else is literal.
 */
export class TemplateStrings {
  private readonly byValue = new Map<string, string>();

  constructor(
    private readonly model: Pick<DeliverableModel, 'parameters' | 'partition' | 'customerAccountId'> &
      Partial<Pick<DeliverableModel, 'accountPlaceholder'>>,
  ) {
    for (const p of model.parameters) if (!this.byValue.has(p.value)) this.byValue.set(p.value, p.name);
  }

  /** The segments of `value`. */
  segments(value: string): StringSegment[] {
    const param = this.byValue.get(value);
    if (param !== undefined) return [{ kind: 'param', name: param }];
    const out: StringSegment[] = [];
    let rest = value;
    const prefix = `arn:${this.model.partition}:`;
    if (rest.startsWith(prefix)) {
      out.push({ kind: 'text', text: 'arn:' }, { kind: 'partition' }, { kind: 'text', text: ':' });
      rest = rest.slice(prefix.length);
    }
    const account = this.model.customerAccountId ?? this.model.accountPlaceholder;
    if (isAccountId(account)) {
      if (rest === account && out.length === 0) return [{ kind: 'account' }];
      // The account as a whole run of 12 digits (an ARN field, or a name such as `state-444455556666`),
      // never as part of a longer number.
      const pieces = rest.split(new RegExp(`(?<!\\d)${account}(?!\\d)`));
      pieces.forEach((piece, i) => {
        if (i > 0) out.push({ kind: 'account' });
        out.push({ kind: 'text', text: piece });
      });
    } else {
      out.push({ kind: 'text', text: rest });
    }
    return merge(out);
  }

  /** True when `value` holds any reference. */
  isTemplated(value: string): boolean {
    return this.segments(value).some((s) => s.kind !== 'text');
  }
}

function merge(segments: StringSegment[]): StringSegment[] {
  const out: StringSegment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (s.kind === 'text' && last?.kind === 'text') last.text += s.text;
    else if (!(s.kind === 'text' && s.text === '')) out.push(s.kind === 'text' ? { ...s } : s);
  }
  return out.length === 0 ? [{ kind: 'text', text: '' }] : out;
}

/** Walk a JSON value, replacing every string through `map`. */
export function mapStrings(value: unknown, map: (s: string) => unknown): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, map));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, map)]));
  }
  return value;
}

/** The literal value of segments given parameter values, a partition and an account (for tests and raw JSON). */
export function resolveSegments(
  segments: StringSegment[],
  values: { params: Record<string, string>; partition: Partition; accountId?: string },
): string {
  return segments
    .map((s) => {
      switch (s.kind) {
        case 'text':
          return s.text;
        case 'param':
          return values.params[s.name] ?? '';
        case 'partition':
          return values.partition;
        case 'account':
          return values.accountId ?? '';
      }
    })
    .join('');
}

/** `ExternalId` -> `external_id`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}
