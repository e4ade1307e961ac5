import { editDistance, splitAction, type ActionList } from '../actions/index.ts';
import { CATALOG_LIMITS, limitMessage } from './catalog-limits.ts';

/** Outcome of checking one action entry against AWS's action list. */
export type ActionCheck =
  | { ok: true; canonical: string[]; wildcard: boolean }
  | {
      ok: false;
      code: 'UNKNOWN_ACTION' | 'UNKNOWN_SERVICE' | 'WILDCARD_MATCHES_NOTHING' | 'MALFORMED_ACTION';
      message: string;
      suggestions: string[];
    };

/**
 * Check one IAM action entry (`ec2:RunInstances`, `ec2:DescribeSpot*`, `iam:List?oles`) against the action list.
 * An exact name must exist (the message suggests the nearest real names: `ec2:RunInstance` -> did you mean
 * `ec2:RunInstances`?); a wildcard must expand to at least one action. A bare `*` is refused: a catalog
 * grants named services, never everything. Returns the canonical actions it stands for.
 *
 * The work is bounded: an entry longer than {@link CATALOG_LIMITS.actionLength} or with more wildcards than
 * {@link CATALOG_LIMITS.actionWildcards} is MALFORMED_ACTION without a search, and runs of wildcards are matched
 * as their shortest equivalent (`ec2:******Q` as `ec2:*Q`, `*?*?` as `??*`), since the action list matches with
 * a backtracking regular expression for which a run of n stars costs the n-th power of the name's length.
 */
export function checkAction(entry: string, actionList: ActionList): ActionCheck {
  const malformed = (message: string): ActionCheck => ({
    ok: false,
    code: 'MALFORMED_ACTION',
    message,
    suggestions: [],
  });
  if (entry.length > CATALOG_LIMITS.actionLength) {
    const length = `${entry.length.toLocaleString('en-US')} characters`;
    return malformed(
      `"${entry.slice(0, 40)}…" is ${limitMessage('actionLength', length, 'an IAM action is service:Action, and the longest AWS has is 71 characters')}`,
    );
  }
  const wildcards = entry.replace(/[^*?]/g, '').length;
  if (wildcards > CATALOG_LIMITS.actionWildcards) {
    return malformed(
      `${entry} has ${limitMessage('actionWildcards', `${wildcards} wildcards`, 'one * stands for any run of characters already')}`,
    );
  }
  const parts = splitAction(entry);
  if (!parts || /\s/.test(entry)) {
    return malformed(`"${entry}" is not an IAM action of the form service:Action`);
  }
  const wildcard = /[*?]/.test(entry);
  if (!/[*?]/.test(parts.service) && !actionList.hasService(parts.service)) {
    const suggestions = actionList
      .services()
      .map((service) => ({ service, d: editDistance(service, parts.service) }))
      .sort((x, y) => x.d - y.d || (x.service < y.service ? -1 : 1))
      .slice(0, 3)
      .map(({ service }) => actionList.canonical(`${service}:${parts.name}`) ?? `${service}:*`);
    return {
      ok: false,
      code: 'UNKNOWN_SERVICE',
      message: `unknown service prefix "${parts.service}" in ${entry}${suggestions.length ? `; did you mean ${suggestions.join(', ')}?` : ''}`,
      suggestions,
    };
  }
  if (wildcard) {
    const expanded = actionList.expand(shortestWildcards(entry));
    if (expanded.length === 0) {
      return {
        ok: false,
        code: 'WILDCARD_MATCHES_NOTHING',
        message: `the wildcard ${entry} matches no AWS action`,
        suggestions: [],
      };
    }
    return { ok: true, canonical: expanded, wildcard: true };
  }
  const canonical = actionList.canonical(entry);
  if (!canonical) {
    const suggestions = actionList.suggest(entry, 3);
    return {
      ok: false,
      code: 'UNKNOWN_ACTION',
      message: `unknown action ${entry}${suggestions.length ? ` — did you mean ${suggestions.join(', ')}?` : ''}`,
      suggestions,
    };
  }
  return { ok: true, canonical: [canonical], wildcard: false };
}

/**
 * `pattern` with every run of wildcards that holds a `*` written as its `?`s followed by one `*`: the same
 * actions match (a run matches any text at least as long as its `?`s), with one star per run.
 */
export function shortestWildcards(pattern: string): string {
  return pattern.replace(/[*?]{2,}/g, (run) => (run.includes('*') ? `${run.replace(/\*/g, '')}*` : run));
}

const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnLike',
  'ArnNotEquals',
  'ArnNotLike',
];

/**
 * True when `operator` is an IAM condition operator: a base operator, optionally with `IfExists`, optionally
 * qualified by `ForAllValues:` / `ForAnyValue:`; or `Null` (IAM User Guide, "IAM JSON policy elements: Condition operators").
 */
export function isConditionOperator(operator: string): boolean {
  if (operator === 'Null') return true;
  const bare = operator.replace(/^(?:ForAllValues|ForAnyValue):/, '').replace(/IfExists$/, '');
  return BASE_OPERATORS.includes(bare);
}
