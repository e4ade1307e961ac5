export {
  policySize,
  type ConditionBlock,
  type PolicyDocument,
  type PolicyStatement,
  type PrincipalElement,
  type StringOrArray,
} from './policy-document.ts';
