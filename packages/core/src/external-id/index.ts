export { EXTERNAL_ID_PATTERN, validateExternalId } from './validate-external-id.ts';
export { generateExternalId, type GenerateExternalIdOptions } from './generate-external-id.ts';
export {
  parseScopedExternalId,
  scopedExternalId,
  scopedExternalIdPatterns,
  validateScopedExternalIdParts,
  type RunPhase,
  type ScopedExternalIdParts,
  type ScopedExternalIdScope,
} from './scoped-external-id.ts';
export {
  STACK_SLUG_PATTERN,
  connectionScopedExternalId,
  connectionScopedExternalIdPatterns,
  type ConnectionScopedExternalIdParts,
  type ConnectionScopedExternalIdScope,
} from './connection-scoped-external-id.ts';
