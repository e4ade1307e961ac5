/**
 * trustgate's IAM policy engine: validation and evaluation of IAM policies as AWS documents them
 * (IAM User Guide, "Policy evaluation logic"), compiled once for fast repeated evaluation.
 */
export type {
  ContextValue,
  EvaluationRequest,
  PolicySet,
  Decision,
  EvaluationResult,
  Explanation,
  PolicyKind,
  PolicyKindResult,
  PrincipalMatchKind,
  PrincipalType,
  StatementOutcome,
  ConditionOutcome,
} from './types.ts';
export { evaluateRequest, type EvaluateOptions } from './evaluate-request.ts';
export { compilePolicySet, isCompiledPolicySet, type CompiledPolicySet } from './compile-policy-set.ts';
export { validatePolicyDocument, type ValidatePolicyOptions, type PolicyDocumentKind } from './validate-policy.ts';
export {
  loadIamReference,
  createIamReference,
  type IamReference,
  type IamReferenceData,
  type ReferenceAction,
  type ReferenceConditionKey,
  type ReferenceResourceType,
} from './iam-reference.ts';
export { discoverAllowingContext, type ContextSuggestion, type DiscoverOptions } from './discover-context.ts';
