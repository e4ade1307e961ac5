import { ACCESS_LEVELS, type ActionList } from '../actions/index.ts';
import { shortestWildcards } from '../catalog/check-actions.ts';
import { TrustgateError, type Finding } from '../errors/index.ts';
import { compactActions } from './compact-actions.ts';
import {
  WILDCARD_MODES,
  type CompiledPolicies,
  type CompileOptions,
  type NormalStatement,
  type WildcardMode,
} from './compile-types.ts';
import { compareStatements, uniqueActions } from './normal-form.ts';

const isWildcard = (entry: string): boolean => /[*?]/.test(entry);

/**
 * The wildcard mode of the options: `wildcards`, or `compact: true` (the former switch) as `compact`; default
 * `expand`. INVALID_INPUT for an unknown mode or `compact: true` beside another mode.
 */
export function wildcardModeOf(options: Pick<CompileOptions, 'wildcards' | 'compact'>): WildcardMode {
  const { wildcards, compact } = options;
  if (wildcards !== undefined && !WILDCARD_MODES.includes(wildcards)) {
    throw new TrustgateError(
      'INVALID_INPUT',
      `wildcards must be ${WILDCARD_MODES.join(', ')}, not ${JSON.stringify(wildcards)}`,
      { field: 'wildcards' },
    );
  }
  if (compact === true && wildcards !== undefined && wildcards !== 'compact') {
    throw new TrustgateError(
      'INVALID_INPUT',
      `compact (the former name of wildcards: 'compact') contradicts wildcards: '${wildcards}'; give one of them`,
      { field: 'compact' },
    );
  }
  return wildcards ?? (compact === true ? 'compact' : 'expand');
}

/**
 * What one catalog (or extra) action entry writes into the documents under `mode`, given its concrete
 * expansion: `keep` writes a wildcard as written (a run of wildcards as its shortest equivalent, `ec2:**Get*` as
 * `ec2:*Get*`, which matches the same); otherwise the concrete, canonical actions.
 */
export function writtenEntries(entry: string, concrete: string[], mode: WildcardMode): string[] {
  return mode === 'keep' && isWildcard(entry) ? [shortestWildcards(entry)] : concrete;
}

/**
 * Statements after the mode's last step: with `compact`, each Allow statement's actions through
 * {@link compactActions} (Deny statements stay listed: a narrower deny would not be safer); otherwise unchanged.
 * Returns the notice to show: which wildcards the documents contain and what that means.
 */
export function applyWildcardMode(
  statements: NormalStatement[],
  mode: WildcardMode,
  actionList: ActionList,
): { statements: NormalStatement[]; notice?: Finding } {
  let out = statements;
  if (mode === 'compact') {
    out = statements
      .map((s) => (s.effect === 'Allow' ? { ...s, actions: compactActions(s.actions, actionList).actions } : s))
      .sort(compareStatements);
  }
  const wildcards = wildcardsOf(out);
  if (wildcards.length === 0 || mode === 'expand') return { statements: out };
  const list = `${wildcards.length} wildcard(s) (${wildcards.join(', ')})`;
  const notice: Finding =
    mode === 'keep'
      ? {
          code: 'KEPT_CATALOG_WILDCARDS',
          severity: 'info',
          path: '',
          message: `--wildcards keep wrote the catalog's ${list} as written; actions AWS adds later under them are granted too, as the catalog's author intended`,
        }
      : {
          code: 'COMPACTED_TO_WILDCARDS',
          severity: 'warning',
          path: '',
          message: `--wildcards compact wrote ${list}; each matches today only selected actions of one access level and ends at a word boundary, but actions AWS adds later under these prefixes would be granted too`,
        };
  return { statements: out, notice };
}

/** The wildcard entries of the statements, sorted and deduplicated. */
export function wildcardsOf(statements: readonly NormalStatement[]): string[] {
  return uniqueActions(statements.flatMap((s) => s.actions.filter(isWildcard)));
}

/** What each wildcard matches today: the count and the access levels, least powerful first. */
export function describeWildcards(
  wildcards: readonly string[],
  actionList: ActionList,
): CompiledPolicies['wildcardDetails'] {
  return wildcards.map((pattern) => {
    const matched = actionList.expand(pattern);
    const levels = new Set(matched.map((a) => actionList.accessLevel(a)));
    return { pattern, actions: matched.length, accessLevels: ACCESS_LEVELS.filter((l) => levels.has(l)) };
  });
}
