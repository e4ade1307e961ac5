export {
  DEFAULT_TRUST_POLICY_LIMIT,
  MAX_TRUST_POLICY_LIMIT,
  buildTrustPolicy,
  type ConfusedDeputyCondition,
  type ExternalIdCondition,
  type TrustPolicyOptions,
  type TrustPolicyResult,
  type TrustPrincipalSpec,
  type TrustSessionAction,
} from './build-trust-policy.ts';
export {
  CHINA_SERVICE_PRINCIPALS,
  servicePrincipal,
  type ChinaServicePrincipalFact,
  type ServicePrincipalResult,
} from './service-principals.ts';
export { platformIdentityFor, type PlatformIdentities, type PlatformIdentity } from './platform-identity.ts';
export { DEFAULT_MAX_SESSION_DURATION, validateMaxSessionDuration } from './session-duration.ts';
export {
  DEFAULT_OIDC_SUBJECT_TEMPLATE,
  MAX_OIDC_SUBJECT_TEMPLATE_LENGTH,
  OIDC_SUBJECT_PLACEHOLDERS,
  escapeSubjectValue,
  oidcSubject,
  oidcSubjectPattern,
  parseOidcSubject,
  validateOidcSubjectTemplate,
  type OidcPhase,
  type OidcSubjectParts,
} from './oidc-subject.ts';
