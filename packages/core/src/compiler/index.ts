export {
  compilePolicies,
  DEFAULT_MAX_MANAGED_POLICIES,
  INLINE_POLICY_MAX_CHARACTERS,
  MANAGED_POLICY_MAX_CHARACTERS,
} from './compile-policies.ts';
export type {
  CompiledDocument,
  CompiledPolicies,
  CompileOptions,
  NormalStatement,
  Selection,
  WildcardMode,
} from './compile-types.ts';
export { WILDCARD_MODES } from './compile-types.ts';
export { compactActions, wordBoundaries, type CompactOptions } from './compact-actions.ts';
export { patternCovers } from './cover-patterns.ts';
export { managedPolicyArn } from './managed-policy-arn.ts';
export { mergeStatements } from './merge-statements.ts';
export { resolveSelection, type SelectedIntegration } from './resolve-selection.ts';
export { renderStatement, splitDocuments, StatementTooLargeError } from './split-documents.ts';
export { compareStatements, normalStatement } from './normal-form.ts';
