import { editDistance, splitAction, type ActionList } from '../actions/index.ts';

/** Outcome of checking one action entry against AWS's action list. */
export type ActionCheck =
  | { ok: true; canonical: string[]; wildcard: boolean }
  | { ok: false; code: 'UNKNOWN_ACTION' | 'UNKNOWN_SERVICE' | 'WILDCARD_MATCHES_NOTHING' | 'MALFORMED_ACTION'; message: string; suggestions: string[] };

/**
 * Check one IAM action entry (`ec2:RunInstances`, `ec2:DescribeSpot*`, `iam:List?oles`) against the action list.
 * An exact name must exist (the message suggests the nearest real names: `ec2:RunInstance` -> did you mean
 * `ec2:RunInstances`?); a wildcard must expand to at least one action. A bare `*` is refused: a catalog
 * grants named services, never everything. Returns the canonical actions it stands for.
 */
export function checkAction(entry: string, actionList: ActionList): ActionCheck {
  const parts = splitAction(entry);
  if (!parts || /\s/.test(entry)) {
    return { ok: false, code: 'MALFORMED_ACTION', message: `"${entry}" is not an IAM action of the form service:Action`, suggestions: [] };
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
    const expanded = actionList.expand(entry);
    if (expanded.length === 0) {
      return { ok: false, code: 'WILDCARD_MATCHES_NOTHING', message: `the wildcard ${entry} matches no AWS action`, suggestions: [] };
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

const BASE_OPERATORS = [
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike',
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
